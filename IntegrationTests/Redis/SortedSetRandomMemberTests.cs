using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>ZRANDMEMBER with and without a count and scores, with Redis 7's replies, reply types and error texts.</summary>
public sealed class SortedSetRandomMemberTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task RandomMembersWithAndWithoutRepeats(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD z 1 a 2 b 3 c 4 d 5 e");

        Assert.Matches("^[abcde]$", await c.Ask("ZRANDMEMBER z"));
        var singles = new HashSet<string>();
        for (var i = 0; i < 50; i++) { singles.Add(await c.Ask("ZRANDMEMBER z")); }
        Assert.True(singles.Count > 1, "fifty picks all gave the same member");

        // A count covering the set answers all of it, highest score first as Redis does.
        Assert.Equal("[e d c b a]", await c.Ask("ZRANDMEMBER z 10"));
        Assert.Equal("[e 5 d 4 c 3 b 2 a 1]", await c.Ask("ZRANDMEMBER z 5 WITHSCORES"));
        var three = Members(await c.Ask("ZRANDMEMBER z 3"));
        Assert.Equal(3, three.Distinct().Count());
        Assert.All(three, member => Assert.Matches("^[abcde]$", member));
        AssertScoresMatch(await c.Ask("ZRANDMEMBER z 2 withscores"), pairs: 2);

        // A negative count may repeat members and returns exactly that many.
        Assert.Matches(@"^\[([abcde] ){19}[abcde]\]$", await c.Ask("ZRANDMEMBER z -20"));
        AssertScoresMatch(await c.Ask("ZRANDMEMBER z -8 WITHSCORES"), pairs: 8);
        Assert.Equal("[]", await c.Ask("ZRANDMEMBER z 0"));

        Assert.Equal("(nil)", await c.Ask("ZRANDMEMBER missing"));
        Assert.Equal("[]", await c.Ask("ZRANDMEMBER missing 3"));
        Assert.Equal("[]", await c.Ask("ZRANDMEMBER missing -3 WITHSCORES"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task ArgumentErrorsAndWrongType(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD z 1 a");
        await c.Ask("SADD set a");

        Assert.Equal("-ERR value is not an integer or out of range", await c.Ask("ZRANDMEMBER z x"));
        Assert.Equal("-ERR value is not an integer or out of range", await c.Ask("ZRANDMEMBER z x WITHSCORES"));
        Assert.Equal("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
            await c.Ask("ZRANDMEMBER z -9223372036854775808"));
        Assert.Equal("-ERR value is out of range", await c.Ask("ZRANDMEMBER z 9223372036854775807 WITHSCORES"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZRANDMEMBER z 1 WITHSCORE"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZRANDMEMBER z 1 WITHSCORES x"));
        Assert.Equal("-ERR wrong number of arguments for 'zrandmember' command", await c.Ask("ZRANDMEMBER"));
        Assert.Equal(SetTestClient.WrongType, await c.Ask("ZRANDMEMBER set"));
        Assert.Equal(SetTestClient.WrongType, await c.Ask("ZRANDMEMBER set -1 WITHSCORES"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Resp3RepliesMemberScorePairs(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("HELLO 3");
        await c.Ask("ZADD z 1 a 2.5 b");

        Assert.Equal("[[b ,2.5] [a ,1]]", await c.Ask("ZRANDMEMBER z 2 WITHSCORES"));
        Assert.Matches(@"^\[(\[a ,1\]|\[b ,2\.5\]) (\[a ,1\]|\[b ,2\.5\]) (\[a ,1\]|\[b ,2\.5\])\]$", await c.Ask("ZRANDMEMBER z -3 WITHSCORES"));
        Assert.Equal("[b a]", await c.Ask("ZRANDMEMBER z 2"));
        Assert.Equal("_", await c.Ask("ZRANDMEMBER missing"));
        Assert.Equal("[]", await c.Ask("ZRANDMEMBER missing 2 WITHSCORES"));
    }

    [Theory]
    [MemberData(nameof(StackExchangeTests.BackendsAndProtocols), MemberType = typeof(StackExchangeTests))]
    public async Task StackExchangeRedisPicksRandomMembers(Backend backend, string options)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var db = (await redis.ConnectMultiplexerAsync(options)).GetDatabase();
        await db.SortedSetAddAsync("z", [new("a", 1), new("b", 2), new("c", 3), new("d", 4)]);

        Assert.Matches("^[abcd]$", (await db.SortedSetRandomMemberAsync("z")).ToString());
        Assert.True((await db.SortedSetRandomMemberAsync("missing")).IsNull);
        var three = await db.SortedSetRandomMembersAsync("z", 3);
        Assert.Equal(3, three.Distinct().Count());
        Assert.Equal(6, (await db.SortedSetRandomMembersAsync("z", -6)).Length);
        var scored = await db.SortedSetRandomMembersWithScoresAsync("z", 2);
        Assert.Equal(2, scored.Length);
        Assert.All(scored, entry => Assert.Equal("abcd"[(int)entry.Score - 1].ToString(), entry.Element.ToString()));
        Assert.Equal(["d:4", "c:3", "b:2", "a:1"], (await db.SortedSetRandomMembersWithScoresAsync("z", 10)).Select(e => $"{e.Element}:{e.Score}"));
    }

    private static string[] Members(string reply) => reply.Trim('[', ']').Split(' ');

    // Scores in "z" are 1 for a, 2 for b and so on: every pair must carry its member's own score.
    private static void AssertScoresMatch(string reply, int pairs)
    {
        var items = Members(reply);
        Assert.Equal(pairs * 2, items.Length);
        for (var i = 0; i < items.Length; i += 2)
        {
            Assert.Matches("^[abcde]$", items[i]);
            Assert.Equal($"{items[i][0] - 'a' + 1}", items[i + 1]);
        }
    }
}
