namespace Loop.Samples.Redis.Store;

/// <summary>
/// *SCAN cursors over collections that keep their members in slots, where removing a member moves the last one
/// into its hole. Walking the slots downward, such a move can only carry an already visited member below the
/// cursor (returned twice at worst), never an unvisited one above it, so a full scan returns every member
/// present from its start to its end, as Redis promises.
/// </summary>
internal static class ScanSlots
{
    /// <summary>Redis answers small (listpack-encoded) collections whole in one call; so do we.</summary>
    public const int SmallCollection = 128;

    /// <summary>Adds the items of the slots one call visits to <paramref name="found"/>; returns the next cursor, 0 once complete.</summary>
    public static ulong Scan<T>(IReadOnlyList<T> slots, ulong cursor, int count, List<T> found)
    {
        if (slots.Count <= SmallCollection)
        {
            found.AddRange(slots);
            return 0;
        }
        var (from, to) = Window(cursor, slots.Count, count);
        for (var slot = to - 1; slot >= from; slot--) { found.Add(slots[slot]); }
        return (ulong)from;
    }

    /// <summary>
    /// The slots one call visits, [From, To): cursor 0 starts at the top slot, cursor c continues below slot c.
    /// From is the next cursor; 0 means the scan is complete.
    /// </summary>
    public static (int From, int To) Window(ulong cursor, int slots, int count)
    {
        var to = cursor == 0 ? slots : (int)Math.Min(cursor, (ulong)slots);
        return (Math.Max(to - count, 0), to);
    }

    /// <summary>
    /// <paramref name="count"/> distinct slots out of <paramref name="slots"/>, uniformly at random (Floyd's
    /// sampling: exactly <paramref name="count"/> draws however close count is to the size).
    /// </summary>
    public static HashSet<int> RandomDistinct(int slots, int count)
    {
        var chosen = new HashSet<int>(count);
        for (var j = slots - count; j < slots; j++)
        {
            var pick = Random.Shared.Next(j + 1);
            chosen.Add(chosen.Contains(pick) ? j : pick);
        }
        return chosen;
    }
}
