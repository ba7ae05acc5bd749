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
        for (var i = 0; i < databases; i++) { Databases[i] = new Database(i, Events, Tracking); }
    }

    /// <summary>Keyspace notifications, shared by every database.</summary>
    public KeyspaceEvents Events { get; } = new();

    /// <summary>Which clients cache which keys (CLIENT TRACKING), shared by every database: its keys name no database, as in Redis.</summary>
    public KeyTracking Tracking { get; } = new();

    public Database[] Databases { get; }

    public KeyspaceLock Lock { get; } = new();

    private ICommandLog? _log, _replicationLog;

    /// <summary>The append-only file's log, or null. Set exclusive.</summary>
    public ICommandLog? Log
    {
        get => _log;
        set
        {
            _log = value;
            LogTo();
        }
    }

    /// <summary>The replication stream, or null until a replica first synced. Set exclusive.</summary>
    public ICommandLog? ReplicationLog
    {
        get => _replicationLog;
        set
        {
            _replicationLog = value;
            LogTo();
        }
    }

    // Every database logs its changes to the file, the replicas, both or neither.
    private void LogTo()
    {
        var log = _log is null ? _replicationLog : _replicationLog is null ? _log : new CommandLogPair(_log, _replicationLog);
        foreach (var db in Databases) { db.Log = log; }
    }

    /// <summary>See <see cref="Database.ExpiryPaused"/>. Set exclusive.</summary>
    public bool ExpiryPaused
    {
        set { foreach (var db in Databases) { db.ExpiryPaused = value; } }
    }

    /// <summary>See <see cref="Database.ExpiryDeferred"/>.</summary>
    public Func<bool> ExpiryDeferred
    {
        set { foreach (var db in Databases) { db.ExpiryDeferred = value; } }
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
