using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Puts what an RDB file holds into the keyspace, as a master does: keys already expired are left out, unless
/// <paramref name="keepExpired"/> (an append-only file's base, whose later commands may still use them, as Redis
/// loads it). Function libraries go to <paramref name="library"/>.
/// </summary>
internal sealed class KeyspaceLoader(Keyspace keyspace, Action<byte[]> library, bool keepExpired = false) : IRdbSink
{
    public void Library(byte[] code) => library(code);

    private readonly long _nowMs = Clock.NowMs;

    public long Loaded { get; private set; }
    public long Expired { get; private set; }

    /// <summary>Called every 64 keys read (<see cref="DatasetLoading"/>).</summary>
    public Action? Progress { get; set; }

    /// <summary>
    /// key-load-delay: microseconds to wait before each key, to make a load slow on purpose (tests), as Redis's debugDelay;
    /// rounded up to whole milliseconds, what a thread's sleep takes.
    /// </summary>
    public long KeyLoadDelayMicros { get; init; }

    private long _read;

    public void Entry(int db, byte[] key, object value, long? expireAtUnixMs)
    {
        if (KeyLoadDelayMicros > 0) { Thread.Sleep((int)Math.Min((KeyLoadDelayMicros + 999) / 1000, int.MaxValue)); }
        if ((++_read & 63) == 0) { Progress?.Invoke(); }
        if (db >= keyspace.Databases.Length)
        {
            throw new InvalidDataException($"the file holds database {db}, and this server has {keyspace.Databases.Length} (--databases)");
        }
        if (expireAtUnixMs <= _nowMs && !keepExpired)
        {
            Expired++;
            return;
        }
        var database = keyspace.Databases[db];
        database.Load(key, value);
        if (expireAtUnixMs is { } deadline) { database.SetExpireAt(key, deadline); }
        Loaded++;
    }
}
