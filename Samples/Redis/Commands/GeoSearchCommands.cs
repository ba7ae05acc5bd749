using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CollectionAccess;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and their _RO forms: one parser, as Redis 7.0's
/// georadiusGeneric (the same checks in the same order, so the same error wins), then <see cref="GeoSearch"/>.
/// </summary>
internal static class GeoSearchCommands
{
    [Flags]
    private enum Form
    {
        Coordinates = 1 << 0,   // GEORADIUS: key lon lat radius unit
        Member = 1 << 1,        // GEORADIUSBYMEMBER: key member radius unit
        NoStore = 1 << 2,       // the _RO forms
        Search = 1 << 3,        // GEOSEARCH: FROMMEMBER|FROMLONLAT, BYRADIUS|BYBOX
        SearchStore = 1 << 4,   // GEOSEARCHSTORE: destination first, STOREDIST without argument
    }

    private enum Order { None, Ascending, Descending }

    /// <summary>Everything after the centre and the shape: what to reply or where to store.</summary>
    private struct Options
    {
        public bool WithDistance, WithHash, WithCoordinates, Any, StoreDistance;
        public bool FromMember, FromCoordinates, ByRadius, ByBox;
        public Order Order;
        public long Count;
        /// <summary>The argument naming the destination, or 0.</summary>
        public int StoreAt;
    }

    public static void Register(CommandTable t)
    {
        // GEORADIUS's destination is named by STORE or STOREDIST: a key spec of its own, as Redis declares it.
        KeySpec Storing(int startFrom) => new(1, 1, 1, Keywords: [new KeywordKey("STORE", startFrom), new KeywordKey("STOREDIST", startFrom)]);
        t.Add("georadius", -6, Write, Storing(6), (s, c) => Run(s, c, 1, Form.Coordinates));
        t.Add("georadiusbymember", -5, Write, Storing(5), (s, c) => Run(s, c, 1, Form.Member));
        t.Add("georadius_ro", -6, ReadOnly, 1, 1, 1, (s, c) => Run(s, c, 1, Form.Coordinates | Form.NoStore));
        t.Add("georadiusbymember_ro", -5, ReadOnly, 1, 1, 1, (s, c) => Run(s, c, 1, Form.Member | Form.NoStore));
        t.Add("geosearch", -7, ReadOnly, 1, 1, 1, (s, c) => Run(s, c, 1, Form.Search));
        t.Add("geosearchstore", -8, Write, 1, 2, 1, (s, c) => Run(s, c, 2, Form.Search | Form.SearchStore));
    }

    private static void Run(Session s, RespCommand c, int source, Form form)
    {
        if (!TryRead(s, c[source], out RedisSortedSet? zset)) { return; }
        var shape = default(GeoShape);
        int first;
        var options = new Options();
        if ((form & Form.Coordinates) != 0)
        {
            first = 6;
            if (!GeoCommands.TryCoordinates(s, c, 2, out var longitude, out var latitude) || !TryRadius(s, c, 4, out var radius, out var metres)) { return; }
            shape = GeoShape.Circle(longitude, latitude, radius, metres);
        }
        else if ((form & Form.Member) != 0)
        {
            // Without the key, Redis reads neither the member nor the radius, only the options.
            first = 5;
            if (zset is not null)
            {
                if (!TryMemberPosition(s, zset, c[2], out var longitude, out var latitude) || !TryRadius(s, c, 3, out var radius, out var metres)) { return; }
                shape = GeoShape.Circle(longitude, latitude, radius, metres);
            }
        }
        else
        {
            first = (form & Form.SearchStore) != 0 ? 3 : 2;
            if ((form & Form.SearchStore) != 0) { options.StoreAt = 1; }
        }
        if (!TryOptions(s, c, first, form, zset, ref shape, ref options) || !TryCheck(s, c, form, options)) { return; }
        if (zset is null)
        {
            if (options.StoreAt > 0)
            {
                s.Db.Delete(c[options.StoreAt]);
                s.Reply.Integer(0);
            }
            else { s.Reply.Array(0); }
            return;
        }
        // COUNT without an order means the nearest ones; with ANY, the first found.
        if (options.Count != 0 && options.Order == Order.None && !options.Any) { options.Order = Order.Ascending; }
        var found = new List<GeoMatch>();
        GeoSearch.Search(zset, shape, options.Any ? options.Count : 0, found);
        // Equal distances keep the order found, as glibc's merge sort keeps them for Redis (its order for them is unspecified).
        if (options.Order != Order.None) { found.Sort(options.Order == Order.Ascending ? GeoMatch.Nearer : GeoMatch.Farther); }
        var returned = options.Count == 0 || found.Count < options.Count ? found.Count : (int)options.Count;
        if (options.StoreAt > 0)
        {
            var change = (form & Form.SearchStore) != 0 ? "geosearchstore"u8 : "georadiusstore"u8;
            Store(s, c[options.StoreAt], found, returned, options.StoreDistance, shape.Conversion, change);
        }
        else { Reply(s, found, returned, options, shape.Conversion); }
    }

