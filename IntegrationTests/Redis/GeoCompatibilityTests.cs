using System.Globalization;
using System.Text;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// The GEO commands against the real redis-server 7.0 (test.sh installs it; its absence fails these tests): the same
/// seeded points and a few hundred seeded random queries, with random options and some invalid ones, go to both servers
/// in RESP2 and RESP3, and every reply must be the same bytes. The only leeway is where Redis's order is unspecified:
/// members at one position (equal distances) may come in any order and, at a COUNT's cut, either may be chosen.
/// </summary>
public sealed class GeoCompatibilityTests
{
    private static readonly string[] Units = ["m", "km", "ft", "mi", "KM", "Mi"];

    [Fact]
    public async Task Random_geo_queries_get_the_same_replies_from_both_servers()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        var pairs = new[]
        {
            (Ours: new RespClient(await loop.ConnectAsync()), Theirs: await redis.ConnectAsync()),
            (Ours: new RespClient(await loop.ConnectAsync()), Theirs: await redis.ConnectAsync()),
        };
        await pairs[1].Ours.Socket.CommandAsync("HELLO", "3");
        await pairs[1].Theirs.Socket.CommandAsync("HELLO", "3");
        var random = new Random(7015);
        var points = Points(random);
        var (ours, theirs) = pairs[0];
        foreach (var batch in points.Chunk(40))
        {
            await SameAsync(ours, theirs, ["GEOADD", "g", .. batch.SelectMany(p => new[] { p.Longitude, p.Latitude, p.Member })]);
        }
        // A sorted set built with ZADD: geo scores, and any 52-bit ones.
        var built = new List<string> { "ZADD", "z" };
        for (var i = 0; i < 60; i++) { built.AddRange([random.NextInt64(0, 1L << 52).ToString(CultureInfo.InvariantCulture), $"z{i}"]); }
        built.AddRange(["0", "zero", ((1L << 52) - 1).ToString(CultureInfo.InvariantCulture), "top", "3479099956230698", "Palermo"]);
        await SameAsync(ours, theirs, [.. built]);
        await SameAsync(ours, theirs, ["SET", "str", "v"]);

        // Every member's score is Redis's geohash; members sharing one are the positions whose order is unspecified.
        var scores = await SameAsync(ours, theirs, ["ZMSCORE", "g", .. points.Select(p => p.Member)]);
        var shared = SharedPositions(points.Select(p => p.Member).ToList(), scores);
        Assert.NotEmpty(shared);

