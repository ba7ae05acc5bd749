namespace Loop.Samples.Redis.Commands;

/// <summary>
/// SCAN's cursor: keys are visited in the order of a fixed hash of their bytes, and the cursor is the hash
/// to resume from. Like Redis's cursor it survives changes between calls: a key present for the whole scan
/// is returned, whatever was added or deleted meanwhile. Each call reads every key once (O(n log COUNT)).
/// </summary>
internal static class KeyScan
{
    /// <summary>The next keys from <paramref name="cursor"/> on (at least <paramref name="count"/> unless done) and the cursor after them (0: done).</summary>
    public static (List<byte[]> Keys, ulong Next) Next(IEnumerable<byte[]> all, uint cursor, int count)
    {
        // Keep the `count` smallest hashes at or past the cursor: a max-heap evicting the largest.
        var smallest = new PriorityQueue<byte[], uint>(Comparer<uint>.Create((a, b) => b.CompareTo(a)));
        foreach (var key in all)
        {
            var hash = Hash(key);
            if (hash < cursor) { continue; }
            if (smallest.Count < count) { smallest.Enqueue(key, hash); }
            else if (smallest.TryPeek(out _, out var largest) && hash < largest) { smallest.DequeueEnqueue(key, hash); }
        }
        if (smallest.Count < count) { return (smallest.UnorderedItems.Select(i => i.Element).ToList(), 0); }

        // Keys sharing the last hash must come in the same call, or the next cursor would skip them.
        smallest.TryPeek(out _, out var last);
        var keys = all.Where(k => Hash(k) is var h && h >= cursor && h <= last).ToList();
        return (keys, last == uint.MaxValue ? 0 : (ulong)last + 1);
    }

    // FNV-1a: the same for a key across calls and connections, unlike the randomized dictionary hash.
    private static uint Hash(byte[] key)
    {
        var hash = 2166136261u;
        foreach (var b in key) { hash = (hash ^ b) * 16777619u; }
        return hash;
    }
}
