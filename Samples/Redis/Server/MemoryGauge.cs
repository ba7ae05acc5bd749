namespace Loop.Samples.Redis.Server;

/// <summary>
/// used_memory, what eviction compares with maxmemory: what the managed heap held after the collector's last collection
/// (its size less its free fragments, <see cref="GC.GetGCMemoryInfo()"/>; before any collection,
/// <see cref="GC.GetTotalMemory(bool)"/>), plus the bytes the loops' writes brought in since (their arguments, counted per
/// loop), minus what eviction let go that the collector has not collected yet (counted per generation until a collection
/// of that generation has run). Garbage made since the last collection is not counted: it goes at the next one, and
/// counting it would evict keys for the sake of the allocation budget. The heap is read again once a collection has run
/// (seen from its count, cheap to read); reading the estimate costs a sum over the loops.
/// </summary>
internal sealed class MemoryGauge(Func<long> writtenBytes)
{
    private readonly object _gate = new();
    private long _measured;
    private long _writtenAtMeasure;
    private int _collectionsAtMeasure = -1;

    // Bytes evicted per generation of the values, and the count of that generation's collections when the last was
    // added: once a collection of the generation has run since, the heap no longer holds them.
    private readonly long[] _released = new long[3];
    private readonly int[] _releasedAtCollection = new int[3];

    /// <summary>The estimate; reads the heap again when a collection has run since it last did (one thread reads, the others go on).</summary>
    public long Used
    {
        get
        {
            if (GC.CollectionCount(0) != Volatile.Read(ref _collectionsAtMeasure) && Monitor.TryEnter(_gate))
            {
                try { Measure(); } finally { Monitor.Exit(_gate); }
            }
            var released = Volatile.Read(ref _released[0]) + Volatile.Read(ref _released[1]) + Volatile.Read(ref _released[2]);
            return Volatile.Read(ref _measured) + writtenBytes() - Volatile.Read(ref _writtenAtMeasure) - released;
        }
    }

    /// <summary>Eviction let go of <paramref name="value"/>, about <paramref name="bytes"/> bytes.</summary>
    public void Released(object value, long bytes)
    {
        var generation = Math.Min(GC.GetGeneration(value), 2);
        lock (_gate)
        {
            _released[generation] += bytes;
            _releasedAtCollection[generation] = GC.CollectionCount(generation);
        }
    }

    // Under _gate.
    private void Measure()
    {
        var collections = GC.CollectionCount(0);
        if (collections == _collectionsAtMeasure) { return; }
        var last = GC.GetGCMemoryInfo(GCKind.Any);
        Volatile.Write(ref _writtenAtMeasure, writtenBytes());
        Volatile.Write(ref _measured, last.Index == 0 ? GC.GetTotalMemory(forceFullCollection: false) : last.HeapSizeBytes - last.FragmentedBytes);
        Volatile.Write(ref _collectionsAtMeasure, collections);
        for (var generation = 0; generation < _released.Length; generation++)
        {
            if (GC.CollectionCount(generation) != _releasedAtCollection[generation]) { _released[generation] = 0; }
        }
    }
}
