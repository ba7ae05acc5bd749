using Loop.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace Loop.IntegrationTests.Redis;

/// <summary>Set commands over a real socket, with Redis 7's replies, reply types and error texts.</summary>
public sealed class SetTests
{
    private const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task AddRemoveAndMembership(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);

        Assert.Equal(":3", await c.Ask("SADD s a b c"));
        Assert.Equal(":1", await c.Ask("SADD s a d"));
        Assert.Equal("[a b c d]", await c.AskSorted("SMEMBERS s"));
        Assert.Equal(":4", await c.Ask("SCARD s"));
        Assert.Equal(":1", await c.Ask("SISMEMBER s a"));
        Assert.Equal(":0", await c.Ask("SISMEMBER s x"));
        Assert.Equal("[:1 :0 :1]", await c.Ask("SMISMEMBER s a x d"));
        Assert.Equal(":2", await c.Ask("SREM s a x b"));
        Assert.Equal("[c d]", await c.AskSorted("SMEMBERS s"));
        Assert.Equal(":1", await c.AskArgs("SADD", "s", ""));
        Assert.Equal(":1", await c.AskArgs("SISMEMBER", "s", ""));

        // A missing key is an empty set; removing the last member deletes the key.
        Assert.Equal("[]", await c.Ask("SMEMBERS missing"));
        Assert.Equal(":0", await c.Ask("SCARD missing"));
        Assert.Equal("[:0 :0]", await c.Ask("SMISMEMBER missing a b"));
        Assert.Equal(":0", await c.Ask("SREM missing a"));
        Assert.Equal(":3", await c.AskArgs("SREM", "s", "c", "d", ""));
        Assert.Equal(":0", await c.Ask("EXISTS s"));
        Assert.Equal("+none", await c.Ask("TYPE s"));
        Assert.Equal(":1", await c.Ask("SADD s a"));
        Assert.Equal("+set", await c.Ask("TYPE s"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task PopAndRandomMember(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("SADD s a b c d e");

        Assert.Matches("^[abcde]$", await c.Ask("SRANDMEMBER s"));
        Assert.Equal("[a b c d e]", await c.AskSorted("SRANDMEMBER s 10"));
        Assert.Matches(@"^\[[abcde] [abcde] [abcde]\]$", await c.Ask("SRANDMEMBER s 3"));
        Assert.Equal(3, (await c.Ask("SRANDMEMBER s 3")).Split(' ').Distinct().Count());
        // A negative count may repeat members and returns exactly that many.
        Assert.Matches(@"^\[([abcde] ){19}[abcde]\]$", await c.Ask("SRANDMEMBER s -20"));
        Assert.Equal("[]", await c.Ask("SRANDMEMBER s 0"));
        Assert.Equal(":5", await c.Ask("SCARD s"));

        var popped = await c.Ask("SPOP s");
        Assert.Matches("^[abcde]$", popped);
        Assert.Equal(":0", await c.Ask($"SISMEMBER s {popped}"));
        var two = await c.Ask("SPOP s 2");
        Assert.Matches(@"^\[[abcde] [abcde]\]$", two);
        Assert.Equal(":2", await c.Ask("SCARD s"));
        Assert.Equal("[]", await c.Ask("SPOP s 0"));
        // Popping at least everything takes everything and deletes the key.
        Assert.Equal(2, (await c.Ask("SPOP s 10")).Split(' ').Length);
        Assert.Equal(":0", await c.Ask("EXISTS s"));

        Assert.Equal("(nil)", await c.Ask("SPOP missing"));
        Assert.Equal("[]", await c.Ask("SPOP missing 3"));
        Assert.Equal("(nil)", await c.Ask("SRANDMEMBER missing"));
        Assert.Equal("[]", await c.Ask("SRANDMEMBER missing -3"));
        Assert.Equal("-ERR value is out of range, must be positive", await c.Ask("SPOP s -1"));
        Assert.Equal("-ERR value is out of range, must be positive", await c.Ask("SPOP s x"));
        Assert.Equal("-ERR value is not an integer or out of range", await c.Ask("SRANDMEMBER s x"));
        Assert.Equal("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
            await c.Ask("SRANDMEMBER s -9223372036854775808"));
        Assert.Equal("-ERR syntax error", await c.Ask("SPOP s 1 2"));
        Assert.Equal("-ERR syntax error", await c.Ask("SRANDMEMBER s 1 2"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Move(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("SADD from a b");
        await c.Ask("SADD to c");
        await c.Ask("SET text x");

        Assert.Equal(":1", await c.Ask("SMOVE from to a"));
        Assert.Equal("[a c]", await c.AskSorted("SMEMBERS to"));
        Assert.Equal(":0", await c.Ask("SMOVE from to x"));
        Assert.Equal(":1", await c.Ask("SMOVE from from b"));
        Assert.Equal(":0", await c.Ask("SMOVE from from x"));
        // Moving the last member deletes the source and creates the destination.
        Assert.Equal(":1", await c.Ask("SMOVE from fresh b"));
        Assert.Equal(":0", await c.Ask("EXISTS from"));
        Assert.Equal("[b]", await c.Ask("SMEMBERS fresh"));

        Assert.Equal(":0", await c.Ask("SMOVE missing text a"));
        Assert.Equal(WrongType, await c.Ask("SMOVE to text a"));
        Assert.Equal(WrongType, await c.Ask("SMOVE text to a"));
        Assert.Equal("[a c]", await c.AskSorted("SMEMBERS to"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task IntersectionUnionDifference(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("SADD x a b c d");
        await c.Ask("SADD y c d e");
        await c.Ask("SADD z d e f");
        await c.Ask("SET text v");

        Assert.Equal("[c d]", await c.AskSorted("SINTER x y"));
        Assert.Equal("[d]", await c.AskSorted("SINTER x y z"));
        Assert.Equal("[]", await c.Ask("SINTER x missing"));
        Assert.Equal("[a b c d e f]", await c.AskSorted("SUNION x y z missing"));
        Assert.Equal("[a b]", await c.AskSorted("SDIFF x y z"));
        Assert.Equal("[a b c d]", await c.AskSorted("SDIFF x missing"));
        Assert.Equal("[]", await c.Ask("SDIFF missing x"));
        Assert.Equal("[]", await c.Ask("SDIFF x x"));
        // Every key is type-checked, even after a missing one.
        Assert.Equal(WrongType, await c.Ask("SINTER missing text"));
        Assert.Equal(WrongType, await c.Ask("SUNION x text"));
        Assert.Equal(WrongType, await c.Ask("SDIFF missing text"));

        Assert.Equal(":2", await c.Ask("SINTERSTORE out x y"));
        Assert.Equal("[c d]", await c.AskSorted("SMEMBERS out"));
        Assert.Equal(":6", await c.Ask("SUNIONSTORE out x y z"));
        Assert.Equal(":2", await c.Ask("SDIFFSTORE out x y"));
        Assert.Equal("[a b]", await c.AskSorted("SMEMBERS out"));
        // The destination may be a source, and any type is overwritten.
        Assert.Equal(":5", await c.Ask("SUNIONSTORE out out z"));
        Assert.Equal(":2", await c.Ask("SINTERSTORE text x y"));
        Assert.Equal("+set", await c.Ask("TYPE text"));
        // An empty result deletes the destination.
        Assert.Equal(":0", await c.Ask("SINTERSTORE out x missing"));
        Assert.Equal(":0", await c.Ask("EXISTS out"));

        Assert.Equal(":2", await c.Ask("SINTERCARD 2 x y"));
        Assert.Equal(":1", await c.Ask("SINTERCARD 2 x y LIMIT 1"));
        Assert.Equal(":2", await c.Ask("SINTERCARD 2 x y LIMIT 0"));
        Assert.Equal(":0", await c.Ask("SINTERCARD 2 x missing"));
        Assert.Equal("-ERR numkeys should be greater than 0", await c.Ask("SINTERCARD 0 x"));
        Assert.Equal("-ERR Number of keys can't be greater than number of args", await c.Ask("SINTERCARD 3 x y"));
        Assert.Equal("-ERR LIMIT can't be negative", await c.Ask("SINTERCARD 1 x LIMIT -1"));
        Assert.Equal("-ERR syntax error", await c.Ask("SINTERCARD 1 x LIMITS 1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task ScanSmallSetComesWholeAndLargeSetByCursor(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("SADD small a b ab");
        Assert.Equal("[0 [a ab b]]", Sort(await c.Ask("SSCAN small 0")));
        Assert.Equal("[0 [a ab]]", Sort(await c.Ask("SSCAN small 0 MATCH a*")));
        Assert.Equal("[0 []]", await c.Ask("SSCAN missing 0 NOSUCHOPTION"));
        Assert.Equal("-ERR invalid cursor", await c.Ask("SSCAN small x"));
        Assert.Equal("-ERR syntax error", await c.Ask("SSCAN small 0 TYPE set"));

        var members = Enumerable.Range(0, 1000).Select(i => $"m{i}").ToArray();
        await c.AskArgs(["SADD", "large", .. members]);
        // Members removed or added during the scan may or may not come; every other member must.
        var seen = new HashSet<string>();
        var cursor = "0";
        var calls = 0;
        do
        {
            var reply = await c.Ask($"SSCAN large {cursor} COUNT 50");
            (cursor, var batch) = ParseScan(reply);
            seen.UnionWith(batch);
            await c.Ask($"SREM large m{calls * 7}");
            await c.Ask($"SADD large new{calls}");
            calls++;
        }
        while (cursor != "0" && calls < 100);
        Assert.Equal("0", cursor);
        var kept = members.Where((_, i) => i % 7 != 0 || i / 7 >= calls);
        Assert.Empty(kept.Except(seen));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task WrongTypeAndArity(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("SET text v");

        foreach (var command in new[] { "SADD text a", "SREM text a", "SMEMBERS text", "SISMEMBER text a", "SMISMEMBER text a", "SCARD text", "SPOP text", "SRANDMEMBER text", "SSCAN text 0" })
        {
            Assert.Equal(WrongType, await c.Ask(command));
        }
        Assert.Equal("-ERR wrong number of arguments for 'sadd' command", await c.Ask("SADD s"));
        Assert.Equal("-ERR wrong number of arguments for 'sismember' command", await c.Ask("SISMEMBER s"));
        Assert.Equal("-ERR wrong number of arguments for 'sinterstore' command", await c.Ask("SINTERSTORE out"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Resp3RepliesSetsWhereRedisDoes(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("HELLO 3");
        await c.Ask("SADD s a b");
        await c.Ask("SADD t b c");

        Assert.Equal("~[a b]", await c.AskSorted("SMEMBERS s"));
        Assert.Equal("~[]", await c.Ask("SMEMBERS missing"));
        Assert.Equal("~[b]", await c.Ask("SINTER s t"));
        Assert.Equal("~[a b c]", await c.AskSorted("SUNION s t"));
        Assert.Equal("~[a]", await c.Ask("SDIFF s t"));
        Assert.Equal("[a b]", await c.AskSorted("SRANDMEMBER s 5"));
        Assert.Equal("_", await c.Ask("SPOP missing"));
        Assert.Equal("~[]", await c.Ask("SPOP missing 2"));
        Assert.Equal("~[a b]", await c.AskSorted("SPOP s 5"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task InPlaceChangesFailWatchingTransactions(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var watcher = await SetTestClient.ConnectAsync(redis);
        var writer = await SetTestClient.ConnectAsync(redis);
        await writer.Ask("SADD s a b");

        foreach (var change in new[] { "SADD s c", "SREM s c", "SPOP s", "SMOVE s other b" })
        {
            await writer.Ask("SADD s a b");
            Assert.Equal("+OK", await watcher.Ask("WATCH s"));
            await watcher.Ask("MULTI");
            await watcher.Ask("SCARD s");
            await writer.Ask(change);
            Assert.Equal("(nil array)", await watcher.Ask("EXEC"));
        }
        // A command that changes nothing leaves the transaction alone.
        await watcher.Ask("WATCH s");
        await watcher.Ask("MULTI");
        await watcher.Ask("SCARD s");
        await writer.Ask("SADD s a");
        Assert.Equal("[:1]", await watcher.Ask("EXEC"));
    }

    [Theory]
    [MemberData(nameof(StackExchangeTests.BackendsAndProtocols), MemberType = typeof(StackExchangeTests))]
    public async Task StackExchangeRedisUsesSets(Backend backend, string options)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var db = (await redis.ConnectMultiplexerAsync(options)).GetDatabase();

        Assert.Equal(3, await db.SetAddAsync("s", ["a", "b", "c"]));
        Assert.Equal(3, await db.SetAddAsync("t", ["b", "c", "d"]));
        Assert.True(await db.SetContainsAsync("s", "a"));
        Assert.Equal(new[] { true, false }, await db.SetContainsAsync("s", ["b", "x"]));
        Assert.Equal(["a", "b", "c"], Texts(await db.SetMembersAsync("s")));
        Assert.Equal(["b", "c"], Texts(await db.SetCombineAsync(SetOperation.Intersect, "s", "t")));
        Assert.Equal(4, await db.SetCombineAndStoreAsync(SetOperation.Union, "u", "s", "t"));
        Assert.Equal(2, await db.SetIntersectionLengthAsync(["s", "t"]));
        Assert.True(await db.SetMoveAsync("s", "t", "a"));
        Assert.Equal(2, (await db.SetRandomMembersAsync("u", 2)).Distinct().Count());
        Assert.Equal(2, (await db.SetPopAsync("t", 2)).Length);
        Assert.True(await db.SetRemoveAsync("s", "b"));
        Assert.Equal(1, await db.SetLengthAsync("s"));
        var scanned = new List<RedisValue>();
        await foreach (var member in db.SetScanAsync("u", pageSize: 2)) { scanned.Add(member); }
        Assert.Equal(["a", "b", "c", "d"], Texts([.. scanned]));
    }

    private static (string Cursor, string[] Members) ParseScan(string reply)
    {
        // "[cursor [m1 m2 ...]]"
        var cursor = reply[1..reply.IndexOf(' ')];
        var inner = reply[(reply.IndexOf('[', 1) + 1)..^2];
        return (cursor, inner.Length == 0 ? [] : inner.Split(' '));
    }

    private static string[] Texts(RedisValue[] values) => [.. values.Select(v => v.ToString()).Order(StringComparer.Ordinal)];

    private static string Sort(string scanReply)
    {
        var (cursor, members) = ParseScan(scanReply);
        return $"[{cursor} [{string.Join(' ', members.Order(StringComparer.Ordinal))}]]";
    }
}
