namespace Loop.Samples.Redis.Server;

/// <summary>
/// The INFO stats one loop's sessions count. Each loop has its own, written only by its thread, so counting a
/// command costs no shared cache line; <see cref="RedisServer.Totals"/> sums them when asked.
/// </summary>
internal sealed class RedisLoopCounters(int commands)
{
    public long Connections;
    public long Commands;
    public long KeyspaceHits;
    public long KeyspaceMisses;

    /// <summary>Keys the write commands changed, as Redis counts its dirty (what the save points count); not reset by CONFIG RESETSTAT.</summary>
    public long Changes;

    /// <summary>
    /// While maxmemory is set: the bytes of the arguments of the writes that changed something, about what they added to
    /// the heap (see <see cref="MemoryGauge"/>); not reset.
    /// </summary>
    public long WrittenBytes;

    /// <summary>Calls, durations and errors per command (INFO commandstats, errorstats, latencystats).</summary>
    public readonly CommandStatistics PerCommand = new(commands);

    /// <summary>CONFIG RESETSTAT, from any loop: a count racing with it may keep an increment or lose one.</summary>
    public void Reset()
    {
        Connections = Commands = KeyspaceHits = KeyspaceMisses = 0;
        PerCommand.Reset();
    }
}

/// <summary>The per-loop counts summed.</summary>
internal readonly record struct RedisTotals(long Connections, long Commands, long KeyspaceHits, long KeyspaceMisses, long Changes);
