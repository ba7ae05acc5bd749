namespace Loop.Samples.Redis.Store;

/// <summary>
/// How full a stream node may grow (CONFIG's stream-node-max-bytes and stream-node-max-entries): a new entry starts a
/// new node once the last one would reach <see cref="Bytes"/> or holds <see cref="MaxEntries"/> entries, deleted ones
/// included (0: no limit on entries).
/// </summary>
internal readonly record struct StreamNodeLimits(long MaxBytes, long MaxEntries)
{
    /// <summary>STREAM_LISTPACK_MAX_SIZE: the most a node's listpack may take, whatever the setting (0 means this).</summary>
    private const long ListpackMaxSize = 1L << 30;

    /// <summary>Redis 7.0's defaults.</summary>
    public static StreamNodeLimits Defaults => new(4096, 100);

    public long Bytes => MaxBytes is 0 or > ListpackMaxSize ? ListpackMaxSize : MaxBytes;

    /// <summary>What ~ trims at most without LIMIT: 100 nodes' worth of entries, within Redis's bounds (its arithmetic wraps too).</summary>
    public long ApproximateTrimLimit
    {
        get
        {
            var limit = unchecked(MaxEntries * 100);
            return limit <= 0 ? 10_000 : Math.Min(limit, 1_000_000);
        }
    }
}