    // The options after the fixed arguments, in any order; GEOSEARCH's centre and shape come among them.
    private static bool TryOptions(Session s, RespCommand c, int first, Form form, RedisSortedSet? zset, ref GeoShape shape, ref Options o)
    {
        var search = (form & Form.Search) != 0;
        var mayStore = (form & (Form.NoStore | Form.Search)) == 0;
        for (var i = first; i < c.Count; i++)
        {
            var word = c[i];
            if (Args.Is(word, "WITHDIST")) { o.WithDistance = true; }
            else if (Args.Is(word, "WITHHASH")) { o.WithHash = true; }
            else if (Args.Is(word, "WITHCOORD")) { o.WithCoordinates = true; }
            else if (Args.Is(word, "ANY")) { o.Any = true; }
            else if (Args.Is(word, "ASC")) { o.Order = Order.Ascending; }
            else if (Args.Is(word, "DESC")) { o.Order = Order.Descending; }
            else if (Args.Is(word, "COUNT") && i + 1 < c.Count)
            {
                if (!Args.TryLong(c[++i], out o.Count)) { s.Reply.Error(Args.NotInteger); return false; }
                if (o.Count <= 0) { s.Reply.Error("ERR COUNT must be > 0"); return false; }
            }
            else if ((Args.Is(word, "STORE") || Args.Is(word, "STOREDIST")) && i + 1 < c.Count && mayStore)
            {
                o.StoreDistance = Args.Is(word, "STOREDIST");
                o.StoreAt = ++i;
            }
            else if (Args.Is(word, "STOREDIST") && (form & Form.SearchStore) != 0) { o.StoreDistance = true; }
            else if (Args.Is(word, "FROMMEMBER") && i + 1 < c.Count && search && !o.FromCoordinates)
            {
                // Without the key the member is not looked for: the reply is empty, once the options are checked.
                if (zset is not null)
                {
                    if (!TryMemberPosition(s, zset, c[i + 1], out var longitude, out var latitude)) { return false; }
                    shape = shape with { Longitude = longitude, Latitude = latitude };
                }
                o.FromMember = true;
                i++;
            }
            else if (Args.Is(word, "FROMLONLAT") && i + 2 < c.Count && search && !o.FromMember)
            {
                if (!GeoCommands.TryCoordinates(s, c, i + 1, out var longitude, out var latitude)) { return false; }
                shape = shape with { Longitude = longitude, Latitude = latitude };
                o.FromCoordinates = true;
                i += 2;
            }
            else if (Args.Is(word, "BYRADIUS") && i + 2 < c.Count && search && !o.ByBox)
            {
                if (!TryRadius(s, c, i + 1, out var radius, out var metres)) { return false; }
                shape = shape with { IsBox = false, Radius = radius, Conversion = metres };
                o.ByRadius = true;
                i += 2;
            }
            else if (Args.Is(word, "BYBOX") && i + 3 < c.Count && search && !o.ByRadius)
            {
                if (!TryBox(s, c, i + 1, out var width, out var height, out var metres)) { return false; }
                shape = shape with { IsBox = true, Width = width, Height = height, Conversion = metres };
                o.ByBox = true;
                i += 3;
            }
            else { s.Reply.Error(Args.Syntax); return false; }
        }
        return true;
    }

