namespace Loop.Samples.Redis.Store;

/// <summary>
/// A run of stream entries, what Redis keeps in one listpack of its radix tree: the first entry's ID and fields are
/// the node's master ID and fields, later entries with the same fields are marked so. The node knows the bytes its
/// listpack would take, so nodes fill up and split exactly where Redis's do (which decides what MAXLEN ~ trims).
/// </summary>
internal sealed class StreamNode
{
    private readonly List<StreamEntry> _entries;
    private int _bytes; // master fields and entries; the live and deleted counts are added when asked

    public StreamNode(StreamId masterId, byte[][] masterFields)
    {
        MasterId = masterId;
        MasterFields = masterFields;
        _entries = [];
        _bytes = ListpackSize.Of(masterFields.Length) + ListpackSize.Of(0);
        foreach (var field in masterFields) { _bytes += ListpackSize.Of(field); }
    }

    private StreamNode(StreamNode other)
    {
        MasterId = other.MasterId;
        MasterFields = other.MasterFields;
        _entries = [.. other._entries];
        _bytes = other._bytes;
        Live = other.Live;
        Deleted = other.Deleted;
    }

    public StreamId MasterId { get; }

    public byte[][] MasterFields { get; }

    /// <summary>Every entry, tombstones included, in ID order.</summary>
    public IReadOnlyList<StreamEntry> Entries => _entries;

    public int Live { get; private set; }

    public int Deleted { get; private set; }

    /// <summary>The size of this node's listpack in Redis (lpBytes).</summary>
    public int Bytes => ListpackSize.Empty + ListpackSize.Of(Live) + ListpackSize.Of(Deleted) + _bytes;

    /// <summary>The last entry's ID, a tombstone's included (what Redis's MINID trimming compares).</summary>
    public StreamId LastId => _entries[^1].Id;

    public StreamNode Clone() => new(this);

    /// <summary>Adds an entry after the others; its fields are shared with the master entry when they are the same.</summary>
    public void Append(StreamId id, byte[][] pairs)
    {
        var same = HasMasterFields(pairs);
        for (var i = 0; same && i < MasterFields.Length; i++) { pairs[i * 2] = MasterFields[i]; }
        Add(new StreamEntry(id, pairs, same));
    }

    /// <summary>Adds an entry as a file holds it (tombstone or not).</summary>
    public void Add(StreamEntry entry)
    {
        _entries.Add(entry);
        _bytes += EntryBytes(entry);
        if (entry.Deleted) { Deleted++; } else { Live++; }
    }

    /// <summary>The position of the first entry whose ID is at least <paramref name="id"/> (Count when none).</summary>
    public int LowerBound(StreamId id)
    {
        int low = 0, high = _entries.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_entries[middle].Id < id) { low = middle + 1; } else { high = middle; }
        }
        return low;
    }

    /// <summary>Marks entry <paramref name="index"/> deleted (it must be live).</summary>
    public void Delete(int index)
    {
        _entries[index] = _entries[index] with { Deleted = true };
        Live--;
        Deleted++;
    }

    // The flags, the ID as deltas from the master ID, the fields unless they are the master's, values, and how many
    // elements the entry took (so Redis can walk back).
    private int EntryBytes(StreamEntry entry)
    {
        var size = ListpackSize.Of(0) + ListpackSize.Of(unchecked((long)(entry.Id.Ms - MasterId.Ms)))
            + ListpackSize.Of(unchecked((long)(entry.Id.Seq - MasterId.Seq)));
        var elements = 3 + entry.FieldCount;
        if (!entry.SameFields)
        {
            size += ListpackSize.Of(entry.FieldCount);
            elements += entry.FieldCount + 1;
        }
        for (var i = 0; i < entry.Pairs.Length; i++)
        {
            if (i % 2 == 1 || !entry.SameFields) { size += ListpackSize.Of(entry.Pairs[i]); }
        }
        return size + ListpackSize.Of(elements);
    }

    private bool HasMasterFields(byte[][] pairs)
    {
        if (pairs.Length != MasterFields.Length * 2) { return false; }
        for (var i = 0; i < MasterFields.Length; i++)
        {
            if (!pairs[i * 2].AsSpan().SequenceEqual(MasterFields[i])) { return false; }
        }
        return true;
    }
}
