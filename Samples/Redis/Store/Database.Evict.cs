namespace Loop.Samples.Redis.Store;

// Eviction's side of a database: sampling candidates and deleting the chosen key, as Redis's evict.c does. Exclusive.
internal sealed partial class Database
{
    /// <summary>
    /// Redis's evictionPoolPopulate: offers <paramref name="samples"/> keys at random to <paramref name="pool"/>, scored by
    /// <paramref name="policy"/> (idle time, access frequency, nearness of the deadline). Volatile policies sample the keys
    /// with a TTL.
    /// </summary>
    public void SampleForEviction(EvictionPolicy policy, int samples, EvictionPool pool)
    {
        var volatileOnly = policy.VolatileOnly();
        for (var i = 0; i < samples; i++)
        {
            if (RandomPartition(volatileOnly) is not { } partition) { return; }
            var slot = volatileOnly ? partition.Expires.RandomSlot() : partition.Data.RandomSlot();
            var key = volatileOnly ? partition.Expires.KeyAt(slot) : partition.Data.KeyAt(slot);
            long score;
            if (policy == EvictionPolicy.VolatileTtl)
            {
                score = long.MaxValue - partition.Expires.ValueAt(slot);
            }
            else
            {
                var dataSlot = volatileOnly ? partition.Data.SlotOf(key) : slot;
                if (dataSlot < 0) { continue; }
                score = KeyAccess.EvictionScore(partition.Data.AccessAt(dataSlot), CountsFrequency);
            }
            pool.Offer(score, key, Index);
        }
    }

    /// <summary>A key that <paramref name="policy"/> allows to go, picked at random (the random policies), or null when none.</summary>
    public byte[]? RandomEvictable(EvictionPolicy policy)
    {
        var volatileOnly = policy.VolatileOnly();
        if (RandomPartition(volatileOnly) is not { } partition) { return null; }
        return volatileOnly ? partition.Expires.KeyAt(partition.Expires.RandomSlot()) : partition.Data.KeyAt(partition.Data.RandomSlot());
    }

    /// <summary>
    /// Deletes <paramref name="key"/> for eviction as Redis does: logged as a DEL (the append-only file, the replicas),
    /// watchers told, notified as <c>evicted</c>. Returns the value it held, or null when the key is gone already.
    /// </summary>
    public object? Evict(byte[] key)
    {
        if (Peek(key) is not { } value) { return null; }
        Log?.Append(Index, DelCommand, key);
        Remove(key);
        Notify(EventClass.Evicted, "evicted"u8, key);
        return value;
    }

    // A partition with keys (with a TTL: volatileOnly), from a random one on; null when the database has none.
    private Partition? RandomPartition(bool volatileOnly)
    {
        var start = Random.Shared.Next(_partitions.Length);
        for (var i = 0; i < _partitions.Length; i++)
        {
            var partition = _partitions[(start + i) % _partitions.Length];
            if ((volatileOnly ? partition.Expires.Count : partition.Data.Count) > 0) { return partition; }
        }
        return null;
    }
}
