using System.Collections.Concurrent;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Scripting;

/// <summary>
/// What scripting shares across the loops: the script cache (SCRIPT LOAD, EVAL), the function libraries, and the run
/// in progress. Each loop has its own <see cref="LuaEngine"/>; a SCRIPT FLUSH or a change of libraries moves a counter
/// that each engine compares before its next run, so every loop sees the change without being told.
/// </summary>
internal sealed class Scripting(RedisServer server)
{
    private readonly ConcurrentDictionary<string, byte[]> _scripts = new(StringComparer.Ordinal);
    private volatile ScriptRun? _running;
    private volatile int _generation;
    private LuaEngine? _offline;

    /// <summary>Moves on every SCRIPT FLUSH: engines drop what they compiled.</summary>
    public int Generation => _generation;

    public FunctionLibraries Functions { get; } = new();

    /// <summary>The script or function running now, on any loop.</summary>
    public ScriptRun? Running => _running;

    public bool TryGetScript(string sha, out byte[] body) => _scripts.TryGetValue(sha, out body!);

    public void AddScript(string sha, byte[] body) => _scripts.TryAdd(sha, body);

    public bool HasScript(string sha) => _scripts.ContainsKey(sha);

    /// <summary>Scripts SCRIPT LOAD and EVAL cached (INFO's number_of_cached_scripts).</summary>
    public int CachedScripts => _scripts.Count;

    public void FlushScripts()
    {
        _scripts.Clear();
        Interlocked.Increment(ref _generation);
    }

    /// <summary>
    /// The engine of <paramref name="session"/>'s loop; a session without a connection (loading the append-only file)
    /// shares one of its own, used by the loading thread only.
    /// </summary>
    public LuaEngine EngineFor(Session session) => session.Client is { } client
        ? client.Loop.GetState(loop => new LuaEngine(server, server.CountersOf(loop)))
        : Offline;

    private LuaEngine Offline => _offline ??= new LuaEngine(server, new RedisLoopCounters(server.Commands.Count));

    /// <summary>A library read from an RDB file (dump.rdb, an append-only file's base), loaded as it was saved.</summary>
    public void RestoreLibrary(byte[] code)
    {
        var library = Offline.LoadLibrary(code, install: false, out var error)
            ?? throw new InvalidDataException($"a function library does not load: {error}");
        if (Functions.Add([library], replace: false) is { } refused) { throw new InvalidDataException(refused); }
    }

    public void Started(ScriptRun run) => _running = run;

    public void Ended(ScriptRun run) => Interlocked.CompareExchange(ref _running, null, run);

    /// <summary>busy-reply-threshold (lua-time-limit) in milliseconds.</summary>
    public long BusyThresholdMs => server.Config.GetNumber("busy-reply-threshold");

    /// <summary>SCRIPT KILL (<paramref name="eval"/>) or FUNCTION KILL: null when the run was told to stop, else Redis's error.</summary>
    public string? Kill(bool eval)
    {
        if (_running is not { } run) { return "NOTBUSY No scripts in execution right now."; }
        if (run.Wrote)
        {
            return "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the " +
                "script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
        }
        if (eval != run.IsEval) { return BusyError(run.IsEval); }
        run.KillRequested = true;
        return null;
    }

    /// <summary>
    /// Redis's BUSY for a command that comes while a script runs past the threshold: from another loop, or taken in by
    /// the script's own loop while it serves busy. Null for the commands Redis still runs then (its allow-busy ones).
    /// </summary>
    public string? BusyRefusal(CommandSpec spec, Protocols.Resp.RespCommand command)
    {
        if (_running is not { Busy: true }) { return null; }
        var sub = command.Count > 1 ? command[1] : default;
        var allowed = spec.Name switch
        {
            "script" => Args.Is(sub, "KILL"),
            "function" => Args.Is(sub, "KILL") || Args.Is(sub, "STATS"),
            "shutdown" => command.Count > 1 && Args.Is(sub, "NOSAVE"),
            "auth" or "hello" or "multi" or "discard" or "watch" or "unwatch" or "quit" or "reset" or "replconf" => true,
            _ => false,
        };
        return allowed ? null : BusyError();
    }

    /// <summary>A script runs on another loop than <paramref name="loop"/>, past busy-reply-threshold.</summary>
    public bool BusyElsewhere(EventLoop? loop) => _running is { Busy: true } run && run.Loop != loop;

    /// <summary>Redis's BUSY error for the script running now.</summary>
    public string BusyError() => BusyError(_running?.IsEval ?? true);

    private static string BusyError(bool eval) =>
        $"BUSY Redis is busy running a script. You can only call {(eval ? "SCRIPT KILL" : "FUNCTION KILL")} or SHUTDOWN NOSAVE.";
}
