namespace Loop.Samples.Redis.Store;

/// <summary>
/// Every database, shared by all loops through <see cref="Lock"/>: a single-key command holds its key's stripe,
/// anything else the whole keyspace (see docs/architecture.md for why this design).
/// </summary>
internal sealed class Keyspace
{
    public Keyspace(int databases)
    {
        Databases = new Database[databases];
        for (var i = 0; i < databases; i++) { Databases[i] = new Database(i, Events); }
    }

    /// <summary>Keyspace notifications, shared by every database.</summary>
    public KeyspaceEvents Events { get; } = new();

    public Database[] Databases { get; }

    public KeyspaceLock Lock { get; } = new();

    /// <summary>Where every database logs its changes (the append-only file), or null. Set exclusive.</summary>
    public ICommandLog? Log
    {
        get => Databases[0].Log;
        set { foreach (var db in Databases) { db.Log = value; } }
    }

    /// <summary>See <see cref="Database.ExpiryPaused"/>. Set exclusive.</summary>
    public bool ExpiryPaused
    {
        set { foreach (var db in Databases) { db.ExpiryPaused = value; } }
    }

    /// <summary>Keys deleted because their TTL passed (lazily or by the active cycle). Exclusive.</summary>
    public long ExpiredKeys => Databases.Sum(db => db.ExpiredKeys);

    /// <summary>SWAPDB: databases <paramref name="first"/> and <paramref name="second"/> exchange their keys (see <see cref="Database.SwapWith"/>). Exclusive.</summary>
    public void Swap(int first, int second) => Databases[first].SwapWith(Databases[second]);

    /// <summary>Serves the clients blocked on keys that changed, in every database. Exclusive.</summary>
    public void ServeBlocked()
    {
        foreach (var db in Databases) { db.ServeBlocked(); }
    }

    /// <summary>CONFIG RESETSTAT. Exclusive.</summary>
    public void ResetExpiredKeys()
    {
        foreach (var db in Databases) { db.ResetExpiredKeys(); }
    }
}
