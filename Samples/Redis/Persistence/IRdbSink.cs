namespace Loop.Samples.Redis.Persistence;

/// <summary>Receives what <see cref="RdbDecoder.Load"/> reads from an RDB file, key by key, in file order.</summary>
internal interface IRdbSink
{
    /// <summary>
    /// One key of database <paramref name="db"/>: its value (a store type: <c>byte[]</c>, <c>RedisList</c>, <c>RedisSet</c>,
    /// <c>RedisHash</c>, <c>RedisSortedSet</c>) and its deadline in Unix milliseconds, if any (possibly past: the
    /// sink decides, as Redis drops expired keys on a master and keeps them on a replica).
    /// </summary>
    void Entry(int db, byte[] key, object value, long? expireAtUnixMs);

    /// <summary>Something in the file that was read but not loaded (a function library, an empty key), for the log.</summary>
    void Skipped(string what) { }
}
