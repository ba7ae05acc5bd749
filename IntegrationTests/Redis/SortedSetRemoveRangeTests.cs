using Loop.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace Loop.IntegrationTests.Redis;

/// <summary>ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX, with Redis 7's replies and error texts.</summary>
public sealed class SortedSetRemoveRangeTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task RemoveByRankScoreAndLex(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD z 1 a 2 b 3 c 4 d 5 e");

        Assert.Equal(":2", await c.Ask("ZREMRANGEBYRANK z 0 1"));
        Assert.Equal("[c d e]", await c.Ask("ZRANGE z 0 -1"));
        Assert.Equal(":1", await c.Ask("ZREMRANGEBYRANK z -1 -1"));
        Assert.Equal("[c d]", await c.Ask("ZRANGE z 0 -1"));
        Assert.Equal(":0", await c.Ask("ZREMRANGEBYRANK z 5 10"));
        Assert.Equal(":0", await c.Ask("ZREMRANGEBYRANK z 1 0"));
        Assert.Equal(":0", await c.Ask("ZREMRANGEBYRANK missing 0 -1"));

        await c.Ask("ZADD z 1 a 2 b 5 e");
        Assert.Equal(":2", await c.Ask("ZREMRANGEBYSCORE z (1 3"));
        Assert.Equal("[a d e]", await c.Ask("ZRANGE z 0 -1"));
        Assert.Equal(":1", await c.Ask("ZREMRANGEBYSCORE z -inf (4"));
        Assert.Equal(":0", await c.Ask("ZREMRANGEBYSCORE z 10 +inf"));
        Assert.Equal(":0", await c.Ask("ZREMRANGEBYSCORE z 5 1"));
        Assert.Equal(":0", await c.Ask("ZREMRANGEBYSCORE missing -inf +inf"));
        Assert.Equal("[d e]", await c.Ask("ZRANGE z 0 -1"));

        await c.Ask("ZADD lex 0 a 0 b 0 c 0 d 0 e");
        Assert.Equal(":2", await c.Ask("ZREMRANGEBYLEX lex [b (d"));
        Assert.Equal("[a d e]", await c.Ask("ZRANGE lex 0 -1"));
        Assert.Equal(":2", await c.Ask("ZREMRANGEBYLEX lex - (e"));
        Assert.Equal(":0", await c.Ask("ZREMRANGEBYLEX lex (e +"));
        Assert.Equal(":0", await c.Ask("ZREMRANGEBYLEX missing - +"));
        Assert.Equal("[e]", await c.Ask("ZRANGE lex 0 -1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task RemovingEverythingDeletesTheKey(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD rank 1 a 2 b");
        await c.Ask("ZADD score 1 a 2 b");
        await c.Ask("ZADD lex 0 a 0 b");

        Assert.Equal(":2", await c.Ask("ZREMRANGEBYRANK rank 0 -1"));
        Assert.Equal(":2", await c.Ask("ZREMRANGEBYSCORE score -inf +inf"));
        Assert.Equal(":2", await c.Ask("ZREMRANGEBYLEX lex - +"));
        Assert.Equal(":0", await c.Ask("EXISTS rank score lex"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task RanksStayRightAfterRemovingTheMiddleOfALargeSet(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.AskArgs(["ZADD", "z", .. Enumerable.Range(0, 300).SelectMany(i => new[] { $"{i}", $"m{i}" })]);

        Assert.Equal(":100", await c.Ask("ZREMRANGEBYRANK z 100 199"));
        Assert.Equal(":200", await c.Ask("ZCARD z"));
        Assert.Equal("[m99 m200]", await c.Ask("ZRANGE z 99 100"));
        Assert.Equal(":150", await c.Ask("ZRANK z m250"));
        Assert.Equal(":50", await c.Ask("ZREMRANGEBYSCORE z 250 +inf"));
        Assert.Equal("[m249]", await c.Ask("ZRANGE z -1 -1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task ErrorsWrongTypeAndWatch(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        var writer = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD z 1 a");
        await c.Ask("SET text v");

        Assert.Equal("-ERR value is not an integer or out of range", await c.Ask("ZREMRANGEBYRANK z x 1"));
        Assert.Equal("-ERR min or max is not a float", await c.Ask("ZREMRANGEBYSCORE z a 1"));
        Assert.Equal("-ERR min or max not valid string range item", await c.Ask("ZREMRANGEBYLEX z a b"));
        Assert.Equal("-ERR wrong number of arguments for 'zremrangebyrank' command", await c.Ask("ZREMRANGEBYRANK z 0"));
        Assert.Equal("-ERR wrong number of arguments for 'zremrangebyscore' command", await c.Ask("ZREMRANGEBYSCORE z 0 1 2"));
        Assert.Equal(SetTestClient.WrongType, await c.Ask("ZREMRANGEBYRANK text 0 -1"));
        Assert.Equal(SetTestClient.WrongType, await c.Ask("ZREMRANGEBYSCORE text -inf +inf"));
        Assert.Equal(SetTestClient.WrongType, await c.Ask("ZREMRANGEBYLEX text - +"));
        // As in Redis, the range is checked before the key.
        Assert.Equal("-ERR min or max is not a float", await c.Ask("ZREMRANGEBYSCORE text a b"));

        foreach (var change in new[] { "ZREMRANGEBYRANK z 0 0", "ZREMRANGEBYSCORE z 2 2", "ZREMRANGEBYLEX z [b [b", "ZREMRANGEBYRANK z 0 -1" })
        {
            await writer.Ask("ZADD z 1 a 2 b");
            Assert.Equal("(nil array)", await c.ExecAfter("z", "ZCARD z", writer, change));
        }
        // Removing nothing leaves the transaction alone.
        await writer.Ask("ZADD z 1 a");
        Assert.Equal("[:1]", await c.ExecAfter("z", "ZCARD z", writer, "ZREMRANGEBYSCORE z 10 20"));
    }

    [Theory]
    [MemberData(nameof(StackExchangeTests.BackendsAndProtocols), MemberType = typeof(StackExchangeTests))]
    public async Task StackExchangeRedisRemovesRanges(Backend backend, string options)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var db = (await redis.ConnectMultiplexerAsync(options)).GetDatabase();
        await db.SortedSetAddAsync("z", [new("a", 1), new("b", 2), new("c", 3), new("d", 4), new("e", 5)]);
        await db.SortedSetAddAsync("lex", [new("a", 0), new("b", 0), new("c", 0), new("d", 0)]);

        Assert.Equal(2, await db.SortedSetRemoveRangeByRankAsync("z", 0, 1));
        Assert.Equal(1, await db.SortedSetRemoveRangeByScoreAsync("z", 3, 4, Exclude.Start));
        Assert.Equal(["c", "e"], (await db.SortedSetRangeByRankAsync("z")).Select(v => v.ToString()));
        Assert.Equal(2, await db.SortedSetRemoveRangeByValueAsync("lex", "b", "d", Exclude.Stop));
        Assert.Equal(["a", "d"], (await db.SortedSetRangeByRankAsync("lex")).Select(v => v.ToString()));
        Assert.Equal(2, await db.SortedSetRemoveRangeByValueAsync("lex", "a", "d"));
        Assert.False(await db.KeyExistsAsync("lex"));
    }
}
