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

    /// <summary>A function library's code (RDB_OPCODE_FUNCTION2), in file order, before the keys.</summary>
    void Library(byte[] code) => Skipped("a function library: this sink takes none");

    /// <summary>Something in the file that was read but not loaded (a function library, an empty key), for the log.</summary>
    void Skipped(string what) { }
}
