namespace Loop.Samples.Redis.Store;

/// <summary>
/// One of the numbered databases: keys to values, keys to expiry deadlines, and the sessions watching
/// keys. Callers hold the keyspace lock. Expired keys are removed when touched and by the active cycle.
/// </summary>
internal sealed partial class Database
{
    private readonly Dictionary<byte[], object> _data = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], object>.AlternateLookup<ReadOnlySpan<byte>> _dataBySpan;
    private readonly Dictionary<byte[], long> _expires = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], long>.AlternateLookup<ReadOnlySpan<byte>> _expiresBySpan;
    private readonly Keyspace _keyspace;

    public Database(int index, Keyspace keyspace)
    {
        Index = index;
        _keyspace = keyspace;
        _dataBySpan = _data.GetAlternateLookup<ReadOnlySpan<byte>>();
        _expiresBySpan = _expires.GetAlternateLookup<ReadOnlySpan<byte>>();
        _watchersBySpan = _watchers.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Index { get; }

    /// <summary>Keys held, including expired ones not yet collected (as DBSIZE counts).</summary>
    public int Count => _data.Count;

    public int ExpiresCount => _expires.Count;

    public IEnumerable<byte[]> Keys => _data.Keys;

    /// <summary>The live value of <paramref name="key"/>, or null (an expired key is deleted and counted here).</summary>
    public object? Get(ReadOnlySpan<byte> key)
    {
        if (!_dataBySpan.TryGetValue(key, out var value)) { return null; }
        if (_expires.Count > 0 && _expiresBySpan.TryGetValue(key, out var deadline) && deadline <= Clock.NowMs)
        {
            Remove(key);
            _keyspace.ExpiredKeys++;
            return null;
        }
        return value;
    }

    /// <summary>Stores <paramref name="value"/>; the key's TTL is cleared unless <paramref name="keepTtl"/>.</summary>
    public void Set(ReadOnlySpan<byte> key, object value, bool keepTtl = false)
    {
        _dataBySpan[key] = value;
        if (!keepTtl && _expires.Count > 0) { _expiresBySpan.Remove(key); }
        Touch(key);
    }

    /// <summary>SET's fast path: overwrites a string of the same length in place, so steady-state SETs allocate nothing.</summary>
    public void SetString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (_dataBySpan.TryGetValue(key, out var existing) && existing is byte[] bytes && bytes.Length == value.Length)
        {
            value.CopyTo(bytes);
            if (_expires.Count > 0) { _expiresBySpan.Remove(key); }
            Touch(key);
            return;
        }
        Set(key, value.ToArray());
    }

    public bool Remove(ReadOnlySpan<byte> key)
    {
        if (!_dataBySpan.Remove(key)) { return false; }
        if (_expires.Count > 0) { _expiresBySpan.Remove(key); }
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
    public long? ExpireAt(ReadOnlySpan<byte> key) => _expiresBySpan.TryGetValue(key, out var deadline) ? deadline : null;

    /// <summary>Sets a deadline on an existing key; a deadline in the past deletes it.</summary>
    public void SetExpireAt(ReadOnlySpan<byte> key, long unixMs)
    {
        if (unixMs <= Clock.NowMs)
        {
            Remove(key);
            return;
        }
        _expiresBySpan[key] = unixMs;
        Touch(key);
    }

    public bool Persist(ReadOnlySpan<byte> key)
    {
        if (!_expiresBySpan.Remove(key)) { return false; }
        Touch(key);
        return true;
    }

    public void Clear()
    {
        _data.Clear();
        _expires.Clear();
        TouchAll();
    }

    /// <summary>A live key picked at random, or null when empty.</summary>
    public byte[]? RandomKey()
    {
        for (var attempt = 0; attempt < 100 && _data.Count > 0; attempt++)
        {
            var key = _data.Keys.ElementAt(Random.Shared.Next(_data.Count));
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
        for (var round = 0; round < 16 && _expires.Count > 0; round++)
        {
            var now = Clock.NowMs;
            var expired = new List<byte[]>();
            var start = Random.Shared.Next(_expires.Count);
            foreach (var (key, deadline) in _expires.Skip(start).Concat(_expires.Take(start)).Take(sampleSize))
            {
                if (deadline <= now) { expired.Add(key); }
            }
            foreach (var key in expired) { Remove(key); }
            deleted += expired.Count;
            if (expired.Count * 4 <= sampleSize) { break; }
        }
        return deleted;
    }
}
