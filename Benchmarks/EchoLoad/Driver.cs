using System.Diagnostics;

namespace Loop.Benchmarks.EchoLoad;

/// <summary>
/// One thread driving many connections through one epoll: level-triggered read interest always,
/// write interest only while a round's messages did not fit in the socket's send buffer.
/// </summary>
internal sealed class Driver
{
    private const int PollTimeoutMs = 10; // wakes to notice the end of the run even if the server went quiet

    private readonly EchoClient[] _clients;
    private readonly bool[] _writeInterest;
    private readonly long _measureStart;
    private readonly long _measureEnd;
    private readonly CancellationToken _abort;

    public Driver(EchoClient[] clients, long measureStart, long measureEnd, CancellationToken abort)
    {
        _clients = clients;
        _writeInterest = new bool[clients.Length];
        _measureStart = measureStart;
        _measureEnd = measureEnd;
        _abort = abort;
    }

    /// <summary>Round trips that completed inside the measured window.</summary>
    public LatencyHistogram Latencies { get; } = new();

    public void Run()
    {
        var epoll = Epoll.Create();
        try
        {
            for (var i = 0; i < _clients.Length; i++)
            {
                Epoll.Add(epoll, _clients[i].Fd, Epoll.In, (ulong)i);
                _clients[i].StartRound(Stopwatch.GetTimestamp());
                UpdateWriteInterest(epoll, i);
            }
            var events = new Epoll.Event[Math.Min(_clients.Length, 1024)];
            while (Stopwatch.GetTimestamp() < _measureEnd && !_abort.IsCancellationRequested)
            {
                var n = Epoll.Wait(epoll, events, PollTimeoutMs);
                for (var e = 0; e < n; e++) { OnReady(epoll, (int)events[e].Data, events[e].Events); }
            }
        }
        finally
        {
            Epoll.Close(epoll);
        }
    }

    private void OnReady(int epoll, int index, uint events)
    {
        var client = _clients[index];
        if ((events & Epoll.Out) != 0) { client.Send(); }
        // Errors and hang-ups also take this path: the receive reports them.
        if ((events & ~Epoll.Out) != 0 && client.Receive())
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= _measureStart && now < _measureEnd)
            {
                Latencies.Record((long)((now - client.RoundStart) * (1e9 / Stopwatch.Frequency)));
            }
            client.StartRound(now);
        }
        UpdateWriteInterest(epoll, index);
    }

    private void UpdateWriteInterest(int epoll, int index)
    {
        var client = _clients[index];
        if (client.SendPending == _writeInterest[index]) { return; }
        _writeInterest[index] = client.SendPending;
        Epoll.Modify(epoll, client.Fd, client.SendPending ? Epoll.In | Epoll.Out : Epoll.In, (ulong)index);
    }
}
