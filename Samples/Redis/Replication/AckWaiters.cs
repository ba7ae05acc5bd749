using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Replication;

/// <summary>
/// WAIT's clients, as Redis's clients_waiting_acks: each is blocked until enough online replicas acknowledged the
/// stream's offset of when it asked, or its timeout passed, and is then answered how many did, on its own loop. A
/// replica's ACK arrives on the replica's loop and is checked against every waiter.
/// </summary>
internal sealed class AckWaiters(ReplicationStream stream)
{
    private sealed record Waiter(Session Session, long SessionId, EventLoop Loop, long Offset, long Needed);

    private readonly Lock _gate = new();
    private readonly List<Waiter> _waiting = [];
    private volatile int _count;

    /// <summary>Clients in WAIT (INFO's blocked_clients counts them).</summary>
    public int Count => _count;

    /// <summary>How many online replicas acknowledged <paramref name="offset"/> or beyond.</summary>
    public int Acknowledged(long offset) => stream.Replicas.Count(r => r.State == ReplicaState.Online && r.AckOffset >= offset);

    /// <summary>Blocks <paramref name="session"/> until <paramref name="needed"/> replicas acknowledged <paramref name="offset"/> (timeout 0: however long). Loop thread.</summary>
    public void Wait(Session session, long offset, long needed, long timeoutMs)
    {
        var waiter = new Waiter(session, session.Id, session.Client.Loop, offset, needed);
        session.Block();
        lock (_gate)
        {
            _waiting.Add(waiter);
            _count = _waiting.Count;
        }
        if (timeoutMs > 0) { waiter.Loop.Schedule(TimeSpan.FromMilliseconds(timeoutMs), () => Answer(waiter)); }
    }

    /// <summary>A replica acknowledged: the waiters it satisfied, and those whose client left, are answered. Any thread.</summary>
    public void Acknowledge()
    {
        if (_count == 0) { return; }
        lock (_gate)
        {
            foreach (var waiter in _waiting)
            {
                if (!waiter.Session.StillServes(waiter.SessionId) || Acknowledged(waiter.Offset) >= waiter.Needed) { waiter.Loop.Post(() => Answer(waiter)); }
            }
        }
    }

    /// <summary>
    /// CLIENT UNBLOCK, or the server becoming a replica: <paramref name="session"/>'s WAIT is answered now, as its timeout
    /// would or with <paramref name="error"/>, and its connection closed then when <paramref name="close"/>; false when
    /// it is not waiting. Any thread.
    /// </summary>
    public bool End(Session session, string? error, bool close)
    {
        if (_count == 0) { return false; }
        Waiter? waiter;
        lock (_gate) { waiter = _waiting.Find(w => w.Session == session && w.SessionId == session.Id); }
        if (waiter is null) { return false; }
        waiter.Loop.Post(() => Answer(waiter, error, close));
        return true;
    }

    // On the waiter's loop, once: by an acknowledgement, the timeout or an unblock, whichever comes first.
    private void Answer(Waiter waiter) => Answer(waiter, error: null, close: false);

    private void Answer(Waiter waiter, string? error, bool close)
    {
        lock (_gate)
        {
            if (!_waiting.Remove(waiter)) { return; }
            _count = _waiting.Count;
        }
        var session = waiter.Session;
        if (!session.StillServes(waiter.SessionId)) { return; }
        if (error is null) { session.Reply.Integer(Acknowledged(waiter.Offset)); } else { session.Reply.Error(error); }
        session.Resume();
        if (close) { session.Client.Close(); }
    }
}
