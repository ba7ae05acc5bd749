namespace Loop.Samples.Redis.Store;

/// <summary>
/// A Redis hash. Field/value pairs sit in slots of a list (what HRANDFIELD picks from and HSCAN walks; see
/// <see cref="ScanSlots"/>) and a dictionary finds a field's slot from the received bytes without copying them.
/// </summary>
internal sealed class RedisHash : IRedisCollection
{
    private readonly Dictionary<byte[], int> _slots;
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _slotsBySpan;
    private readonly List<KeyValuePair<byte[], byte[]>> _pairs;

    public RedisHash() : this(new Dictionary<byte[], int>(ByteArrayComparer.Instance), [])
    {
    }

    private RedisHash(Dictionary<byte[], int> slots, List<KeyValuePair<byte[], byte[]>> pairs)
    {
        _slots = slots;
        _slotsBySpan = slots.GetAlternateLookup<ReadOnlySpan<byte>>();
        _pairs = pairs;
    }

    public string TypeName => "hash";

    public bool IsEmpty => _pairs.Count == 0;

    public int Count => _pairs.Count;

    /// <summary>Every field and value, in slot order.</summary>
    public IReadOnlyList<KeyValuePair<byte[], byte[]>> Pairs => _pairs;

    /// <summary>The most fields it has held: with <see cref="PeakLength"/>, what Redis's encoding would be (<see cref="ObjectEncoding"/>).</summary>
    public int PeakCount { get; private set; }

    /// <summary>The longest field or value ever set.</summary>
    public int PeakLength { get; private set; }

    public byte[]? Get(ReadOnlySpan<byte> field) => _slotsBySpan.TryGetValue(field, out var slot) ? _pairs[slot].Value : null;

    public bool Contains(ReadOnlySpan<byte> field) => _slotsBySpan.ContainsKey(field);

    /// <summary>Sets a field to <paramref name="value"/> (kept, not copied: values are never modified); true when the field is new.</summary>
    public bool Set(ReadOnlySpan<byte> field, byte[] value)
    {
        PeakLength = Math.Max(PeakLength, Math.Max(field.Length, value.Length));
        if (_slotsBySpan.TryGetValue(field, out var slot))
        {
            _pairs[slot] = new(_pairs[slot].Key, value);
            return false;
        }
        Append(field.ToArray(), value);
        return true;
    }

    /// <summary>Adds a new field, both arrays kept (not copied); false, changing nothing, when the field is already there.</summary>
    public bool TryAdd(byte[] field, byte[] value)
    {
        if (Contains(field)) { return false; }
        PeakLength = Math.Max(PeakLength, Math.Max(field.Length, value.Length));
        Append(field, value);
        return true;
    }

    /// <summary>Removes a field, moving the last pair into its slot (a small hash shifts the later pairs down instead).</summary>
    public bool Remove(ReadOnlySpan<byte> field)
    {
        if (!_slotsBySpan.Remove(field, out _, out var slot)) { return false; }
        if (_pairs.Count <= ScanSlots.SmallCollection)
        {
            // Small hashes keep insertion order, as Redis's listpack encoding does (HGETALL answers alike).
            _pairs.RemoveAt(slot);
            for (var i = slot; i < _pairs.Count; i++) { _slots[_pairs[i].Key] = i; }
            return true;
        }
        var last = _pairs[^1];
        _pairs.RemoveAt(_pairs.Count - 1);
        if (slot < _pairs.Count)
        {
            _pairs[slot] = last;
            _slots[last.Key] = slot;
        }
        return true;
    }

    public KeyValuePair<byte[], byte[]> RandomPair() => _pairs[Random.Shared.Next(_pairs.Count)];

    /// <summary><paramref name="count"/> distinct pairs at random (count at most <see cref="Count"/>).</summary>
    public List<KeyValuePair<byte[], byte[]>> RandomPairs(int count) => ScanSlots.RandomDistinct(_pairs.Count, count).Select(slot => _pairs[slot]).ToList();

    /// <summary>Adds the pairs from <paramref name="cursor"/> on to <paramref name="found"/>; returns the next cursor.</summary>
    public ulong Scan(ulong cursor, int count, List<KeyValuePair<byte[], byte[]>> found) => ScanSlots.Scan(_pairs, cursor, count, found);

    /// <summary>A copy with the same pairs and the same encoding, as Redis's COPY duplicates it.</summary>
    public IRedisCollection Clone() => new RedisHash(new Dictionary<byte[], int>(_slots, ByteArrayComparer.Instance), [.. _pairs])
    {
        PeakCount = PeakCount,
        PeakLength = PeakLength,
    };

    private void Append(byte[] field, byte[] value)
    {
        _slots.Add(field, _pairs.Count);
        _pairs.Add(new(field, value));
        PeakCount = Math.Max(PeakCount, _pairs.Count);
    }
}
