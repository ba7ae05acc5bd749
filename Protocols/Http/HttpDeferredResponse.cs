namespace Loop.Protocols.Http;

/// <summary>
/// A response that <see cref="HttpResponse.Defer"/> left open: the handler returned without it, started work
/// elsewhere (a database query), and completes it later from any thread with <see cref="Complete{TState}"/>. Meanwhile
/// the connection reads no further request, so pipelined responses keep their order, and other connections of the
/// loop go on. If the connection closes first, the completion is dropped.
/// </summary>
public readonly struct HttpDeferredResponse
{
    private readonly HttpConnectionHandler _handler;
    private readonly ConnectionToken _connection;
    private readonly int _generation;

    internal HttpDeferredResponse(HttpConnectionHandler handler, ConnectionToken connection, int generation)
    {
        _handler = handler;
        _connection = connection;
        _generation = generation;
    }

    /// <summary>The loop the response is written on.</summary>
    public EventLoop Loop => _connection.Loop;

    /// <summary>
    /// Writes the response on the connection's loop thread: <paramref name="write"/> fills in the response as a
    /// request handler does (status, headers, body; an exception becomes a 500), then it is sent and the
    /// connection's next request is read. Nothing runs if the connection has closed. The first call counts. Safe
    /// from any thread.
    /// </summary>
    public void Complete<TState>(Action<HttpResponse, TState> write, TState state)
    {
        ArgumentNullException.ThrowIfNull(write);
        _connection.Post(
            static (_, s) => s.Handler.Resume(s.Generation, s.Write, s.State),
            (Handler: _handler, Generation: _generation, Write: write, State: state));
    }
}
