using Loop.Samples.Redis.Persistence;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// A loop's side of the append-only file. After each batch, before its replies are sent, the commands logged so far are
/// written (<see cref="AofLog.WritePending"/>); with appendfsync always the sessions that logged hold their replies
/// until the log is synced past their commands, asked once per loop for all of them, so a loop's batches share an fsync
/// and a wake-up. Loop thread only.
/// </summary>
internal sealed class HeldReplies
{
    private readonly EventLoop _loop;
    private readonly AppendOnlyFile _aof;
    private readonly List<Session> _held = [];
    private bool _requested;

    public HeldReplies(EventLoop loop, AppendOnlyFile aof)
    {
        (_loop, _aof) = (loop, aof);
        loop.BeforeSends(BeforeSends);
    }

    /// <summary>Holds <paramref name="session"/>'s replies until the log is synced up to its <see cref="Session.HeldUpTo"/>.</summary>
    public void Hold(Session session)
    {
        if (!_held.Contains(session)) { _held.Add(session); }
    }

    private void BeforeSends()
    {
        if (_aof.Log is not { } log) { return; }
        log.WritePending();
        if (_held.Count > 0 && !_requested) { Request(log); }
    }

    private void Request(AofLog log)
    {
        _requested = true;
        var upTo = 0L;
        foreach (var session in _held) { upTo = Math.Max(upTo, session.HeldUpTo); }
        if (!log.WhenSynced(upTo, synced => _loop.Post(() => Done(log, upTo, synced)))) { Done(log, upTo, synced: true); }
    }

    // The log is synced up to upTo (or failed): the sessions held up to there let their replies go (or are closed).
    private void Done(AofLog log, long upTo, bool synced)
    {
        _requested = false;
        _held.RemoveAll(session => session.HeldUpTo <= upTo && session.ReleaseReplies(synced));
        if (_held.Count > 0) { Request(log); }
    }
}
