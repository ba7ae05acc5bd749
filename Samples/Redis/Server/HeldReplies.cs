using Loop.Samples.Redis.Persistence;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// A loop's sessions whose replies wait for the append-only file (see <see cref="AofLog.WhenSafe"/>): one request to
/// the log at a time per loop, covering every session held when it was made, so a loop's batches share a write (and an
/// FSYNC) and one wake-up instead of one each. Loop thread only.
/// </summary>
internal sealed class HeldReplies(EventLoop loop)
{
    private readonly List<Session> _held = [];
    private bool _requested;

    /// <summary>Holds <paramref name="session"/>'s replies until the log is safe up to its <see cref="Session.HeldUpTo"/>.</summary>
    public void Hold(Session session, AofLog log)
    {
        if (!_held.Contains(session)) { _held.Add(session); }
        if (!_requested) { Request(log); }
    }

    private void Request(AofLog log)
    {
        _requested = true;
        var upTo = 0L;
        foreach (var session in _held) { upTo = Math.Max(upTo, session.HeldUpTo); }
        if (!log.WhenSafe(upTo, safe => loop.Post(() => Done(log, upTo, safe)))) { loop.Post(() => Done(log, upTo, safe: true)); }
    }

    // The log is safe up to upTo (or failed): the sessions held up to there let their replies go (or are closed).
    private void Done(AofLog log, long upTo, bool safe)
    {
        _requested = false;
        _held.RemoveAll(session => session.HeldUpTo <= upTo && session.ReleaseReplies(safe));
        if (_held.Count > 0) { Request(log); }
    }
}
