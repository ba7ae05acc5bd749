namespace Loop.Samples.Redis.Store;

/// <summary>
/// A Redis stream: entries in ID order, kept in nodes as Redis keeps them in listpacks (see <see cref="StreamNode"/>),
/// so a node fills, splits and is trimmed whole exactly where Redis's would be. Appending is O(1) amortised, a range
/// read seeks its start in O(log n) (binary search over nodes, then within one), trimming from the front drops whole
/// nodes and only marks entries inside the last one. Redis 7's metadata is kept as it keeps it: the last generated ID,
/// how many entries were ever added, the highest deleted ID and the first live entry's ID. Unlike other types, an
/// emptied stream stays.
/// </summary>
internal sealed partial class RedisStream : IRedisCollection
{
    // A queue of nodes: the live ones are from _head on, so dropping the first node costs O(1) amortised.
    private readonly List<StreamNode> _nodes;
    private int _head;

    public RedisStream() => _nodes = [];

    private RedisStream(RedisStream other)
    {
        _nodes = [.. other.Nodes.Select(node => node.Clone())];
        Length = other.Length;
        LastId = other.LastId;
        FirstId = other.FirstId;
        MaxDeletedId = other.MaxDeletedId;
        EntriesAdded = other.EntriesAdded;
        foreach (var group in other.Groups.Values) { Groups.Add(group.Name, group.Clone()); }
    }

    public string TypeName => "stream";

    /// <summary>Never: Redis keeps an emptied stream (its last ID and groups still matter).</summary>
    public bool IsEmpty => false;

    /// <summary>Live entries.</summary>
    public long Length { get; private set; }

    /// <summary>The last ID generated or given (last-generated-id): new entries must be above it.</summary>
    public StreamId LastId { get; set; }

    /// <summary>The first live entry's ID, 0-0 when empty (recorded-first-entry-id).</summary>
    public StreamId FirstId { get; private set; }

    /// <summary>The highest ID ever deleted by XDEL (max-deleted-entry-id).</summary>
    public StreamId MaxDeletedId { get; set; }

    /// <summary>Entries ever added (entries-added).</summary>
    public long EntriesAdded { get; set; }

    /// <summary>Consumer groups by name, in Redis's order.</summary>
    public SortedDictionary<byte[], StreamGroup> Groups { get; } = new(ByteArrayComparer.Instance);

    public IReadOnlyList<StreamNode> Nodes => _head == 0 ? _nodes : _nodes.GetRange(_head, NodeCount);

    public int NodeCount => _nodes.Count - _head;

    public IRedisCollection Clone() => new RedisStream(this);

    public StreamGroup? Group(ReadOnlySpan<byte> name) => Groups.GetValueOrDefault(name.ToArray());

    /// <summary>
    /// Appends an entry with ID <paramref name="id"/> (above <see cref="LastId"/>; the caller checked) and its
    /// alternating fields and values, in a new node when the last one is full by Redis's rules.
    /// </summary>
    public void Append(StreamId id, byte[][] pairs, StreamNodeLimits limits)
    {
        var tail = NodeCount > 0 ? _nodes[^1] : null;
        long elementBytes = 0;
        foreach (var element in pairs) { elementBytes += element.Length; }
        if (tail is null || tail.Bytes + elementBytes >= limits.Bytes || (limits.MaxEntries > 0 && tail.Live + tail.Deleted >= limits.MaxEntries))
        {
            var fields = new byte[pairs.Length / 2][];
            for (var i = 0; i < fields.Length; i++) { fields[i] = pairs[i * 2]; }
            _nodes.Add(tail = new StreamNode(id, fields));
        }
        tail.Append(id, pairs);
        Length++;
        EntriesAdded++;
        LastId = id;
        if (Length == 1) { FirstId = id; }
    }

    /// <summary>Adds a node as a file holds it (loading), counting its live entries.</summary>
    public void AddNode(StreamNode node)
    {
        _nodes.Add(node);
        Length += node.Live;
    }

