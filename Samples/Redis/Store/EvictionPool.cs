namespace Loop.Samples.Redis.Store;

/// <summary>
/// Redis's eviction pool (evict.c): the best candidates seen so far, kept across evictions so each sample improves on
/// the last instead of starting over. Sorted by score ascending; the best (highest score: idlest, least frequently used,
/// nearest to expiring) is last. Exclusive.
/// </summary>
internal sealed class EvictionPool
{
    private const int Size = 16; // Redis's EVPOOL_SIZE

    private readonly (long Score, byte[] Key, int Db)[] _entries = new (long, byte[], int)[Size];
    private int _count;

    /// <summary>
    /// Offers a sampled key: kept when the pool has room or it beats the worst one held (which then goes); a key already
    /// held keeps its place.
    /// </summary>
    public void Offer(long score, byte[] key, int db)
    {
        var at = 0;
        while (at < _count && _entries[at].Score < score) { at++; }
        for (var i = 0; i < _count; i++)
        {
            if (_entries[i].Db == db && _entries[i].Key == key) { return; }
        }
        if (_count == Size)
        {
            if (at == 0) { return; } // worse than everything held
            Array.Copy(_entries, 1, _entries, 0, at - 1); // drop the worst, open a place below at
            _entries[at - 1] = (score, key, db);
            return;
        }
        Array.Copy(_entries, at, _entries, at + 1, _count - at);
        _entries[at] = (score, key, db);
        _count++;
    }

    /// <summary>Takes the best candidate; false when the pool is empty.</summary>
    public bool TryTakeBest(out byte[] key, out int db)
    {
        if (_count == 0)
        {
            (key, db) = (null!, 0);
            return false;
        }
        _count--;
        (_, key, db) = _entries[_count];
        _entries[_count] = default;
        return true;
    }
}
