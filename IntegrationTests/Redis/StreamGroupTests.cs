using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>Consumer groups over the wire on every backend, consumers on different loops sharing a group's entries.</summary>
public sealed class StreamGroupTests
{
    private static object?[] Entry(string id, params string[] pairs) => [id, pairs];

    private static object?[] Read(string key, params object?[][] entries) => [new object?[] { key, entries }];

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Consumers_on_different_loops_share_a_group_and_each_entry_goes_to_one(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var alice = new RespClient(await redis.ConnectAsync());
        using var bob = await redis.ConnectClientOnAnotherLoopAsync(alice);
        Assert.Equal("OK", await alice.CallAsync("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"));
        Assert.Equal(new RespError("BUSYGROUP Consumer Group name already exists"), await bob.CallAsync("XGROUP", "CREATE", "s", "g", "0"));
        for (var i = 1; i <= 3; i++) { await alice.CallAsync("XADD", "s", $"{i}-0", "n", $"{i}"); }
        Assert.Equal(Read("s", Entry("1-0", "n", "1"), Entry("2-0", "n", "2")), await alice.CallAsync("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"));
        Assert.Equal(Read("s", Entry("3-0", "n", "3")), await bob.CallAsync("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"));
        Assert.Null(await bob.CallAsync("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"));
        Assert.Equal(new object?[] { 3L, "1-0", "3-0", new object?[] { new object?[] { "alice", "2" }, new object?[] { "bob", "1" } } },
            await bob.CallAsync("XPENDING", "s", "g"));
        Assert.Equal(1L, await alice.CallAsync("XACK", "s", "g", "1-0", "9-9"));
        // Alice's history: what she was given and has not acknowledged, delivered again.
        Assert.Equal(Read("s", Entry("2-0", "n", "2")), await alice.CallAsync("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"));
        var pending = Assert.IsType<object?[]>(Assert.Single(Assert.IsType<object?[]>(await alice.CallAsync("XPENDING", "s", "g", "-", "+", "10", "alice"))));
        Assert.Equal(new object?[] { "2-0", "alice", 2L }, new[] { pending[0], pending[1], pending[3] });
        Assert.Equal(0L, await alice.CallAsync("XLEN", "missing"));
        Assert.Equal(new RespError("NOGROUP No such key 's' or consumer group 'nope' in XREADGROUP with GROUP option"),
            await alice.CallAsync("XREADGROUP", "GROUP", "nope", "alice", "STREAMS", "s", ">"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Claims_take_idle_entries_and_drop_deleted_ones(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM");
        for (var i = 1; i <= 4; i++) { await c.CallAsync("XADD", "s", $"{i}-0", "n", $"{i}"); }
        await c.CallAsync("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">");
        // Delivered an hour ago as far as the group knows: idle enough for any claim below.
        var hourAgo = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;
        Assert.Equal(new object?[] { "1-0", "2-0", "3-0", "4-0" }, await c.CallAsync("XCLAIM", "s", "g", "alice", "0", "1-0", "2-0", "3-0", "4-0", "TIME", $"{hourAgo}", "JUSTID"));
        Assert.Equal(new object?[] { }, await c.CallAsync("XCLAIM", "s", "g", "bob", "7200000", "1-0"));
        Assert.Equal(new object?[] { Entry("1-0", "n", "1") }, await c.CallAsync("XCLAIM", "s", "g", "bob", "60000", "1-0"));
        Assert.Equal(1L, await c.CallAsync("XDEL", "s", "2-0"));
        Assert.Equal(new object?[] { "4-0", new object?[] { Entry("3-0", "n", "3") }, new object?[] { "2-0" } },
            await c.CallAsync("XAUTOCLAIM", "s", "g", "carol", "60000", "0", "COUNT", "2"));
        Assert.Equal(new object?[] { 3L, "1-0", "4-0", new object?[] { new object?[] { "alice", "1" }, new object?[] { "bob", "1" }, new object?[] { "carol", "1" } } },
            await c.CallAsync("XPENDING", "s", "g"));
        Assert.Equal(1L, await c.CallAsync("XGROUP", "DELCONSUMER", "s", "g", "alice"));
        Assert.Equal(2L, Assert.IsType<object?[]>(await c.CallAsync("XPENDING", "s", "g"))[0]);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Xinfo_groups_tells_entries_read_and_lag(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        for (var i = 1; i <= 5; i++) { await c.CallAsync("XADD", "s", $"{i}-0", "n", $"{i}"); }
        await c.CallAsync("XGROUP", "CREATE", "s", "g", "0");
        await c.CallAsync("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "NOACK", "STREAMS", "s", ">");
        Assert.Equal(new object?[] { new object?[] { "name", "g", "consumers", 1L, "pending", 0L, "last-delivered-id", "2-0", "entries-read", 2L, "lag", 3L } },
            await c.CallAsync("XINFO", "GROUPS", "s"));
        // A deletion ahead of the group makes its counter unknowable: Redis answers nil for the lag.
        await c.CallAsync("XDEL", "s", "4-0");
        Assert.Null(Assert.IsType<object?[]>(Assert.IsType<object?[]>(await c.CallAsync("XINFO", "GROUPS", "s"))[0])[11]);
    }
}
