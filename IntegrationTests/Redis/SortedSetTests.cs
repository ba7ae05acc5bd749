using Loop.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace Loop.IntegrationTests.Redis;

/// <summary>Sorted set commands over a real socket, with Redis 7's replies, reply types and error texts.</summary>
public sealed class SortedSetTests
{
    private const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task AddWithOptions(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);

        Assert.Equal(":3", await c.Ask("ZADD z 1 a 2 b 3 c"));
        Assert.Equal(":1", await c.Ask("ZADD z 10 a 4 d"));
        Assert.Equal(":1", await c.Ask("ZADD z NX 99 a 5 e"));
        Assert.Equal(":0", await c.Ask("ZADD z XX 1 a 6 f"));
        Assert.Equal(":1", await c.Ask("ZADD z CH 1 a 7 g 7 g"));
        // GT and LT only hold back updates, never additions.
        Assert.Equal(":2", await c.Ask("ZADD z GT CH 0 a 20 b 8 h"));
        Assert.Equal(":2", await c.Ask("ZADD z LT CH 2 c 3 d 40 e"));
        Assert.Equal("[a 1 c 2 d 3 e 5 g 7 h 8 b 20]", await c.Ask("ZRANGE z 0 -1 WITHSCORES"));

        Assert.Equal("3.5", await c.Ask("ZADD z INCR 2.5 a"));
        Assert.Equal("(nil)", await c.Ask("ZADD z NX INCR 1 a"));
        Assert.Equal("(nil)", await c.Ask("ZADD z GT INCR -1 a"));
        Assert.Equal("(nil)", await c.Ask("ZADD z XX INCR 1 nobody"));
        Assert.Equal("4.5", await c.Ask("ZINCRBY z 1 a"));
        Assert.Equal("-2", await c.Ask("ZINCRBY z -2 newcomer"));
        Assert.Equal(":0", await c.Ask("ZADD missing XX 1 a"));
        Assert.Equal(":0", await c.Ask("EXISTS missing"));
        Assert.Equal("inf", await c.Ask("ZADD z INCR +inf a"));
        Assert.Equal("-ERR resulting score is not a number (NaN)", await c.Ask("ZINCRBY z -inf a"));

