namespace Loop.Samples.Redis.Store;

/// <summary>
/// A sorted set: members find their node by content in a dictionary; the nodes are ordered by (score, member)
/// in a <see cref="SkipList"/> for ranks and ranges, and sit in scan slots for ZSCAN (see <see cref="ScanSlots"/>).
/// </summary>
internal sealed class RedisSortedSet : IRedisCollection
{
    private readonly Dictionary<byte[], SkipListNode> _nodes = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], SkipListNode>.AlternateLookup<ReadOnlySpan<byte>> _nodesBySpan;
    private readonly List<SkipListNode> _slots = [];

    public RedisSortedSet() => _nodesBySpan = _nodes.GetAlternateLookup<ReadOnlySpan<byte>>();

    public string TypeName => "zset";

    public bool IsEmpty => _slots.Count == 0;

    public int Count => _slots.Count;

    /// <summary>The members in order, for ranks and ranges.</summary>
    public SkipList Order { get; } = new();

    /// <summary>The most members it has held: with <see cref="PeakLength"/>, what Redis's encoding would be (<see cref="ObjectEncoding"/>).</summary>
    public int PeakCount { get; private set; }

    /// <summary>The longest member ever added.</summary>
    public int PeakLength { get; private set; }

    /// <summary>Redis would hold it as a skiplist whatever its size: SORT converts a sorted set so, for good.</summary>
    public bool ForcedSkipList { get; set; }

    public SkipListNode? Find(ReadOnlySpan<byte> member) => _nodesBySpan.TryGetValue(member, out var node) ? node : null;

    /// <summary>Adds <paramref name="member"/> (copied) with <paramref name="score"/>, or moves it to that score.</summary>
    public void Set(ReadOnlySpan<byte> member, double score)
    {
        if (Find(member) is { } node) { Order.UpdateScore(node, score); } else { Add(member.ToArray(), score); }
    }

    /// <summary>Adds <paramref name="member"/> itself (not copied); false, changing nothing, when it is already there.</summary>
    public bool TryAdd(byte[] member, double score)
    {
        if (Find(member) is not null) { return false; }
        Add(member, score);
        return true;
    }

    /// <summary>
    /// What a listpack does to a score of -0 written into it (keeps it as the integer 0), when Redis would hold this set
    /// in one now; a skiplist keeps -0.
    /// </summary>
    public void KeepZeroAsListpack(SkipListNode node, EncodingThresholds limits)
    {
        if (node.Score == 0 && double.IsNegative(node.Score) && ObjectEncoding.Of(this, limits) == "listpack") { node.Score = 0.0; }
    }

    /// <summary>The same for a whole set written at once (a STORE's result, turned into a listpack when small enough).</summary>
    public void KeepZerosAsListpack(EncodingThresholds limits)
    {
        foreach (var node in _slots) { KeepZeroAsListpack(node, limits); }
    }

    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (Find(member) is not { } node) { return false; }
        Remove(node);
        return true;
    }

    public void Remove(SkipListNode node)
    {
        _nodes.Remove(node.Member);
        Order.Delete(node);
        var last = _slots[^1];
        _slots.RemoveAt(_slots.Count - 1);
        if (node != last)
        {
            _slots[node.Slot] = last;
            last.Slot = node.Slot;
        }
    }

    /// <summary>Removes up to <paramref name="count"/> members from the lowest end, or the highest; returns them in that order.</summary>
    public List<SkipListNode> Pop(bool highest, long count)
    {
        var popped = SkipList.Walk(highest ? Order.Last : Order.First, highest).Take((int)Math.Min(count, Count)).ToList();
        foreach (var node in popped) { Remove(node); }
        return popped;
    }

    public SkipListNode RandomNode() => _slots[Random.Shared.Next(_slots.Count)];

    /// <summary><paramref name="count"/> distinct members at random (count at most <see cref="Count"/>).</summary>
    public List<SkipListNode> RandomNodes(int count) => ScanSlots.RandomDistinct(_slots.Count, count).Select(slot => _slots[slot]).ToList();

    /// <summary>Adds members from <paramref name="cursor"/> on to <paramref name="found"/>; returns the next cursor (see <see cref="ScanSlots"/>).</summary>
    public ulong Scan(ulong cursor, int count, List<SkipListNode> found)
    {
        // Small sorted sets come whole and in order, as Redis's listpack encoding gives them.
        if (_slots.Count > ScanSlots.SmallCollection) { return ScanSlots.Scan(_slots, cursor, count, found); }
        found.AddRange(SkipList.Walk(Order.First, reverse: false));
        return 0;
    }

    /// <summary>A copy with the same members and the same encoding, as Redis's COPY duplicates it.</summary>
    public IRedisCollection Clone()
    {
        var copy = new RedisSortedSet();
        foreach (var node in SkipList.Walk(Order.First, reverse: false)) { copy.Add(node.Member, node.Score); }
        (copy.PeakCount, copy.PeakLength, copy.ForcedSkipList) = (PeakCount, PeakLength, ForcedSkipList);
        return copy;
    }

    // Members are never modified, so copies may share them.
    private void Add(byte[] member, double score)
    {
        var node = Order.Insert(member, score);
        node.Slot = _slots.Count;
        _nodes.Add(member, node);
        _slots.Add(node);
        PeakCount = Math.Max(PeakCount, _slots.Count);
        PeakLength = Math.Max(PeakLength, member.Length);
    }
}
