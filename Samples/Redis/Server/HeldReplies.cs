using Loop.Samples.Redis.Persistence;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// A loop's side of the append-only file, on every loop from the start (whatever a loop logs, a client's write or the
/// expiry cycle's DEL, must reach the file). After each batch, before its replies are sent, the loop hands over the
/// commands it logged and writes what is ready (<see cref="AofLog.WritePending"/>), and the sessions that logged hold
/// their replies until the log says they are safe: once merged and written (everysec, no; at once when this loop wrote
/// them), or once the FSYNC behind them completes (always), asked once per loop for all of them, so a loop's batches
/// share a write, an FSYNC and a wake-up. A timer gives everysec its sync when nothing else is written, and starts a
/// rewrite once the file has grown enough. Loop thread only.
/// </summary>
internal sealed class HeldReplies
{
    private readonly EventLoop _loop;
    private readonly AppendOnlyFile _aof;
    private readonly List<Session> _held = [];
    private readonly List<(long Number, Action<bool> Then)> _after = []; // see AfterLogged
    private bool _requested;

    // The calling loop's.
    [ThreadStatic] private static HeldReplies? t_loop;

    /// <summary>The loop's, made on its first use. Loop thread only.</summary>
    public static HeldReplies Of(EventLoop loop, AppendOnlyFile aof) => loop.GetState(loop => new HeldReplies(loop, aof));

    /// <summary>The calling loop's, or null off the loops.</summary>
    public static HeldReplies? OnThisLoop => t_loop;

    private HeldReplies(EventLoop loop, AppendOnlyFile aof)
    {
        (_loop, _aof) = (loop, aof);
        t_loop = this;
        loop.BeforeSends(BeforeSends);
        loop.Every(TimeSpan.FromSeconds(1), () =>
        {
            _aof.Log?.WritePending(_loop);
            _aof.RewriteIfGrown();
        });
    }

    /// <summary>Holds <paramref name="session"/>'s replies until the log is safe up to its <see cref="Session.HeldUpTo"/>.</summary>
    public void Hold(Session session)
    {
        if (!_held.Contains(session)) { _held.Add(session); }
    }

    /// <summary>
    /// Runs <paramref name="then"/> here once the commands this loop logged so far are safe (true), or the log failed
    /// (false): for what must not leave before the log has it but is no reply of this loop's (a blocked client of any
    /// loop, served by a write here). At once when no file is on.
    /// </summary>
    public void AfterLogged(Action<bool> then)
    {
        if (_aof.Log is { } log) { _after.Add((log.Appended, then)); }
        else { then(true); }
    }

    private void BeforeSends()
    {
        if (_aof.Log is not { } log)
        {
            if (_held.Count > 0 || _after.Count > 0) { Done(log: null, long.MaxValue, safe: true); } // turned off: nothing to wait for
            return;
        }
        log.WritePending(_loop);
        if ((_held.Count > 0 || _after.Count > 0) && !_requested) { Request(log); }
    }

    private void Request(AofLog log)
    {
        _requested = true;
        var upTo = 0L;
        foreach (var session in _held) { upTo = Math.Max(upTo, session.HeldUpTo); }
        foreach (var after in _after) { upTo = Math.Max(upTo, after.Number); }
        // Usually told on this loop, by the completion of a write it started; else by the loop that wrote.
        if (!log.WhenSafe(upTo, safe => { if (_loop.IsLoopThread) { Done(log, upTo, safe); } else { _loop.Post(() => Done(log, upTo, safe)); } }))
        {
            Done(log, upTo, safe: true);
        }
    }

    // The log is safe up to upTo (or failed): the sessions held up to there let their replies go (or are closed), and
    // what waited for it runs.
    private void Done(AofLog? log, long upTo, bool safe)
    {
        _requested = false;
        _held.RemoveAll(session => session.HeldUpTo <= upTo && session.ReleaseReplies(safe));
        for (var i = 0; i < _after.Count; i++)
        {
            if (_after[i].Number > upTo) { continue; }
            var then = _after[i].Then;
            _after.RemoveAt(i--);
            then(safe);
        }
        if (log is not null && (_held.Count > 0 || _after.Count > 0)) { Request(log); }
    }
}
