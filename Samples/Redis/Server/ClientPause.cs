using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// CLIENT PAUSE and UNPAUSE: while a pause lasts, every client's commands (or, for WRITE, its writes) wait unrun in its
/// connection's input, each loop keeping its own waiting sessions (<see cref="PausedClients"/>) and resuming them when
/// the pause ends (its timer) or is lifted (a message to each loop). Active expiry stops meanwhile, as in Redis.
/// </summary>
internal sealed class ClientPause
{
    private readonly List<PausedClients> _loops = new();
    private volatile PauseWindow? _window;

    /// <summary>The pause in force, or null; read by every command, so one field read when there is none.</summary>
    public PauseWindow? Current => _window is { } window && Environment.TickCount64 < window.EndsAtMs ? window : null;

    /// <summary>
    /// Pauses every client for <paramref name="milliseconds"/>, or only their writes. As in Redis, a pause already in
    /// force is only extended and made stricter by another.
    /// </summary>
    public void Pause(long milliseconds, bool writesOnly)
    {
        lock (_loops)
        {
            var endsAt = Environment.TickCount64 + milliseconds;
            var current = Current;
            _window = current is null ? new PauseWindow(endsAt, writesOnly)
                : new PauseWindow(Math.Max(endsAt, current.EndsAtMs), writesOnly && current.WritesOnly);
        }
    }

    /// <summary>Ends the pause: each loop resumes its waiting clients.</summary>
    public void Unpause()
    {
        lock (_loops)
        {
            _window = null;
            foreach (var paused in _loops) { paused.Loop.Post(paused.ResumeAll); }
        }
    }

    /// <summary>How many clients wait for the pause, over all loops (each loop's count may be a moment old).</summary>
    public int Waiting
    {
        get { lock (_loops) { return _loops.Sum(paused => paused.Count); } }
    }

    /// <summary>The sessions <paramref name="loop"/> holds for the pause. Loop thread only.</summary>
    public PausedClients On(EventLoop loop) => loop.GetState(_ =>
    {
        var paused = new PausedClients(loop, this);
        lock (_loops) { _loops.Add(paused); }
        return paused;
    });
}

/// <summary>A pause: until when (Environment.TickCount64), and whether only writes wait.</summary>
internal sealed record PauseWindow(long EndsAtMs, bool WritesOnly)
{
    /// <summary>
    /// Whether <paramref name="spec"/> (a subcommand as itself) waits: any command, or with WRITE one that writes or that
    /// Redis may propagate (PUBLISH, EVAL, PFCOUNT), as Redis's is_may_replicate_command tells (EXEC of such too).
    /// </summary>
    public bool Holds(CommandSpec spec, RespCommand command, Session session) =>
        !WritesOnly || session.MayReplicate(spec, command) || (spec.Name == "exec" && session.QueuedWrites);
}

/// <summary>One loop's sessions waiting for a pause to end, resumed by a timer at its end or by UNPAUSE. Loop thread only.</summary>
internal sealed class PausedClients(EventLoop loop, ClientPause pause)
{
    private readonly List<(Session Session, long Id)> _sessions = new();
    private LoopTimer? _timer;

    private volatile int _count;

    public EventLoop Loop => loop;

    /// <summary>How many wait; any thread.</summary>
    public int Count => _count;

    public void Add(Session session, PauseWindow window)
    {
        _sessions.Add((session, session.Id));
        _count = _sessions.Count;
        _timer ??= loop.Schedule(Remaining(window), CheckEnded);
    }

    public void ResumeAll()
    {
        _timer?.Cancel();
        _timer = null;
        var sessions = _sessions.ToArray();
        _sessions.Clear();
        _count = 0;
        foreach (var (session, id) in sessions)
        {
            if (session.Id == id && session.IsOpen) { session.Resume(); }
        }
    }

    // The timer: the pause may have been extended meanwhile.
    private void CheckEnded()
    {
        _timer = null;
        if (pause.Current is { } window) { _timer = loop.Schedule(Remaining(window), CheckEnded); }
        else { ResumeAll(); }
    }

    private static TimeSpan Remaining(PauseWindow window) => TimeSpan.FromMilliseconds(Math.Max(1, window.EndsAtMs - Environment.TickCount64));
}
