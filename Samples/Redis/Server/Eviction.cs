using Loop.Samples.Redis.Store;
using Microsoft.Extensions.Logging;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// maxmemory: before each command, while used memory (<see cref="MemoryGauge"/>) is over the limit, keys are evicted by
/// maxmemory-policy until it is not, as Redis's performEvictions does in processCommand; the session refuses a command
/// that may grow memory when that fails. With maxmemory 0 (the default) a command reads <see cref="MaxMemory"/> only.
/// </summary>
internal sealed class Eviction
{
    /// <summary>Redis's shared.oomerr.</summary>
    public const string OutOfMemoryError = "OOM command not allowed when used memory > 'maxmemory'.";

    private readonly RedisServer _server;
    private readonly EvictionPool _pool = new();
    private long _maxMemory;
    private volatile EvictionPolicy _policy;
    private volatile int _samples;
    private long _evictedKeys;

    public Eviction(RedisServer server)
    {
        _server = server;
        Gauge = new MemoryGauge(server.WrittenBytes);
        Configure();
        server.Config.Changed += name =>
        {
            if (name is "maxmemory" or "maxmemory-policy" or "maxmemory-samples") { Configure(); }
            if (name == "maxmemory" && MaxMemory > 0) { EvictToNewLimit(); }
        };
    }

    public MemoryGauge Gauge { get; }

    /// <summary>The limit in bytes; 0 for none.</summary>
    public long MaxMemory => Volatile.Read(ref _maxMemory);

    public EvictionPolicy Policy => _policy;

    /// <summary>INFO's evicted_keys.</summary>
    public long EvictedKeys => Interlocked.Read(ref _evictedKeys);

    /// <summary>Whether used memory is over maxmemory (set).</summary>
    public bool OverLimit => MaxMemory is > 0 and var limit && Gauge.Used > limit;

    /// <summary>CONFIG RESETSTAT.</summary>
    public void ResetStatistics() => Interlocked.Exchange(ref _evictedKeys, 0);

    /// <summary>
    /// Redis's performEvictions: evicts keys the policy allows, best candidate first, until used memory is under
    /// maxmemory; false when it is still over (noeviction, or nothing left to evict). Exclusive.
    /// </summary>
    public bool MakeRoom()
    {
        var limit = MaxMemory;
        if (limit == 0) { return true; }
        var policy = _policy;
        var used = Gauge.Used;
        while (used > limit)
        {
            if (policy == EvictionPolicy.NoEviction || NextVictim(policy) is not ({ } db, { } key)) { return false; }
            if (db.Evict(key) is not { } value) { continue; }
            var bytes = EstimatedBytes(key, value);
            Gauge.Released(value, bytes);
            used -= bytes;
            Interlocked.Increment(ref _evictedKeys);
        }
        return true;
    }

    // Redis's choice: the random policies take a random key of the databases in turn; the others sample every database
    // into the pool and take its best, whose key may have gone since it was sampled (then the next).
    private (Database?, byte[]?) NextVictim(EvictionPolicy policy)
    {
        var databases = _server.Keyspace.Databases;
        if (policy.IsRandom())
        {
            var start = Random.Shared.Next(databases.Length);
            for (var i = 0; i < databases.Length; i++)
            {
                var db = databases[(start + i) % databases.Length];
                if (db.RandomEvictable(policy) is { } key) { return (db, key); }
            }
            return (null, null);
        }
        foreach (var db in databases) { db.SampleForEviction(policy, _samples, _pool); }
        while (_pool.TryTakeBest(out var candidate, out var index))
        {
            var db = databases[index];
            if (db.Peek(candidate) is not null && (!policy.VolatileOnly() || db.ExpireAt(candidate) is not null)) { return (db, candidate); }
        }
        return (null, null);
    }

    // What the heap holds for a key: its array, its entry in the table and its value (a string's array; a flat guess for a
    // collection, whose true size the gauge learns from the collector).
    private static long EstimatedBytes(byte[] key, object value) =>
        24 + key.Length + 36 + (value is byte[] bytes ? 24 + bytes.Length : 64);

    // CONFIG SET maxmemory under what is used: keys are evicted at once, as Redis's updateMaxmemory does.
    private void EvictToNewLimit()
    {
        if (Gauge.Used is var used && used <= MaxMemory) { return; }
        _server.Log.LogWarning("WARNING: the new maxmemory value set via CONFIG SET ({MaxMemory}) is smaller than the current memory usage ({Used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.",
            MaxMemory, used);
        using (_server.Keyspace.Lock.Exclusive()) { MakeRoom(); }
    }

    private void Configure()
    {
        var config = _server.Config;
        _policy = EvictionPolicies.Parse(config.Get("maxmemory-policy"));
        _samples = (int)Math.Min(config.GetNumber("maxmemory-samples"), int.MaxValue);
        foreach (var db in _server.Keyspace.Databases) { db.CountsFrequency = _policy.CountsFrequency(); }
        Volatile.Write(ref _maxMemory, config.GetNumber("maxmemory"));
    }
}
