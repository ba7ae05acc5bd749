namespace Loop.Samples.Redis.Store;

/// <summary>
/// Every database, shared by all loops. Commands run while holding this object's lock, which makes each
/// one atomic and the whole keyspace linearizable whichever loop a client landed on (see
/// docs/architecture.md for why one lock rather than shards).
/// </summary>
internal sealed class Keyspace
{
    public Keyspace(int databases)
    {
        Databases = new Database[databases];
        for (var i = 0; i < databases; i++) { Databases[i] = new Database(i, this); }
    }

    public Database[] Databases { get; }

    /// <summary>Keys deleted because their TTL passed (lazily or by the active cycle).</summary>
    public long ExpiredKeys { get; set; }
}
