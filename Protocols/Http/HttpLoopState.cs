using System.Diagnostics;

namespace Loop.Protocols.Http;

/// <summary>
/// What the HTTP connections of one loop share: the Date line, the response writer (one request is handled at
/// a time on a loop), and a once-a-second tick that refreshes the date and enforces the timeouts.
/// </summary>
internal sealed class HttpLoopState
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);
    private readonly List<HttpConnectionHandler> _connections = [];

    public HttpLoopState(EventLoop loop)
    {
        Response = new HttpResponse(Date);
        loop.Every(TickInterval, Tick);
    }

    public HttpDate Date { get; } = new();

    public HttpResponse Response { get; }

    public void Add(HttpConnectionHandler connection)
    {
        connection.LoopSlot = _connections.Count;
        _connections.Add(connection);
    }

    public void Remove(HttpConnectionHandler connection)
    {
        var last = _connections[^1];
        _connections[connection.LoopSlot] = last;
        last.LoopSlot = connection.LoopSlot;
        _connections.RemoveAt(_connections.Count - 1);
    }

    private void Tick()
    {
        Date.Update(DateTimeOffset.UtcNow);
        var now = Stopwatch.GetTimestamp();
        // Backwards, so that a connection leaving during the sweep only moves one already checked.
        for (var i = _connections.Count - 1; i >= 0; i--)
        {
            if (i < _connections.Count) { _connections[i].CheckTimeout(now); }
        }
    }
}
