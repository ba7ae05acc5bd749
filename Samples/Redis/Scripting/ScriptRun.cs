using System.Diagnostics;

namespace Loop.Samples.Redis.Scripting;

/// <summary>
/// The script or function running now, as the other loops see it: SCRIPT KILL and FUNCTION KILL set
/// <see cref="KillRequested"/>, which the script's loop reads in its count hook; FUNCTION STATS shows it; once it has
/// run longer than busy-reply-threshold, other loops answer BUSY.
/// </summary>
internal sealed class ScriptRun(string name, bool isEval, bool readOnly, EventLoop? loop, long busyAfterMs, byte[][] command)
{
    private volatile bool _killRequested, _wrote;

    /// <summary>The script's SHA1 (EVAL) or the function's name (FCALL).</summary>
    public string Name { get; } = name;
    public bool IsEval { get; } = isEval;

    /// <summary>EVAL_RO, FCALL_RO or a no-writes script: write commands are refused.</summary>
    public bool ReadOnly { get; } = readOnly;

    /// <summary>
    /// It started with memory over maxmemory and nothing to evict, and its flags do not say allow-oom: until its first
    /// write, it may not call a command that may grow memory (Redis's scriptVerifyOOM).
    /// </summary>
    public bool RefusesGrowth { get; init; }
    public EventLoop? Loop { get; } = loop;

    /// <summary>The FCALL that runs it, as FUNCTION STATS shows it (empty for EVAL).</summary>
    public byte[][] Command { get; } = command;
    public long StartedAt { get; } = Stopwatch.GetTimestamp();

    public bool KillRequested { get => _killRequested; set => _killRequested = value; }

    /// <summary>Killed, or its server is stopping (which would otherwise wait for it forever): it stops where it can.</summary>
    public bool MustStop => _killRequested || Loop is { StopRequested: true };

    /// <summary>The script changed the keyspace: it can no longer be killed.</summary>
    public bool Wrote { get => _wrote; set => _wrote = value; }

    public long ElapsedMs => (long)Stopwatch.GetElapsedTime(StartedAt).TotalMilliseconds;

    /// <summary>Past busy-reply-threshold: clients of other loops get BUSY.</summary>
    public bool Busy => ElapsedMs >= busyAfterMs;
}
