using Loop.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace Loop.IntegrationTests.Redis;

/// <summary>ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD, with Redis 7's replies, reply types and error texts.</summary>
public sealed class SortedSetAlgebraTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task UnionIntersectionDifferenceAndCardinality(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD x 1 a 2 b 3 c");
        await c.Ask("ZADD y 10 b 20 c 30 d");

        Assert.Equal("[a b c d]", await c.Ask("ZUNION 2 x y"));
        Assert.Equal("[a 1 b 12 c 23 d 30]", await c.Ask("ZUNION 2 x y WITHSCORES"));
        Assert.Equal("[b 12 c 23]", await c.Ask("zinter 2 x y withscores"));
        Assert.Equal("[a 1]", await c.Ask("ZDIFF 2 x y WITHSCORES"));
        Assert.Equal("[d]", await c.Ask("ZDIFF 2 y x"));
        Assert.Equal("[a b c]", await c.Ask("ZUNION 2 x missing"));
        Assert.Equal("[]", await c.Ask("ZINTER 2 x missing"));
        Assert.Equal("[]", await c.Ask("ZDIFF 2 missing x"));
        Assert.Equal("[a 2 b 4 c 6]", await c.Ask("ZINTER 2 x x WITHSCORES"));

        Assert.Equal(":2", await c.Ask("ZINTERCARD 2 x y"));
        Assert.Equal(":1", await c.Ask("ZINTERCARD 2 x y LIMIT 1"));
        Assert.Equal(":2", await c.Ask("ZINTERCARD 2 x y LIMIT 0"));
        Assert.Equal(":3", await c.Ask("ZINTERCARD 1 x"));
        Assert.Equal(":0", await c.Ask("ZINTERCARD 2 x missing"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task WeightsAndAggregate(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD x 1 a 2 b 3 c");
        await c.Ask("ZADD y 10 b 20 c 30 d");

        Assert.Equal("[a 2 b 9 d 15 c 16]", await c.Ask("ZUNION 2 x y WEIGHTS 2 0.5 WITHSCORES"));
        Assert.Equal("[a 1 b 2 c 3 d 30]", await c.Ask("ZUNION 2 x y AGGREGATE MIN WITHSCORES"));
        Assert.Equal("[b 10 c 20]", await c.Ask("ZINTER 2 x y AGGREGATE max WITHSCORES"));
        Assert.Equal("[c -17 b -8]", await c.Ask("ZINTER 2 x y WEIGHTS 1 -1 AGGREGATE SUM WITHSCORES"));
        // The last AGGREGATE wins, as in Redis.
        Assert.Equal("[b 2 c 3]", await c.Ask("ZINTER 2 x y AGGREGATE MAX AGGREGATE MIN WITHSCORES"));
        Assert.Equal(":4", await c.Ask("ZUNIONSTORE out 2 x y WEIGHTS 2 0.5 AGGREGATE MAX"));
        Assert.Equal("[a 2 b 5 c 10 d 15]", await c.Ask("ZRANGE out 0 -1 WITHSCORES"));

        // inf + -inf and 0 × inf are NaN, which Redis turns into 0.
        await c.Ask("ZADD high +inf a");
        await c.Ask("ZADD low -inf a");
        Assert.Equal("[a 0]", await c.Ask("ZUNION 2 high low WITHSCORES"));
        Assert.Equal("[a 0]", await c.Ask("ZINTER 1 high WEIGHTS 0 WITHSCORES"));
        Assert.Equal("[a -inf]", await c.Ask("ZINTER 2 high low AGGREGATE MIN WITHSCORES"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task PlainSetsCountAsScoreOne(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("SADD s a b e");
        await c.Ask("ZADD x 1 a 2 b 3 c");

        Assert.Equal("[e 1 a 2 b 3 c 3]", await c.Ask("ZUNION 2 x s WITHSCORES"));
        Assert.Equal("[a 2 b 3]", await c.Ask("ZINTER 2 s x WITHSCORES"));
        Assert.Equal("[e 1]", await c.Ask("ZDIFF 2 s x WITHSCORES"));
        Assert.Equal("[c 3]", await c.Ask("ZDIFF 2 x s WITHSCORES"));
        Assert.Equal(":2", await c.Ask("ZINTERCARD 2 s x"));
        Assert.Equal(":3", await c.Ask("ZINTERSTORE out 2 s s WEIGHTS 1 4"));
        Assert.Equal("[a 5 b 5 e 5]", await c.Ask("ZRANGE out 0 -1 WITHSCORES"));
        Assert.Equal("+zset", await c.Ask("TYPE out"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task StoreReplacesOrDeletesTheDestination(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD x 1 a 2 b");
        await c.Ask("ZADD y 2 b 3 c");

        Assert.Equal(":3", await c.Ask("ZUNIONSTORE out 2 x y"));
        Assert.Equal("[a 1 c 3 b 4]", await c.Ask("ZRANGE out 0 -1 WITHSCORES"));
        Assert.Equal(":1", await c.Ask("ZDIFFSTORE out 2 x y"));
        Assert.Equal("[a 1]", await c.Ask("ZRANGE out 0 -1 WITHSCORES"));
        // Any type is replaced, and its TTL goes with it.
        await c.Ask("SET text v EX 100");
        Assert.Equal(":1", await c.Ask("ZINTERSTORE text 2 x y"));
        Assert.Equal("[b 4]", await c.Ask("ZRANGE text 0 -1 WITHSCORES"));
        Assert.Equal(":-1", await c.Ask("TTL text"));
        // A destination among the inputs is read before it is replaced.
        Assert.Equal(":3", await c.Ask("ZUNIONSTORE x 2 x y"));
        Assert.Equal("[a 1 c 3 b 4]", await c.Ask("ZRANGE x 0 -1 WITHSCORES"));

        Assert.Equal(":0", await c.Ask("ZINTERSTORE out 2 y missing"));
        Assert.Equal(":0", await c.Ask("EXISTS out"));
        Assert.Equal(":0", await c.Ask("ZDIFFSTORE text 2 y x"));
        Assert.Equal(":0", await c.Ask("EXISTS text"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task StoreFailsWatchingTransactionsOnlyWhenItChangesTheDestination(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var watcher = await SetTestClient.ConnectAsync(redis);
        var writer = await SetTestClient.ConnectAsync(redis);
        await writer.Ask("ZADD x 1 a");

        foreach (var change in new[] { "ZUNIONSTORE out 1 x", "ZINTERSTORE out 1 x", "ZDIFFSTORE out 1 x", "ZUNIONSTORE out 1 missing" })
        {
            await writer.Ask("ZADD out 5 z");
            Assert.Equal("(nil array)", await watcher.ExecAfter("out", "ZCARD out", writer, change));
        }
        // An empty result where no destination was deletes nothing.
        Assert.Equal("[:0]", await watcher.ExecAfter("out", "EXISTS out", writer, "ZINTERSTORE out 2 x missing"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task ArgumentErrorsAndWrongType(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD x 1 a");
        await c.Ask("ZADD y 1 a");
        await c.Ask("SET text v");

        Assert.Equal("-ERR at least 1 input key is needed for 'zunion' command", await c.Ask("ZUNION 0 x"));
        Assert.Equal("-ERR at least 1 input key is needed for 'zinterstore' command", await c.Ask("ZINTERSTORE out 0 x"));
        Assert.Equal("-ERR at least 1 input key is needed for 'zintercard' command", await c.Ask("ZINTERCARD -1 x"));
        Assert.Equal("-ERR value is not an integer or out of range", await c.Ask("ZDIFF x y"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZUNION 3 x y"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZINTERCARD 3 x y"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZUNION 2 x y WEIGHTS 1"));
        Assert.Equal("-ERR weight value is not a float", await c.Ask("ZUNION 2 x y WEIGHTS 1 heavy"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZUNION 2 x y AGGREGATE AVG"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZUNION 2 x y AGGREGATE"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZUNIONSTORE out 2 x y WITHSCORES"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZDIFF 2 x y WEIGHTS 1 1"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZDIFFSTORE out 2 x y AGGREGATE MIN"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZINTER 2 x y LIMIT 1"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZINTERCARD 2 x y WITHSCORES"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZINTERCARD 2 x y LIMIT"));
        Assert.Equal("-ERR LIMIT can't be negative", await c.Ask("ZINTERCARD 2 x y LIMIT -1"));
        Assert.Equal("-ERR wrong number of arguments for 'zunion' command", await c.Ask("ZUNION 1"));
        Assert.Equal("-ERR wrong number of arguments for 'zdiffstore' command", await c.Ask("ZDIFFSTORE out 1"));
        Assert.Equal("-ERR wrong number of arguments for 'zintercard' command", await c.Ask("ZINTERCARD 1"));

        foreach (var command in new[] { "ZUNION 2 x text", "ZINTER 2 text x", "ZDIFF 2 x text", "ZINTERCARD 2 x text", "ZDIFFSTORE out 1 text" })
        {
            Assert.Equal(SetTestClient.WrongType, await c.Ask(command));
        }
        // As in Redis, the keys are read before the options are.
        Assert.Equal(SetTestClient.WrongType, await c.Ask("ZUNION 2 x text WEIGHTS 1 heavy"));
        await c.Ask("ZADD out 1 kept");
        Assert.Equal(SetTestClient.WrongType, await c.Ask("ZUNIONSTORE out 2 x text"));
        Assert.Equal("[kept]", await c.Ask("ZRANGE out 0 -1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Resp3RepliesMemberScorePairs(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("HELLO 3");
        await c.Ask("ZADD x 1 a 2 b");
        await c.Ask("SADD s b c");

        Assert.Equal("[[a ,1] [c ,1] [b ,3]]", await c.Ask("ZUNION 2 x s WITHSCORES"));
        Assert.Equal("[[b ,3]]", await c.Ask("ZINTER 2 x s WITHSCORES"));
        Assert.Equal("[[a ,1]]", await c.Ask("ZDIFF 2 x s WITHSCORES"));
        Assert.Equal("[a c b]", await c.Ask("ZUNION 2 x s"));
        Assert.Equal("[]", await c.Ask("ZINTER 2 x missing WITHSCORES"));
        Assert.Equal(":1", await c.Ask("ZINTERCARD 2 x s"));
    }

    [Theory]
    [MemberData(nameof(StackExchangeTests.BackendsAndProtocols), MemberType = typeof(StackExchangeTests))]
    public async Task StackExchangeRedisCombinesSortedSets(Backend backend, string options)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var db = (await redis.ConnectMultiplexerAsync(options)).GetDatabase();
        await db.SortedSetAddAsync("x", [new("a", 1), new("b", 2), new("c", 3)]);
        await db.SortedSetAddAsync("y", [new("b", 10), new("c", 20), new("d", 30)]);

        Assert.Equal(["a", "b", "c", "d"], (await db.SortedSetCombineAsync(SetOperation.Union, ["x", "y"])).Select(v => v.ToString()));
        Assert.Equal(["a"], (await db.SortedSetCombineAsync(SetOperation.Difference, ["x", "y"])).Select(v => v.ToString()));
        Assert.Equal(["b:10", "c:20"], (await db.SortedSetCombineWithScoresAsync(SetOperation.Intersect, ["x", "y"], [2, 1], Aggregate.Max))
            .Select(e => $"{e.Element}:{e.Score}"));
        Assert.Equal(4, await db.SortedSetCombineAndStoreAsync(SetOperation.Union, "u", "x", "y", Aggregate.Min));
        Assert.Equal(["a:1", "b:2", "c:3", "d:30"], (await db.SortedSetRangeByRankWithScoresAsync("u")).Select(e => $"{e.Element}:{e.Score}"));
        Assert.Equal(2, await db.SortedSetCombineAndStoreAsync(SetOperation.Intersect, "i", ["x", "y"], [1, 0.5]));
        Assert.Equal(["b:7", "c:13"], (await db.SortedSetRangeByRankWithScoresAsync("i")).Select(e => $"{e.Element}:{e.Score}"));
        Assert.Equal(1, await db.SortedSetCombineAndStoreAsync(SetOperation.Difference, "d", ["y", "x"]));
        Assert.Equal(0, await db.SortedSetCombineAndStoreAsync(SetOperation.Difference, "d", ["x", "u"]));
        Assert.False(await db.KeyExistsAsync("d"));
        Assert.Equal(2, await db.SortedSetIntersectionLengthAsync(["x", "y"]));
        Assert.Equal(1, await db.SortedSetIntersectionLengthAsync(["x", "y"], limit: 1));
    }
}