    /// <summary>After loading a file that does not record them (RDB type 15): the metadata Redis 7 derives.</summary>
    public void SetLoadedMetadata(StreamId firstId, StreamId maxDeletedId, long entriesAdded)
    {
        FirstId = firstId;
        MaxDeletedId = maxDeletedId;
        EntriesAdded = entriesAdded;
    }

    /// <summary>The first live entry's ID as Redis finds it (streamGetEdgeID), or null when empty.</summary>
    public StreamId? FirstLiveId => First(forward: true)?.Id;

    /// <summary>The last live entry's ID (streamLastValidID), or null when empty.</summary>
    public StreamId? LastLiveId => First(forward: false)?.Id;

    private StreamEntry? First(bool forward)
    {
        foreach (var entry in Range(StreamId.Zero, StreamId.Max, reverse: !forward)) { return entry; }
        return null;
    }

    /// <summary>The live entries from <paramref name="start"/> to <paramref name="end"/> (both included), oldest first unless <paramref name="reverse"/>.</summary>
    public IEnumerable<StreamEntry> Range(StreamId start, StreamId end, bool reverse = false)
    {
        if (start > end || NodeCount == 0) { yield break; }
        if (!reverse)
        {
            for (var n = NodeHolding(start); n < _nodes.Count; n++)
            {
                var node = _nodes[n];
                for (var i = node.LowerBound(start); i < node.Entries.Count; i++)
                {
                    var entry = node.Entries[i];
                    if (entry.Id > end) { yield break; }
                    if (!entry.Deleted) { yield return entry; }
                }
            }
            yield break;
        }
        for (var n = NodeHolding(end); n >= _head; n--)
        {
            var node = _nodes[n];
            var from = node.LowerBound(end);
            if (from == node.Entries.Count || node.Entries[from].Id > end) { from--; }
            for (var i = from; i >= 0; i--)
            {
                var entry = node.Entries[i];
                if (entry.Id < start) { yield break; }
                if (!entry.Deleted) { yield return entry; }
            }
        }
    }

    /// <summary>The entry with this ID, if live.</summary>
    public StreamEntry? Find(StreamId id)
    {
        if (!TryLocate(id, out var node, out var index)) { return null; }
        return node.Entries[index];
    }

    /// <summary>Deletes a live entry (XDEL); its node goes when it was the last live one there.</summary>
    public bool Delete(StreamId id)
    {
        if (!TryLocate(id, out var node, out var index)) { return false; }
        if (node.Live == 1) { RemoveNode(node); } else { node.Delete(index); }
        Length--;
        return true;
    }

    /// <summary>After deletions: the first ID is the first live entry's again, as Redis updates it.</summary>
    public void RefreshFirstId() => FirstId = FirstLiveId ?? StreamId.Zero;

    // The index of the last node whose master ID is at most `id` (the first node when none is).
    private int NodeHolding(StreamId id)
    {
        int low = _head, high = _nodes.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_nodes[middle].MasterId <= id) { low = middle + 1; } else { high = middle; }
        }
        return Math.Max(low - 1, _head);
    }

    private bool TryLocate(StreamId id, out StreamNode node, out int index)
    {
        node = null!;
        index = -1;
        if (NodeCount == 0) { return false; }
        node = _nodes[NodeHolding(id)];
        index = node.LowerBound(id);
        return index < node.Entries.Count && node.Entries[index].Id == id && !node.Entries[index].Deleted;
    }

    private void RemoveNode(StreamNode node)
    {
        if (node == _nodes[_head]) { DropFirstNode(); } else { _nodes.Remove(node); }
    }

    private void DropFirstNode()
    {
        _nodes[_head++] = null!;
        if (_head < 32 || _head * 2 < _nodes.Count) { return; }
        _nodes.RemoveRange(0, _head);
        _head = 0;
    }
}