        Assert.Equal("-ERR syntax error", await c.Ask("ZADD z 1 a 2"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZADD z NX 1"));
        Assert.Equal("-ERR value is not a valid float", await c.Ask("ZADD z FOO a"));
        Assert.Equal("-ERR value is not a valid float", await c.Ask("ZADD z 1 a nan b"));
        Assert.Equal("-ERR value is not a valid float", await c.Ask("ZINCRBY z x a"));
        Assert.Equal("-ERR XX and NX options at the same time are not compatible", await c.Ask("ZADD z NX XX 1 a"));
        Assert.Equal("-ERR GT, LT, and/or NX options at the same time are not compatible", await c.Ask("ZADD z GT LT 1 a"));
        Assert.Equal("-ERR GT, LT, and/or NX options at the same time are not compatible", await c.Ask("ZADD z NX GT 1 a"));
        Assert.Equal("-ERR INCR option supports a single increment-element pair", await c.Ask("ZADD z INCR 1 a 2 b"));
        // A bad score anywhere changes nothing.
        Assert.Equal("-ERR value is not a valid float", await c.Ask("ZADD z 1 fresh x other"));
        Assert.Equal("(nil)", await c.Ask("ZSCORE z fresh"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task ScoresRemovalAndCardinality(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD z 1.5 a -2 b 1e20 c");

        Assert.Equal("1.5", await c.Ask("ZSCORE z a"));
        Assert.Equal("1e+20", await c.Ask("ZSCORE z c"));
        Assert.Equal("(nil)", await c.Ask("ZSCORE z x"));
        Assert.Equal("(nil)", await c.Ask("ZSCORE missing a"));
        Assert.Equal("[-2 (nil) 1.5]", await c.Ask("ZMSCORE z b x a"));
        Assert.Equal("[(nil) (nil)]", await c.Ask("ZMSCORE missing a b"));
        Assert.Equal(":3", await c.Ask("ZCARD z"));
        Assert.Equal(":0", await c.Ask("ZCARD missing"));
        Assert.Equal(":2", await c.Ask("ZREM z a x c"));
        Assert.Equal(":0", await c.Ask("ZREM missing a"));
        Assert.Equal("+zset", await c.Ask("TYPE z"));
        Assert.Equal(":1", await c.Ask("ZREM z b"));
        Assert.Equal(":0", await c.Ask("EXISTS z"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task RankAndCount(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        // Equal scores order by member bytes.
        await c.Ask("ZADD z 1 a 2 b 2 c 3 d");

        Assert.Equal(":0", await c.Ask("ZRANK z a"));
        Assert.Equal(":2", await c.Ask("ZRANK z c"));
        Assert.Equal(":3", await c.Ask("ZREVRANK z a"));
        Assert.Equal("(nil)", await c.Ask("ZRANK z x"));
        Assert.Equal("(nil)", await c.Ask("ZREVRANK missing x"));
        // WITHSCORE is Redis 7.2's: 7.0 has ZRANK take two arguments.
        Assert.Equal("-ERR wrong number of arguments for 'zrank' command", await c.Ask("ZRANK z b WITHSCORE"));
        Assert.Equal("-ERR wrong number of arguments for 'zrevrank' command", await c.Ask("ZREVRANK z d withscore"));

        Assert.Equal(":4", await c.Ask("ZCOUNT z -inf +inf"));
        Assert.Equal(":3", await c.Ask("ZCOUNT z 2 3"));
        Assert.Equal(":2", await c.Ask("ZCOUNT z (1 (3"));
        Assert.Equal(":0", await c.Ask("ZCOUNT z (2 2"));
        Assert.Equal(":0", await c.Ask("ZCOUNT z 3 1"));
        Assert.Equal(":0", await c.Ask("ZCOUNT missing -inf +inf"));
        Assert.Equal("-ERR min or max is not a float", await c.Ask("ZCOUNT z 1 x"));
        Assert.Equal("-ERR min or max is not a float", await c.Ask("ZCOUNT z (x 1"));

        await c.Ask("ZADD lex 0 a 0 b 0 c 0 d");
        Assert.Equal(":4", await c.Ask("ZLEXCOUNT lex - +"));
        Assert.Equal(":2", await c.Ask("ZLEXCOUNT lex [b (d"));
        Assert.Equal(":0", await c.Ask("ZLEXCOUNT lex + -"));
        Assert.Equal(":0", await c.Ask("ZLEXCOUNT missing - +"));
        Assert.Equal("-ERR min or max not valid string range item", await c.Ask("ZLEXCOUNT lex a c"));
        Assert.Equal("-ERR min or max not valid string range item", await c.Ask("ZLEXCOUNT lex [a ++"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task RangeByRankScoreAndLex(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD z 1 a 2 b 3 c 4 d 5 e");

        Assert.Equal("[a b c d e]", await c.Ask("ZRANGE z 0 -1"));
        Assert.Equal("[d 4 e 5]", await c.Ask("ZRANGE z -2 -1 WITHSCORES"));
        Assert.Equal("[a b c d e]", await c.Ask("ZRANGE z -100 100"));
        Assert.Equal("[]", await c.Ask("ZRANGE z 3 1"));
        Assert.Equal("[]", await c.Ask("ZRANGE z 5 10"));
        Assert.Equal("[e d]", await c.Ask("ZRANGE z 0 1 REV"));
        Assert.Equal("[e 5 d 4]", await c.Ask("ZREVRANGE z 0 1 WITHSCORES"));
        Assert.Equal("[]", await c.Ask("ZRANGE missing 0 -1"));

        Assert.Equal("[b c d]", await c.Ask("ZRANGE z (1 4 BYSCORE"));
        Assert.Equal("[b c]", await c.Ask("ZRANGE z -inf +inf BYSCORE LIMIT 1 2"));
        Assert.Equal("[b c d e]", await c.Ask("ZRANGE z -inf +inf BYSCORE LIMIT 1 -1"));
        Assert.Equal("[]", await c.Ask("ZRANGE z -inf +inf BYSCORE LIMIT -1 2"));
        Assert.Equal("[d 4 c 3]", await c.Ask("ZRANGE z (5 -inf BYSCORE REV LIMIT 0 2 WITHSCORES"));
        Assert.Equal("[a 1 b 2]", await c.Ask("ZRANGEBYSCORE z -inf 2 WITHSCORES"));
        Assert.Equal("[c d]", await c.Ask("ZRANGEBYSCORE z 2 5 LIMIT 1 2"));
        Assert.Equal("[e d c]", await c.Ask("ZREVRANGEBYSCORE z +inf 3"));
        Assert.Equal("[]", await c.Ask("ZREVRANGEBYSCORE z 1 3"));

        await c.Ask("ZADD lex 0 a 0 b 0 c 0 d 0 e");
        Assert.Equal("[a b c d e]", await c.Ask("ZRANGEBYLEX lex - +"));
        Assert.Equal("[b c d]", await c.Ask("ZRANGEBYLEX lex [b (e"));
        Assert.Equal("[c d]", await c.Ask("ZRANGEBYLEX lex (b [d"));
        Assert.Equal("[c d]", await c.Ask("ZRANGEBYLEX lex - + LIMIT 2 2"));
        Assert.Equal("[]", await c.Ask("ZRANGEBYLEX lex + -"));
        Assert.Equal("[d c b]", await c.Ask("ZRANGE lex [d [b BYLEX REV"));
        Assert.Equal("[e d]", await c.Ask("ZREVRANGEBYLEX lex + (c"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task RangeOptionErrors(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD z 1 a");

        Assert.Equal("-ERR syntax error", await c.Ask("ZRANGE z 0 1 FOO"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZRANGE z 0 1 REV REV"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZRANGE z 0 1 BYSCORE BYLEX"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZRANGEBYSCORE z 0 1 REV"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZRANGE z 0 1 BYSCORE LIMIT 1"));
        Assert.Equal("-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX", await c.Ask("ZRANGE z 0 1 LIMIT 0 1"));
        Assert.Equal("-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX", await c.Ask("ZREVRANGE z 0 1 LIMIT 0 1"));
        Assert.Equal("-ERR syntax error, WITHSCORES not supported in combination with BYLEX", await c.Ask("ZRANGE z - + BYLEX WITHSCORES"));
        Assert.Equal("-ERR value is not an integer or out of range", await c.Ask("ZRANGE z x 1"));
        Assert.Equal("-ERR value is not an integer or out of range", await c.Ask("ZRANGE z 0 1 BYSCORE LIMIT x 1"));
        Assert.Equal("-ERR min or max is not a float", await c.Ask("ZRANGEBYSCORE z a b"));
        Assert.Equal("-ERR min or max not valid string range item", await c.Ask("ZRANGEBYLEX z a b"));
        Assert.Equal("-ERR wrong number of arguments for 'zrange' command", await c.Ask("ZRANGE z 0"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task RangeStore(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD z 1 a 2 b 3 c");
        await c.Ask("SET text v");

        Assert.Equal(":2", await c.Ask("ZRANGESTORE out z 0 1"));
        Assert.Equal("[a 1 b 2]", await c.Ask("ZRANGE out 0 -1 WITHSCORES"));
        Assert.Equal(":2", await c.Ask("ZRANGESTORE out z (1 +inf BYSCORE"));
        Assert.Equal("[b c]", await c.Ask("ZRANGE out 0 -1"));
        Assert.Equal(":1", await c.Ask("ZRANGESTORE text z 0 0 REV"));
        Assert.Equal("[c]", await c.Ask("ZRANGE text 0 -1"));
        Assert.Equal(":0", await c.Ask("ZRANGESTORE out missing 0 -1"));
        Assert.Equal(":0", await c.Ask("EXISTS out"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZRANGESTORE out z 0 1 WITHSCORES"));
        await c.Ask("SET text v");
        Assert.Equal(WrongType, await c.Ask("ZRANGESTORE out text 0 1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task PopLowestAndHighest(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD z 1 a 2 b 3 c 4 d 5 e");

        Assert.Equal("[a 1]", await c.Ask("ZPOPMIN z"));
        Assert.Equal("[e 5]", await c.Ask("ZPOPMAX z"));
        Assert.Equal("[b 2 c 3]", await c.Ask("ZPOPMIN z 2"));
        Assert.Equal("[]", await c.Ask("ZPOPMAX z 0"));
        Assert.Equal("[d 4]", await c.Ask("ZPOPMAX z 10"));
        Assert.Equal(":0", await c.Ask("EXISTS z"));
        Assert.Equal("[]", await c.Ask("ZPOPMIN missing"));
        Assert.Equal("[]", await c.Ask("ZPOPMIN missing 2"));
        Assert.Equal("-ERR value is out of range, must be positive", await c.Ask("ZPOPMIN z -1"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZPOPMIN z 1 2"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task ScanSmallSetInOrderAndLargeSetByCursor(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD small 3 c 1 a 2.5 b");
        Assert.Equal("[0 [a 1 b 2.5 c 3]]", await c.Ask("ZSCAN small 0"));
        Assert.Equal("[0 [b 2.5]]", await c.Ask("ZSCAN small 0 MATCH b"));
        Assert.Equal("[0 []]", await c.Ask("ZSCAN missing 0"));
        Assert.Equal("-ERR invalid cursor", await c.Ask("ZSCAN small 1x"));
        Assert.Equal("[0 [a 1 b 2.5 c 3]]", await c.Ask("ZSCAN small -1")); // read as strtoul reads it: 2^64 - 1

        await c.AskArgs(["ZADD", "large", .. Enumerable.Range(0, 500).SelectMany(i => new[] { $"{i}", $"m{i}" })]);
        var seen = new Dictionary<string, string>();
        var cursor = "0";
        for (var calls = 0; calls < 100 && (calls == 0 || cursor != "0"); calls++)
        {
            var items = (await c.Ask($"ZSCAN large {cursor} COUNT 40")).Trim('[', ']').Replace("[", "").Split(' ');
            cursor = items[0];
            for (var i = 1; i + 1 < items.Length; i += 2) { seen[items[i]] = items[i + 1]; }
            await c.Ask($"ZREM large m{499 - calls}");
        }
        Assert.Equal("0", cursor);
        Assert.All(Enumerable.Range(0, 450), i => Assert.Equal($"{i}", seen[$"m{i}"]));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task RanksMatchASortedModel(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        var random = new Random(7);
        var model = new Dictionary<string, int>();
        for (var round = 0; round < 20; round++)
        {
            var pairs = Enumerable.Range(0, 50).Select(_ => ($"m{random.Next(600)}", random.Next(-100, 100))).ToList();
            await c.AskArgs(["ZADD", "z", .. pairs.SelectMany(p => new[] { $"{p.Item2}", p.Item1 })]);
            foreach (var (member, score) in pairs) { model[member] = score; }
            var removed = $"m{random.Next(600)}";
            await c.Ask($"ZREM z {removed}");
            model.Remove(removed);
        }
        var ordered = model.OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).ToList();

        Assert.Equal($":{ordered.Count}", await c.Ask("ZCARD z"));
        Assert.Equal($"[{string.Join(' ', ordered)}]", await c.Ask("ZRANGE z 0 -1"));
        foreach (var rank in new[] { 0, 1, ordered.Count / 3, ordered.Count / 2, ordered.Count - 1 })
        {
            Assert.Equal($":{rank}", await c.Ask($"ZRANK z {ordered[rank]}"));
            Assert.Equal($":{ordered.Count - 1 - rank}", await c.Ask($"ZREVRANK z {ordered[rank]}"));
            Assert.Equal(ordered[rank], (await c.Ask($"ZRANGE z {rank} {rank}")).Trim('[', ']'));
        }
        var inRange = model.Values.Count(score => score > -20 && score <= 30);
        Assert.Equal($":{inRange}", await c.Ask("ZCOUNT z (-20 30"));
        Assert.Equal(string.Join(' ', ordered.Where(m => model[m] > -20 && model[m] <= 30).Reverse().Take(7)),
            (await c.Ask("ZREVRANGEBYSCORE z 30 (-20 LIMIT 0 7")).Trim('[', ']'));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Resp3RepliesDoublesAndPairs(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("HELLO 3");
        await c.Ask("ZADD z 1 a 2.5 b 3 c");

        Assert.Equal(",2.5", await c.Ask("ZSCORE z b"));
        Assert.Equal("_", await c.Ask("ZSCORE z x"));
        Assert.Equal("[,1 _]", await c.Ask("ZMSCORE z a x"));
        Assert.Equal(",3.5", await c.Ask("ZINCRBY z 1 b"));
        Assert.Equal(",4", await c.Ask("ZADD z INCR 1 c"));
        Assert.Equal("_", await c.Ask("ZADD z NX INCR 1 c"));
        Assert.Equal("[[a ,1] [b ,3.5]]", await c.Ask("ZRANGE z 0 1 WITHSCORES"));
        Assert.Equal("[[c ,4]]", await c.Ask("ZRANGEBYSCORE z (3.5 +inf WITHSCORES"));
        Assert.Equal("[a b c]", await c.Ask("ZRANGE z 0 -1"));
        Assert.Equal("_", await c.Ask("ZRANK z x"));
        // ZSCAN's scores stay bulk strings in RESP3, as in Redis.
        Assert.Equal("[0 [a 1 b 3.5 c 4]]", await c.Ask("ZSCAN z 0"));
        // ZPOPMIN without a count is flat; with one, pairs.
        Assert.Equal("[a ,1]", await c.Ask("ZPOPMIN z"));
        Assert.Equal("[[c ,4]]", await c.Ask("ZPOPMAX z 1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task WrongTypeAndWatch(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        var writer = await SetTestClient.ConnectAsync(redis);
        await c.Ask("SADD set a");

        foreach (var command in new[] { "ZADD set 1 a", "ZINCRBY set 1 a", "ZREM set a", "ZSCORE set a", "ZMSCORE set a", "ZCARD set", "ZCOUNT set 0 1",
                     "ZLEXCOUNT set - +", "ZRANK set a", "ZRANGE set 0 1", "ZRANGEBYLEX set - +", "ZPOPMIN set", "ZSCAN set 0" })
        {
            Assert.Equal(WrongType, await c.Ask(command));
        }

        foreach (var change in new[] { "ZADD z 5 new", "ZINCRBY z 1 a", "ZREM z new", "ZPOPMAX z" })
        {
            await writer.Ask("ZADD z 1 a 2 b");
            await c.Ask("WATCH z");
            await c.Ask("MULTI");
            await c.Ask("ZCARD z");
            await writer.Ask(change);
            Assert.Equal("(nil array)", await c.Ask("EXEC"));
        }
        await c.Ask("WATCH z");
        await c.Ask("MULTI");
        await c.Ask("ZCARD z");
        await writer.Ask("ZADD z 1 a");
        Assert.Equal("[:1]", await c.Ask("EXEC"));
    }

    [Theory]
    [MemberData(nameof(StackExchangeTests.BackendsAndProtocols), MemberType = typeof(StackExchangeTests))]
    public async Task StackExchangeRedisUsesSortedSets(Backend backend, string options)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var db = (await redis.ConnectMultiplexerAsync(options)).GetDatabase();

        Assert.Equal(3, await db.SortedSetAddAsync("z", [new("a", 1), new("b", 2.5), new("c", 3)]));
        Assert.Equal(2.5, await db.SortedSetScoreAsync("z", "b"));
        Assert.Equal(new double?[] { 1, null }, await db.SortedSetScoresAsync("z", ["a", "x"]));
        Assert.Equal(4.5, await db.SortedSetIncrementAsync("z", "b", 2));
        Assert.Equal(1, await db.SortedSetRankAsync("z", "c"));
        Assert.Equal(0, await db.SortedSetRankAsync("z", "b", Order.Descending));
        Assert.Equal(["a:1", "c:3", "b:4.5"], (await db.SortedSetRangeByRankWithScoresAsync("z")).Select(e => $"{e.Element}:{e.Score}"));
        Assert.Equal(["b", "c"], (await db.SortedSetRangeByScoreAsync("z", 2, double.PositiveInfinity, order: Order.Descending)).Select(v => v.ToString()));
        Assert.Equal(2, await db.SortedSetLengthAsync("z", 1, 3));
        await db.SortedSetAddAsync("lex", [new("a", 0), new("b", 0), new("c", 0)]);
        Assert.Equal(["a", "b"], (await db.SortedSetRangeByValueAsync("lex", "a", "b")).Select(v => v.ToString()));
        Assert.Equal(2, await db.SortedSetRangeAndStoreAsync("z", "copy", 0, 1));
        Assert.Equal("a", (await db.SortedSetPopAsync("z"))?.Element.ToString());
        Assert.Equal(["b:4.5"], (await db.SortedSetPopAsync("z", 1, Order.Descending)).Select(e => $"{e.Element}:{e.Score}"));
        Assert.True(await db.SortedSetRemoveAsync("copy", "c"));
        var scanned = new List<string>();
        await foreach (var entry in db.SortedSetScanAsync("copy")) { scanned.Add($"{entry.Element}:{entry.Score}"); }
        Assert.Equal(["a:1"], scanned);
        Assert.Equal(1, await db.SortedSetLengthAsync("z"));
    }
}