        var members = points.Select(p => p.Member).ToArray();
        var (errors, found) = (0, 0);
        for (var i = 0; i < 400; i++)
        {
            var (query, sorted, stores) = Query(random, members);
            var pair = pairs[i % 2];
            var reply = await SameAsync(pair.Ours, pair.Theirs, query, sorted ? shared : null);
            if (reply is Token { Marker: '-' }) { errors++; }
            else if (reply is object?[] { Length: > 0 } || reply is Token { Marker: ':', Text: not "0" }) { found++; }
            if (stores)
            {
                // Scores compared as numbers: this server spells doubles as Redis 7.2 does, 7.0 with 17 digits.
                var ourRange = Parse(await pair.Ours.Socket.CommandAsync("ZRANGE", "dst", "0", "-1", "WITHSCORES"));
                var theirRange = Parse(await pair.Theirs.Socket.CommandAsync("ZRANGE", "dst", "0", "-1", "WITHSCORES"));
                Assert.Equal(Canonical(theirRange, shared, numbers: true), Canonical(ourRange, shared, numbers: true));
            }
        }
        // Mostly answers, some of them errors: the queries are not all vacuous.
        Assert.InRange(errors, 30, 120);
        Assert.InRange(found, 150, 380);
    }

    private sealed record Point(string Longitude, string Latitude, string Member);

    // 180 anywhere, 100 in a dense cluster (2 km across), the poles' and the antimeridian's edges, and a few members
    // placed exactly where another one is.
    private static List<Point> Points(Random random)
    {
        var points = new List<Point>();
        string Number(double value) => random.Next(3) switch
        {
            0 => value.ToString("R", CultureInfo.InvariantCulture),
            1 => value.ToString("F6", CultureInfo.InvariantCulture),
            _ => value.ToString("F4", CultureInfo.InvariantCulture),
        };
        for (var i = 0; i < 180; i++) { points.Add(new(Number(random.NextDouble() * 360 - 180), Number(random.NextDouble() * 170.1 - 85.05), $"w{i}")); }
        for (var i = 0; i < 100; i++) { points.Add(new(Number(2.35 + random.NextDouble() * 0.02 - 0.01), Number(48.85 + random.NextDouble() * 0.02 - 0.01), $"c{i}")); }
        string[] longitudes = ["180", "-180", "179.9999", "-179.9999", "0"], latitudes = ["85.05112878", "-85.05112878", "85", "-84.99", "0"];
        for (var i = 0; i < 12; i++) { points.Add(new(longitudes[random.Next(5)], latitudes[random.Next(5)], $"e{i}")); }
        for (var i = 0; i < 8; i++)
        {
            var twin = points[random.Next(points.Count)];
            points.Add(twin with { Member = $"d{i}" });
        }
        return points;
    }

    // One random command: what it is, whether its reply is sorted by distance, and whether it wrote "dst".
    private static (string[] Command, bool Sorted, bool Stores) Query(Random random, string[] members)
    {
        string Pick(params string[] from) => from[random.Next(from.Length)];

        string Coordinate(double range) => (random.NextDouble() * 2 * range - range).ToString("R", CultureInfo.InvariantCulture);
        string Radius() => Pick("0", "0.5", "1", "50", "300", "1000", "5000", "20000", "2500", "inf",
            (random.NextDouble() * 3000).ToString("F3", CultureInfo.InvariantCulture));
        string[] Center() => random.Next(10) switch
        {
            < 4 => ["FROMMEMBER", Member()],
            < 6 => ["FROMLONLAT", Pick("2.35", "2.351", "2.3488"), Pick("48.85", "48.852", "48.8471")],
            < 8 => ["FROMLONLAT", Coordinate(180), Coordinate(85)],
            _ => ["FROMLONLAT", Pick("180", "-180", "179.99", "0", "-0.0"), Pick("85.05112878", "-85.05112878", "84.9", "66.5", "-80.5", "0")],
        };
        string[] Shape() => random.Next(2) == 0 ? ["BYRADIUS", Radius(), Pick(Units)] : ["BYBOX", Radius(), Radius(), Pick(Units)];
        var key = random.Next(25) switch { 0 => "missing", 1 => "str", 2 or 3 => "z", _ => "g" };
        string Member() => random.Next(20) == 0 ? "nobody" : key == "z" ? Pick("z1", "z7", "zero", "top", "Palermo") : members[random.Next(members.Length)];
        // Options in any order, each with its values.
        List<string> Options(bool store)
        {
            var options = new List<string>();
            if (!store && random.Next(2) == 0) { options.Add("WITHDIST"); }
            if (!store && random.Next(3) == 0) { options.Add("WITHCOORD"); }
            if (!store && random.Next(3) == 0) { options.Add("WITHHASH"); }
            if (random.Next(3) == 0) { options.Add(Pick("ASC", "DESC")); }
            if (random.Next(5) < 2)
            {
                options.Add("COUNT " + Pick("1", "2", "3", "5", "10", "50"));
                if (random.Next(3) == 0) { options.Add("ANY"); }
            }
            // Now and then an option that is wrong here or alone.
            if (random.Next(12) == 0) { options.Add(Pick("ANY", "COUNT", "COUNT 0", "BOGUS", "WITHDIST", "STORE")); }
            return options.OrderBy(_ => random.Next()).SelectMany(o => o.Split(' ')).ToList();
        }
        List<string> command = random.Next(20) switch
        {
            < 7 => ["GEOSEARCH", key, .. Center(), .. Shape(), .. Options(store: false)],
            < 10 => [Pick("GEORADIUS", "GEORADIUS_RO"), key, Coordinate(180), Coordinate(85), Radius(), Pick(Units), .. Options(store: false)],
            < 11 => [Pick("GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO"), key, Member(), Radius(), Pick(Units), .. Options(store: false)],
            < 13 => ["GEOSEARCHSTORE", "dst", key, .. Center(), .. Shape(), .. Options(store: true), .. random.Next(2) == 0 ? new[] { "STOREDIST" } : []],
            < 14 => random.Next(2) == 0
                ? ["GEORADIUS", key, Coordinate(180), Coordinate(85), Radius(), Pick(Units), .. Options(store: true), Pick("STORE", "STOREDIST"), "dst"]
                : ["GEORADIUSBYMEMBER", key, Member(), Radius(), Pick(Units), .. Options(store: true), Pick("STORE", "STOREDIST"), "dst"],
            < 16 => ["GEODIST", key, Member(), Member(), .. random.Next(3) == 0 ? Array.Empty<string>() : [Pick(Units)]],
            < 18 => [Pick("GEOPOS", "GEOHASH"), key, .. Enumerable.Range(0, random.Next(1, 4)).Select(_ => Member())],
            _ => ["GEOADD", "g2", .. Pick("", "NX", "XX", "CH", "XX CH").Split(' ', StringSplitOptions.RemoveEmptyEntries),
                Coordinate(random.Next(8) == 0 ? 200 : 180), Coordinate(random.Next(8) == 0 ? 90 : 85), Member()],
        };
        // Now and then one argument after the key is replaced: bad numbers, units and coordinates, misplaced options.
        if (random.Next(10) == 0 && command.Count > 3)
        {
            command[random.Next(command[0] == "GEOSEARCHSTORE" ? 3 : 2, command.Count)] = Pick("-1", "abc", "yd", "200", "-90", "1e400", "FROMMEMBER", "BYBOX", "STOREDIST");
        }
        var storing = command[0] == "GEOSEARCHSTORE" || command.Contains("STORE") || command.Contains("STOREDIST");
        var sorted = command.Contains("ASC") || command.Contains("DESC") || (command.Contains("COUNT") && !command.Contains("ANY"));
        return ([.. command], sorted, storing);
    }

    // Members whose score another member shares: the same position, so the same distance from anywhere.
    private static Dictionary<string, string> SharedPositions(List<string> members, object? scores)
    {
        var byScore = members.Zip(Assert.IsType<object?[]>(scores).Select(s => ((Token)s!).Text)).ToList();
        var counts = byScore.GroupBy(p => p.Second).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        return byScore.Where(p => counts.Contains(p.Second)).ToDictionary(p => p.First, p => "@" + p.Second);
    }

    private static async Task<object?> SameAsync(RespClient ours, RespClient theirs, string[] command, Dictionary<string, string>? shared = null)
    {
        var expected = await theirs.Socket.CommandAsync(command);
        var actual = await ours.Socket.CommandAsync(command);
        if (shared is null) { Assert.True(expected == actual, $"{string.Join(' ', command)}\nredis: {expected}\nours:  {actual}"); }
        else
        {
            var (theirValue, ourValue) = (Canonical(Parse(expected), shared), Canonical(Parse(actual), shared));
            Assert.True(theirValue == ourValue, $"{string.Join(' ', command)}\nredis: {expected}\nours:  {actual}");
        }
        return Parse(expected);
    }

    // A reply as RESP text again, every member at a shared position named by that position: members there are interchangeable.
    private static string Canonical(object? value, Dictionary<string, string> shared, bool numbers = false)
    {
        var text = new StringBuilder();
        Write(value, top: true);
        return text.ToString();

        void Write(object? node, bool top)
        {
            switch (node)
            {
                case object?[] items:
                    text.Append('[');
                    for (var i = 0; i < items.Length; i++)
                    {
                        // A member stands alone in a top-level array, or first in an entry with its fields.
                        if (items[i] is Token { Marker: '$' } member && (top || i == 0) && shared.TryGetValue(member.Text, out var position)) { text.Append(position); }
                        else { Write(items[i], top: false); }
                        text.Append(' ');
                    }
                    text.Append(']');
                    break;
                case Token token when numbers && double.TryParse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                    text.Append(number.ToString("R", CultureInfo.InvariantCulture));
                    break;
                case Token token:
                    text.Append(token.Marker).Append(token.Text);
                    break;
                default:
                    text.Append("(null)");
                    break;
            }
        }
    }

    /// <summary>A leaf of a reply: its RESP type marker and text.</summary>
    private sealed record Token(char Marker, string Text);

    private static object? Parse(string resp)
    {
        var position = 0;
        return Parse(resp, ref position);
    }

    private static object? Parse(string resp, ref int position)
    {
        var lineEnd = resp.IndexOf("\r\n", position, StringComparison.Ordinal);
        var (marker, body) = (resp[position], resp[(position + 1)..lineEnd]);
        position = lineEnd + 2;
        switch (marker)
        {
            case '_':
            case '$' or '*' when body == "-1":
                return null;
            case '$':
                var text = resp.Substring(position, int.Parse(body, CultureInfo.InvariantCulture));
                position += text.Length + 2;
                return new Token('$', text);
            case '*' or '~' or '%':
                var items = new object?[int.Parse(body, CultureInfo.InvariantCulture) * (marker == '%' ? 2 : 1)];
                for (var i = 0; i < items.Length; i++) { items[i] = Parse(resp, ref position); }
                return items;
            default:
                return new Token(marker, body);
        }
    }
}
