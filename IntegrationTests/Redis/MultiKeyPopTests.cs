using Loop.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// LMPOP, ZMPOP, and BLMPOP, BZMPOP, BZPOPMIN, BZPOPMAX when a key already holds something: Redis 7's replies in
/// RESP2 and RESP3, its argument checks and error texts, and StackExchange.Redis's multi-key pops.
/// </summary>
public sealed class MultiKeyPopTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Lmpop_pops_from_the_first_non_empty_list_and_answers_null_when_all_are_empty(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("RPUSH b 1 2 3");
        await c.Ask("RPUSH c x");

        Assert.Equal("[b [1]]", await c.Ask("LMPOP 3 a b c LEFT"));
        Assert.Equal("[b [3 2]]", await c.Ask("LMPOP 3 a b c right COUNT 10"));
        Assert.Equal(":0", await c.Ask("EXISTS b"));
        Assert.Equal("[c [x]]", await c.Ask("BLMPOP 0 2 b c LEFT count 2"));
        Assert.Equal("(nil array)", await c.Ask("LMPOP 2 b c LEFT"));
        await c.Ask("HELLO 3");
        Assert.Equal("_", await c.Ask("LMPOP 1 b RIGHT COUNT 2"));
        await c.Ask("RPUSH b y");
        Assert.Equal("[b [y]]", await c.Ask("LMPOP 1 b RIGHT COUNT 2"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Zmpop_pops_the_lowest_or_highest_members_as_nested_pairs_in_both_protocols(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD z 1 a 2 b 3 c");

        Assert.Equal("[z [[a 1]]]", await c.Ask("ZMPOP 2 missing z MIN"));
        Assert.Equal("[z [[c 3] [b 2]]]", await c.Ask("ZMPOP 1 z max COUNT 5"));
        Assert.Equal(":0", await c.Ask("EXISTS z"));
        Assert.Equal("(nil array)", await c.Ask("ZMPOP 2 missing z MIN"));
        await c.Ask("HELLO 3");
        Assert.Equal("_", await c.Ask("ZMPOP 1 z MIN"));
        await c.Ask("ZADD y 1.5 m 2 n");
        Assert.Equal("[y [[m ,1.5] [n ,2]]]", await c.Ask("BZMPOP 0 2 z y MIN COUNT 2"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Bzpopmin_and_bzpopmax_answer_at_once_with_key_member_and_score(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("ZADD z 1 a 2 b 3 c");

        Assert.Equal("[z a 1]", await c.Ask("BZPOPMIN missing z 0"));
        Assert.Equal("[z c 3]", await c.Ask("BZPOPMAX missing z 0.5"));
        await c.Ask("HELLO 3");
        Assert.Equal("[z b ,2]", await c.Ask("BZPOPMIN z 0"));
        Assert.Equal(":0", await c.Ask("EXISTS z"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Arguments_are_checked_as_redis_checks_them(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("RPUSH l a");

        Assert.Equal("-ERR numkeys should be greater than 0", await c.Ask("LMPOP 0 l LEFT"));
        Assert.Equal("-ERR numkeys should be greater than 0", await c.Ask("ZMPOP -1 l MIN"));
        Assert.Equal("-ERR numkeys should be greater than 0", await c.Ask("BLMPOP 0 x l LEFT"));
        Assert.Equal("-ERR syntax error", await c.Ask("LMPOP 2 l LEFT"));
        Assert.Equal("-ERR syntax error", await c.Ask("LMPOP 1 l UP"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZMPOP 1 l LEFT"));
        Assert.Equal("-ERR syntax error", await c.Ask("BZMPOP 0 1 l RIGHT"));
        Assert.Equal("-ERR count should be greater than 0", await c.Ask("LMPOP 1 l LEFT COUNT 0"));
        Assert.Equal("-ERR count should be greater than 0", await c.Ask("ZMPOP 1 l MIN COUNT x"));
        Assert.Equal("-ERR syntax error", await c.Ask("LMPOP 1 l LEFT COUNT"));
        Assert.Equal("-ERR syntax error", await c.Ask("LMPOP 1 l LEFT COUNT 1 COUNT 1"));
        Assert.Equal("-ERR syntax error", await c.Ask("ZMPOP 1 l MAX LIMIT 1"));
        // The timeout is checked after the other arguments, as Redis parses it only once it is about to block.
        Assert.Equal("-ERR numkeys should be greater than 0", await c.Ask("BLMPOP -1 0 l LEFT"));
        Assert.Equal("-ERR timeout is negative", await c.Ask("BLMPOP -1 1 l LEFT"));
        Assert.Equal("-ERR timeout is not a float or out of range", await c.Ask("BZMPOP soon 1 l MIN"));
        Assert.Equal("-ERR timeout is negative", await c.Ask("BZPOPMIN l -0.5"));
        Assert.Equal("-ERR timeout is not a float or out of range", await c.Ask("BZPOPMAX l x"));
        Assert.Equal("-ERR wrong number of arguments for 'lmpop' command", await c.Ask("LMPOP 1 l"));
        Assert.Equal("-ERR wrong number of arguments for 'bzmpop' command", await c.Ask("BZMPOP 0 1 l"));
        Assert.Equal("-ERR wrong number of arguments for 'bzpopmin' command", await c.Ask("BZPOPMIN l"));
        Assert.Equal("[a]", await c.Ask("LRANGE l 0 -1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_first_existing_key_of_another_type_is_wrongtype(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("SET s v");
        await c.Ask("RPUSH l a");
        await c.Ask("ZADD z 1 m");

        string[] commands =
        [
            "LMPOP 2 missing s LEFT", "LMPOP 1 z RIGHT", "BLMPOP 0 1 s LEFT", "ZMPOP 2 missing l MIN", "BZMPOP 0 1 s MAX",
            "BZPOPMIN missing l 0", "BZPOPMAX s 0",
        ];
        foreach (var command in commands) { Assert.Equal(SetTestClient.WrongType, await c.Ask(command)); }
        // A key after the one popped from is never looked at.
        Assert.Equal("[l [a]]", await c.Ask("LMPOP 2 l s LEFT"));
        Assert.Equal("[z [[m 1]]]", await c.Ask("ZMPOP 2 z s MIN"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Inside_exec_the_blocking_forms_answer_null_instead_of_blocking(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("MULTI");
        await c.Ask("BZPOPMIN z 0");
        await c.Ask("BLMPOP 0 1 l LEFT");
        await c.Ask("BZMPOP 0 1 z MAX");
        await c.Ask("ZADD z 1 a");
        await c.Ask("BZMPOP 0 1 z MAX");
        Assert.Equal("[(nil array) (nil array) (nil array) :1 [z [[a 1]]]]", await c.Ask("EXEC"));
    }

    [Theory]
    [MemberData(nameof(StackExchangeTests.BackendsAndProtocols), MemberType = typeof(StackExchangeTests))]
    public async Task StackExchange_multi_key_list_and_sorted_set_pops_use_lmpop_and_zmpop(Backend backend, string options)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var db = (await redis.ConnectMultiplexerAsync(options)).GetDatabase();
        await db.ListRightPushAsync("l2", ["a", "b", "c"]);
        await db.SortedSetAddAsync("z2", [new("a", 1), new("b", 2), new("c", 3)]);

        var left = await db.ListLeftPopAsync(["l1", "l2"], 2);
        Assert.Equal("l2", left.Key);
        Assert.Equal(["a", "b"], left.Values.Select(v => v.ToString()));
        Assert.Equal(["c"], (await db.ListRightPopAsync(["l1", "l2"], 5)).Values.Select(v => v.ToString()));
        Assert.True((await db.ListLeftPopAsync(["l1", "l2"], 1)).IsNull);

        var highest = await db.SortedSetPopAsync(["z1", "z2"], 2, Order.Descending);
        Assert.Equal("z2", highest.Key);
        Assert.Equal(["c:3", "b:2"], highest.Entries.Select(e => $"{e.Element}:{e.Score}"));
        Assert.Equal(["a:1"], (await db.SortedSetPopAsync(["z1", "z2"], 5)).Entries.Select(e => $"{e.Element}:{e.Score}"));
        Assert.True((await db.SortedSetPopAsync(["z1", "z2"], 1)).IsNull);
    }
}
