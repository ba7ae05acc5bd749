namespace Loop;

/// <summary>
/// Names one use of a <see cref="Connection"/>: connections are pooled, so work started for a request (a database
/// query on another thread) holds this instead of the connection, and its result is dropped if the connection
/// closed, or was reused for another client, before the result came back.
/// </summary>
public readonly struct ConnectionToken
{
    private readonly Connection _connection;
    private readonly long _id;

    internal ConnectionToken(Connection connection)
    {
        _connection = connection;
        _id = connection.Id;
    }

    /// <summary>The loop that owns the connection, where results must go back to.</summary>
    public EventLoop Loop => _connection.Loop;

    /// <summary>
    /// The connection while it is still the one this token named and still open; null once it closed or was
    /// reused. Loop thread only (the connection changes only there).
    /// </summary>
    public Connection? Connection => _connection is not null && _connection.Id == _id && !_connection.IsClosing ? _connection : null;

    /// <summary>
    /// Runs <paramref name="callback"/> on the connection's loop with the connection and <paramref name="state"/>,
    /// unless by then the connection closed or was reused: then nothing runs. Safe from any thread.
    /// </summary>
    public void Post<TState>(Action<Connection, TState> callback, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _connection.Loop.Post(static s => ((PostedCallback<TState>)s!).Run(), new PostedCallback<TState>(this, callback, state));
    }

    private sealed class PostedCallback<TState>(ConnectionToken token, Action<Connection, TState> callback, TState state)
    {
        public void Run()
        {
            if (token.Connection is { } connection) { callback(connection, state); }
        }
    }
}
