using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CollectionAccess;
using static Loop.Samples.Redis.Commands.CommandFlags;
using AddOptions = Loop.Samples.Redis.Commands.SortedSetAddCommands.AddOptions;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// GEOADD, GEOPOS, GEODIST and GEOHASH, as Redis 7.0's geo.c answers them. A geo set is a sorted set whose scores are
/// 52-bit geohashes (see <see cref="GeoHash"/>), so ZADD-built sets work here and geo sets with every Z command. The
/// searches are in <see cref="GeoSearchCommands"/>.
/// </summary>
internal static class GeoCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("geoadd", -5, Write, 1, 1, 1, Add);
        t.Add("geopos", -2, ReadOnly, 1, 1, 1, Positions);
        t.Add("geodist", -4, ReadOnly, 1, 1, 1, Distance);
        t.Add("geohash", -2, ReadOnly, 1, 1, 1, Hashes);
        GeoSearchCommands.Register(t);
    }

    /// <summary>
    /// Reads a longitude and a latitude at <paramref name="at"/> and <paramref name="at"/> + 1; false with Redis's
    /// error written when either is not a number or the pair is outside the Mercator square.
    /// </summary>
    public static bool TryCoordinates(Session s, RespCommand c, int at, out double longitude, out double latitude)
    {
        latitude = 0;
        if (!Strtod.TryString2d(c[at], out longitude) || !Strtod.TryString2d(c[at + 1], out latitude)) { s.Reply.Error(Args.NotFloat); return false; }
        if (GeoHash.IsValid(longitude, latitude)) { return true; }
        s.Reply.Error($"ERR invalid longitude,latitude pair {FixedPoint.ToString(longitude, 6)},{FixedPoint.ToString(latitude, 6)}");
        return false;
    }

    /// <summary>M, KM, FT or MI (any case) as metres per unit; false with Redis's error written for anything else.</summary>
    public static bool TryUnit(Session s, ReadOnlySpan<byte> unit, out double metres)
    {
        metres = Args.Is(unit, "m") ? 1 : Args.Is(unit, "km") ? 1000 : Args.Is(unit, "ft") ? 0.3048 : Args.Is(unit, "mi") ? 1609.34 : -1;
        if (metres > 0) { return true; }
        s.Reply.Error("ERR unsupported unit provided. please use M, KM, FT, MI");
        return false;
    }

    /// <summary>A distance as Redis replies it: <c>%.4f</c> in a bulk string, in RESP3 too.</summary>
    public static void ReplyDistance(Session s, double distance)
    {
        Span<byte> text = stackalloc byte[FixedPoint.MaxFastLength];
        s.Reply.Bulk(text[..FixedPoint.Format(distance, 4, text)]);
    }

    /// <summary>A position as Redis replies it: two human long doubles (RESP2 bulk strings, RESP3 doubles).</summary>
    public static void ReplyPosition(Session s, double longitude, double latitude)
    {
        Span<byte> text = stackalloc byte[FixedPoint.MaxFastLength];
        s.Reply.Array(2);
        s.Reply.DoubleText(text[..FixedPoint.FormatHuman(longitude, text)]);
        s.Reply.DoubleText(text[..FixedPoint.FormatHuman(latitude, text)]);
    }

    // GEOADD key [NX|XX] [CH] lon lat member ...: every pair is checked, then it is ZADD with the pairs' geohashes.
    private static void Add(Session s, RespCommand c)
    {
        var options = AddOptions.None;
        var first = 2;
        for (; first < c.Count; first++)
        {
            if (Args.Is(c[first], "NX")) { options |= AddOptions.OnlyNew; }
            else if (Args.Is(c[first], "XX")) { options |= AddOptions.OnlyExisting; }
            else if (Args.Is(c[first], "CH")) { options |= AddOptions.CountChanged; }
            else { break; }
        }
        var elements = (c.Count - first) / 3;
        if ((c.Count - first) % 3 != 0 || elements == 0
            || (options & (AddOptions.OnlyNew | AddOptions.OnlyExisting)) == (AddOptions.OnlyNew | AddOptions.OnlyExisting))
        {
            s.Reply.Error(Args.Syntax);
            return;
        }
        var scores = new double[elements];
        for (var i = 0; i < elements; i++)
        {
            if (!TryCoordinates(s, c, first + 3 * i, out var longitude, out var latitude)) { return; }
            scores[i] = GeoHash.Score(longitude, latitude);
        }
        SortedSetAddCommands.AddScored(s, c, scores, first + 2, 3, options);
    }

    private static void Positions(Session s, RespCommand c)
    {
        if (!TryRead(s, c[1], out RedisSortedSet? zset)) { return; }
        s.Reply.Array(c.Count - 2);
        for (var i = 2; i < c.Count; i++)
        {
            if (zset?.Find(c[i]) is not { } node) { s.Reply.NullArray(); continue; }
            var (longitude, latitude) = GeoHash.Decode(node.Score);
            ReplyPosition(s, longitude, latitude);
        }
    }

    // GEODIST key member1 member2 [unit]: the unit is checked before the key.
    private static void Distance(Session s, RespCommand c)
    {
        var metres = 1.0;
        if (c.Count > 5) { s.Reply.Error(Args.Syntax); return; }
        if (c.Count == 5 && !TryUnit(s, c[4], out metres)) { return; }
        if (!TryRead(s, c[1], out RedisSortedSet? zset)) { return; }
        if (zset?.Find(c[2]) is not { } first || zset.Find(c[3]) is not { } second) { s.Reply.Null(); return; }
        var (longitude1, latitude1) = GeoHash.Decode(first.Score);
        var (longitude2, latitude2) = GeoHash.Decode(second.Score);
        ReplyDistance(s, GeoShape.Distance(longitude1, latitude1, longitude2, latitude2) / metres);
    }

    private static void Hashes(Session s, RespCommand c)
    {
        if (!TryRead(s, c[1], out RedisSortedSet? zset)) { return; }
        Span<byte> text = stackalloc byte[11];
        s.Reply.Array(c.Count - 2);
        for (var i = 2; i < c.Count; i++)
        {
            if (zset?.Find(c[i]) is not { } node) { s.Reply.Null(); continue; }
            GeoHash.Text(node.Score, text);
            s.Reply.Bulk(text);
        }
    }
}
