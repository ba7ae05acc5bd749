namespace Loop.Samples.Redis.Store;

/// <summary>
/// One of the numbered databases: keys to values, keys to expiry deadlines, and the sessions watching
/// keys. Keys and deadlines live in one partition per keyspace stripe (see <see cref="KeyspaceLock"/>): a caller
/// holds the stripe of every key it touches (shared), or the whole keyspace (exclusive) for everything else here.
/// Expired keys are removed when touched and by the active cycle.
/// </summary>
internal sealed partial class Database
{
    private readonly Partition[] _partitions = Enumerable.Range(0, KeyspaceLock.StripeCount).Select(_ => new Partition()).ToArray();
    public Database(int index)
    {
        Index = index;
        _watchersBySpan = _watchers.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Index { get; }

    /// <summary>Keys held, including expired ones not yet collected (as DBSIZE counts). Exclusive.</summary>
    public int Count => _partitions.Sum(p => p.Data.Count);

    /// <summary>Keys with a deadline. Exclusive.</summary>
    public int ExpiresCount => _partitions.Sum(p => p.Expires.Count);

    /// <summary>Every key. Exclusive.</summary>
    public IEnumerable<byte[]> Keys => _partitions.SelectMany(p => p.Data.Keys);

    /// <summary>The live value of <paramref name="key"/>, or null (an expired key is deleted and counted here).</summary>
    public object? Get(ReadOnlySpan<byte> key)
    {
        var partition = PartitionOf(key);
        if (!partition.DataBySpan.TryGetValue(key, out var value)) { return null; }
        if (partition.Expires.Count > 0 && partition.ExpiresBySpan.TryGetValue(key, out var deadline) && deadline <= Clock.NowMs)
        {
            Remove(key);
            partition.ExpiredKeys++;
            return null;
        }
        return value;
    }

    /// <summary>Keys deleted because their TTL passed, lazily or by the active cycle. Exclusive.</summary>
    public long ExpiredKeys => _partitions.Sum(p => p.ExpiredKeys);

    /// <summary>CONFIG RESETSTAT.</summary>
    public void ResetExpiredKeys()
    {
        foreach (var partition in _partitions) { partition.ExpiredKeys = 0; }
    }

    /// <summary>Stores <paramref name="value"/>; the key's TTL is cleared unless <paramref name="keepTtl"/>.</summary>
    public void Set(ReadOnlySpan<byte> key, object value, bool keepTtl = false)
    {
        var partition = PartitionOf(key);
        partition.DataBySpan[key] = value;
        if (!keepTtl && partition.Expires.Count > 0) { partition.ExpiresBySpan.Remove(key); }
        Touch(key);
    }

    /// <summary>SET's fast path: overwrites a string of the same length in place, so steady-state SETs allocate nothing.</summary>
    public void SetString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var partition = PartitionOf(key);
        if (partition.DataBySpan.TryGetValue(key, out var existing) && existing is byte[] bytes && bytes.Length == value.Length)
        {
            value.CopyTo(bytes);
            if (partition.Expires.Count > 0) { partition.ExpiresBySpan.Remove(key); }
            Touch(key);
            return;
        }
        Set(key, value.ToArray());
    }

    public bool Remove(ReadOnlySpan<byte> key)
    {
        var partition = PartitionOf(key);
        if (!partition.DataBySpan.Remove(key)) { return false; }
        if (partition.Expires.Count > 0) { partition.ExpiresBySpan.Remove(key); }
        Touch(key);
        return true;
    }

    /// <summary>After an in-place change: an emptied collection's key is deleted, as in Redis; otherwise watchers learn of the change.</summary>
    public void Changed(ReadOnlySpan<byte> key, IRedisCollection collection)
    {
        if (collection.IsEmpty) { Remove(key); } else { Touch(key); }
    }

    /// <summary>The <typeparamref name="T"/> at <paramref name="key"/>, stored new when absent; null when the key holds another type.</summary>
    public T? GetOrCreate<T>(ReadOnlySpan<byte> key) where T : class, IRedisCollection, new()
    {
        var value = Get(key);
        if (value is null) { Set(key, value = new T()); }
        return value as T;
    }

    /// <summary>The Unix-ms deadline of a live key, or null when it has none.</summary>
    public long? ExpireAt(ReadOnlySpan<byte> key) => PartitionOf(key).ExpiresBySpan.TryGetValue(key, out var deadline) ? deadline : null;

    /// <summary>Sets a deadline on an existing key; a deadline in the past deletes it.</summary>
    public void SetExpireAt(ReadOnlySpan<byte> key, long unixMs)
    {
        if (unixMs <= Clock.NowMs)
        {
            Remove(key);
            return;
        }
        PartitionOf(key).ExpiresBySpan[key] = unixMs;
        Touch(key);
    }

    public bool Persist(ReadOnlySpan<byte> key)
    {
        if (!PartitionOf(key).ExpiresBySpan.Remove(key)) { return false; }
        Touch(key);
        return true;
    }

    /// <summary>FLUSHDB. Exclusive.</summary>
    public void Clear()
    {
        foreach (var partition in _partitions)
        {
            partition.Data.Clear();
            partition.Expires.Clear();
        }
        TouchAll();
    }

    /// <summary>A live key picked at random, or null when empty. Exclusive.</summary>
    public byte[]? RandomKey()
    {
        for (var attempt = 0; attempt < 100 && Count > 0; attempt++)
        {
            var partition = _partitions[Random.Shared.Next(_partitions.Length)];
            if (partition.Data.Count == 0) { continue; }
            var key = partition.Data.Keys.ElementAt(Random.Shared.Next(partition.Data.Count));
            if (Get(key) is not null) { return key; }
        }
        return null;
    }

    /// <summary>
    /// Redis's active expiry: samples keys with a deadline and deletes the expired ones, again while more
    /// than a quarter of a sample had expired. Returns how many were deleted.
    /// </summary>
    public int ExpireSample(int sampleSize)
    {
        var deleted = 0;
        foreach (var partition in _partitions)
        {
            var expires = partition.Expires;
            for (var round = 0; round < 16 && expires.Count > 0; round++)
            {
                var now = Clock.NowMs;
                var expired = new List<byte[]>();
                var start = Random.Shared.Next(expires.Count);
                foreach (var (key, deadline) in expires.Skip(start).Concat(expires.Take(start)).Take(sampleSize))
                {
                    if (deadline <= now) { expired.Add(key); }
                }
                foreach (var key in expired) { Remove(key); }
                partition.ExpiredKeys += expired.Count;
                deleted += expired.Count;
                if (expired.Count * 4 <= sampleSize) { break; }
            }
        }
        return deleted;
    }

    private Partition PartitionOf(ReadOnlySpan<byte> key) => _partitions[KeyspaceLock.StripeOf(key)];

    /// <summary>This database's keys in one stripe: touched only by the holder of that stripe.</summary>
    private sealed class Partition
    {
        public readonly Dictionary<byte[], object> Data = new(ByteArrayComparer.Instance);
        public readonly Dictionary<byte[], long> Expires = new(ByteArrayComparer.Instance);
        public readonly Dictionary<byte[], object>.AlternateLookup<ReadOnlySpan<byte>> DataBySpan;
        public readonly Dictionary<byte[], long>.AlternateLookup<ReadOnlySpan<byte>> ExpiresBySpan;
        public long ExpiredKeys;

        public Partition()
        {
            DataBySpan = Data.GetAlternateLookup<ReadOnlySpan<byte>>();
            ExpiresBySpan = Expires.GetAlternateLookup<ReadOnlySpan<byte>>();
        }
    }
}
