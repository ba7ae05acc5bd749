namespace Loop.Samples.Redis.Store;

/// <summary>
/// A member found by a geo search: its node, decoded position, distance from the centre in metres, and how many were
/// found before it (sorting by distance keeps that order among equals).
/// </summary>
internal readonly record struct GeoMatch(SkipListNode Node, double Longitude, double Latitude, double Distance, int Sequence)
{
    /// <summary>Nearest first; equals in the order found.</summary>
    public static int Nearer(GeoMatch a, GeoMatch b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Sequence.CompareTo(b.Sequence);

    /// <summary>Farthest first; equals in the order found.</summary>
    public static int Farther(GeoMatch a, GeoMatch b) => a.Distance != b.Distance ? b.Distance.CompareTo(a.Distance) : a.Sequence.CompareTo(b.Sequence);
}

/// <summary>
/// A geo search over a sorted set (Redis's membersOfAllNeighbors): each of the shape's nine cells is a range of
/// scores, [cell's first score, next cell's first score), found in the skip list in O(log n) and walked in order, so a
/// search costs O(log n) per cell plus the members in the cells, however large the set.
/// </summary>
internal static class GeoSearch
{
    /// <summary>
    /// Adds the members inside <paramref name="shape"/> to <paramref name="found"/> in Redis's order (cell by cell,
    /// by score within a cell); with a <paramref name="limit"/> above zero (COUNT n ANY), stops once that many were
    /// found, where Redis stops. A cell equal to the one searched just before is skipped, as Redis skips it (very large
    /// shapes wrap around); one equal to an earlier one is searched again, so a member may come twice, as in Redis.
    /// Returns how many members were examined.
    /// </summary>
    public static int Search(RedisSortedSet zset, in GeoShape shape, long limit, List<GeoMatch> found)
    {
        var cells = shape.Cells();
        var examined = 0;
        var lastSearched = 0;
        for (var i = 0; i < cells.Length; i++)
        {
            var cell = cells[i];
            if (cell.IsZero) { continue; }
            // Redis compares with the last searched cell only once that is not the centre's (index 0).
            if (lastSearched != 0 && cell == cells[lastSearched]) { continue; }
            if (LimitReached(found, limit)) { break; }
            examined += SearchCell(zset, shape, cell, limit, found);
            lastSearched = i;
        }
        return examined;
    }

    private static int SearchCell(RedisSortedSet zset, in GeoShape shape, GeoHashBits cell, long limit, List<GeoMatch> found)
    {
        var range = new ScoreRange(cell.Align52(), false, (cell with { Bits = cell.Bits + 1 }).Align52(), true);
        var examined = 0;
        for (var node = zset.Order.FirstIn(range); node is not null && range.WithinMax(node); node = node.Levels[0].Next)
        {
            examined++;
            var (longitude, latitude) = GeoHash.Decode(node.Score);
            if (shape.TryContain(longitude, latitude, out var distance)) { found.Add(new GeoMatch(node, longitude, latitude, distance, found.Count)); }
            if (LimitReached(found, limit)) { break; }
        }
        return examined;
    }

    private static bool LimitReached(List<GeoMatch> found, long limit) => limit > 0 && found.Count > 0 && found.Count >= limit;
}