    // The checks Redis makes once the options are read, in its order.
    private static bool TryCheck(Session s, RespCommand c, Form form, in Options o)
    {
        string? error = null;
        if (o.StoreAt > 0 && (o.WithDistance || o.WithHash || o.WithCoordinates))
        {
            error = $"ERR {((form & Form.SearchStore) != 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS")} is not compatible with WITHDIST, WITHHASH and WITHCOORD options";
        }
        else if ((form & Form.Search) != 0 && !(o.FromMember || o.FromCoordinates))
        {
            error = $"ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {Args.Text(c[0])}";
        }
        else if ((form & Form.Search) != 0 && !(o.ByRadius || o.ByBox))
        {
            error = $"ERR exactly one of BYRADIUS and BYBOX can be specified for {Args.Text(c[0])}";
        }
        else if (o.Any && o.Count == 0) { error = "ERR the ANY argument requires COUNT argument"; }
        if (error is null) { return true; }
        s.Reply.Error(error);
        return false;
    }

    private static void Reply(Session s, List<GeoMatch> found, int returned, in Options o, double metres)
    {
        var extras = (o.WithDistance ? 1 : 0) + (o.WithHash ? 1 : 0) + (o.WithCoordinates ? 1 : 0);
        s.Reply.Array(returned);
        for (var i = 0; i < returned; i++)
        {
            var match = found[i];
            if (extras > 0) { s.Reply.Array(extras + 1); }
            s.Reply.Bulk(match.Node.Member);
            if (o.WithDistance) { GeoCommands.ReplyDistance(s, match.Distance / metres); }
            if (o.WithHash) { s.Reply.Integer((long)match.Node.Score); }
            if (o.WithCoordinates) { GeoCommands.ReplyPosition(s, match.Longitude, match.Latitude); }
        }
    }

    // The found members become the destination (its old value and TTL gone), scored by geohash or by distance; none deletes it.
    private static void Store(Session s, ReadOnlySpan<byte> destination, List<GeoMatch> found, int returned, bool byDistance, double metres,
        ReadOnlySpan<byte> change)
    {
        var result = new RedisSortedSet();
        for (var i = 0; i < returned; i++) { result.Set(found[i].Node.Member, byDistance ? found[i].Distance / metres : found[i].Node.Score); }
        s.Db.Store(destination, result, EventClass.SortedSet, change);
        s.Reply.Integer(returned);
    }

    private static bool TryMemberPosition(Session s, RedisSortedSet zset, ReadOnlySpan<byte> member, out double longitude, out double latitude)
    {
        (longitude, latitude) = (0, 0);
        if (zset.Find(member) is not { } node)
        {
            s.Reply.Error("ERR could not decode requested zset member");
            return false;
        }
        (longitude, latitude) = GeoHash.Decode(node.Score);
        return true;
    }

    // radius unit, the radius in that unit.
    private static bool TryRadius(Session s, RespCommand c, int at, out double radius, out double metres)
    {
        metres = 0;
        if (!Strtod.TryString2d(c[at], out radius)) { s.Reply.Error("ERR need numeric radius"); return false; }
        if (radius < 0) { s.Reply.Error("ERR radius cannot be negative"); return false; }
        return GeoCommands.TryUnit(s, c[at + 1], out metres);
    }

    // width height unit, both in that unit.
    private static bool TryBox(Session s, RespCommand c, int at, out double width, out double height, out double metres)
    {
        (height, metres) = (0, 0);
        if (!Strtod.TryString2d(c[at], out width)) { s.Reply.Error("ERR need numeric width"); return false; }
        if (!Strtod.TryString2d(c[at + 1], out height)) { s.Reply.Error("ERR need numeric height"); return false; }
        if (height < 0 || width < 0) { s.Reply.Error("ERR height or width cannot be negative"); return false; }
        return GeoCommands.TryUnit(s, c[at + 2], out metres);
    }
}
