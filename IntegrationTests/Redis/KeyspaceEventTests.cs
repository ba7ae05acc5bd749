using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>Keyspace notifications: the parameter as Redis reads and spells it, expiry, delivery across loops.</summary>
public sealed class KeyspaceEventTests
{
    [Fact]
    public Task Notify_keyspace_events_is_read_and_spelled_as_redis_does() =>
        SameAsRealRedis.RepliesAsync(
        [
            .. new[] { "KEA", "", "Kx", "EAK", "gK$", "Ag", "KEAmn", "Km", "n", "d", "KEd", "AKEmnd", "g$lshzxet", "g$lshzxetd", "mnE", "Kq", "a" }
                .SelectMany(classes => new[]
                {
                    new[] { "CONFIG", "SET", "notify-keyspace-events", classes },
                    ["CONFIG", "GET", "notify-keyspace-events"],
                }),
        ]);

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Nothing_is_published_while_notifications_are_off(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend);
        using var writer = new RespClient(await server.ConnectAsync());
        using var subscriber = await server.ConnectClientOnAnotherLoopAsync(writer);
        Assert.Equal(Array("psubscribe", "*", 1L), await subscriber.CallAsync("PSUBSCRIBE", "*"));
        Assert.Equal("OK", await writer.CallAsync("SET", "k", "v"));
        Assert.Equal(1L, await writer.CallAsync("LPUSH", "l", "a"));
        Assert.Equal(1L, await writer.CallAsync("PUBLISH", "done", "."));
        // The first message is the PUBLISH: neither write notified.
        Assert.Equal(Array("pmessage", "*", "done", "."), await subscriber.ReadAsync());
    }

    [Fact]
    public async Task Keys_loaded_from_a_file_notify_no_one_as_in_redis()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync(arguments: ["--enable-debug-command", "yes"]);
        foreach (var endPoint in new[] { loop.EndPoint, redis.EndPoint })
        {
            using var client = await RespClient.ConnectAsync(endPoint);
            using var subscriber = await RespClient.ConnectAsync(endPoint);
            Assert.Equal("OK", await client.CallAsync("MSET", "a", "1", "b", "2"));
            Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "notify-keyspace-events", "KEAn"));
            Assert.Equal(Array("psubscribe", "*", 1L), await subscriber.CallAsync("PSUBSCRIBE", "*"));
            Assert.Equal("OK", await client.CallAsync("DEBUG", "RELOAD"));
            Assert.Equal(1L, await client.CallAsync("PUBLISH", "done", "."));
            Assert.Equal(Array("pmessage", "*", "done", "."), await subscriber.ReadAsync());
            Assert.Equal("1", await client.CallAsync("GET", "a"));
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_key_found_expired_notifies_expired_before_what_replaces_it(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend, activeExpiry: false);
        using var writer = new RespClient(await server.ConnectAsync());
        await ExpireAtOnceAsync(server, writer, "gone", "replaced");
        using var subscriber = await Subscribe(server, writer, "Ex$n");

        Assert.Null(await writer.CallAsync("GET", "gone"));
        Assert.Equal(Array("pmessage", "__key*__:*", "__keyevent@0__:expired", "gone"), await subscriber.ReadAsync());
        Assert.Equal("OK", await writer.CallAsync("SET", "replaced", "again"));
        Assert.Equal(Array("pmessage", "__key*__:*", "__keyevent@0__:expired", "replaced"), await subscriber.ReadAsync());
        Assert.Equal(Array("pmessage", "__key*__:*", "__keyevent@0__:new", "replaced"), await subscriber.ReadAsync());
        Assert.Equal(Array("pmessage", "__key*__:*", "__keyevent@0__:set", "replaced"), await subscriber.ReadAsync());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_active_expiry_cycle_notifies_subscribers_on_every_loop(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend);
        using var writer = new RespClient(await server.ConnectOnLoopAsync(1));
        using var near = await Subscribe(server, writer, "Ex", sameLoop: true);
        using var far = await Subscribe(server, writer, "Ex");
        await ExpireAtOnceAsync(server, writer, "k1", "k2"); // neither SET nor PEXPIREAT is of class x

        // The cycle (loop 0) finds them: no command touches them.
        foreach (var subscriber in new[] { near, far })
        {
            var keys = new[] { await subscriber.ReadAsync(), await subscriber.ReadAsync() }.Select(m => ((object?[])m!)[3]).Order();
            Assert.Equal(["k1", "k2"], keys);
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Each_writers_notifications_reach_every_loop_in_the_order_it_wrote(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend, loops: 2);
        var writers = await server.ConnectClientsOverLoopsAsync(2, 0, 1);
        var subscribers = await server.ConnectClientsOverLoopsAsync(2, 0, 1);
        Assert.Equal("OK", await writers[0].CallAsync("CONFIG", "SET", "notify-keyspace-events", "E$"));
        foreach (var subscriber in subscribers) { Assert.Equal(Array("subscribe", "__keyevent@0__:set", 1L), await subscriber.CallAsync("SUBSCRIBE", "__keyevent@0__:set")); }

        const int count = 500;
        for (var i = 0; i < count; i++)
        {
            foreach (var (writer, name) in writers.Zip(["a", "b"])) { writer.Queue("SET", $"{name}{i}", "v"); }
        }
        await Task.WhenAll(writers.Select(w => w.FlushAsync()));
        foreach (var writer in writers)
        {
            for (var i = 0; i < count; i++) { Assert.Equal("OK", await writer.ReadAsync()); }
        }
        foreach (var subscriber in subscribers)
        {
            var next = new Dictionary<char, int> { ['a'] = 0, ['b'] = 0 };
            for (var i = 0; i < 2 * count; i++)
            {
                var key = (string)((object?[])(await subscriber.ReadAsync())!)[2]!;
                Assert.Equal($"{key[0]}{next[key[0]]++}", key);
            }
        }
        foreach (var client in writers.Concat(subscribers)) { client.Dispose(); }
    }

    [Fact]
    public async Task Pops_of_blocked_clients_served_by_pushes_notify_as_redis_does()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var info = await redis.ConnectAsync();
        var expected = await ServedAsync(() => RespSocket.ConnectAsync(redis.EndPoint),
            () => Eventually.HoldsAsync(async () => ((string)(await info.CallAsync("INFO", "clients"))!).Contains("blocked_clients:3"), "3 blocked clients"));
        var actual = await ServedAsync(() => loop.ConnectAsync(), () => loop.WaitForBlockedClientsAsync(3));
        Assert.Equal(expected, actual);
        Assert.Contains("__keyevent@0__:zpopmin", actual);
    }

    // Three clients block (BLPOP, BLMOVE, BZPOPMIN), then one client's pushes serve them: the notifications until a
    // PUBLISH sent after the pushes, every class and new keys included.
    private static async Task<string> ServedAsync(Func<Task<RespSocket>> connect, Func<Task> blocked)
    {
        using var writer = await connect();
        using var subscriber = await connect();
        Assert.Equal("+OK\r\n", await writer.CommandAsync("CONFIG", "SET", "notify-keyspace-events", "KEAn"));
        await subscriber.SendAsync(RespSocket.Encode("PSUBSCRIBE", "__key*__:*") + RespSocket.Encode("SUBSCRIBE", "done"));
        await subscriber.ReadReplyAsync();
        await subscriber.ReadReplyAsync();
        var waiters = new[] { await connect(), await connect(), await connect() };
        await waiters[0].SendAsync(RespSocket.Encode("BLPOP", "l", "0"));
        await waiters[1].SendAsync(RespSocket.Encode("BLMOVE", "m", "dst", "LEFT", "RIGHT", "0"));
        await waiters[2].SendAsync(RespSocket.Encode("BZPOPMIN", "z", "0"));
        await blocked();
        Assert.Equal(":2\r\n", await writer.CommandAsync("RPUSH", "l", "a", "b"));
        Assert.Equal(":1\r\n", await writer.CommandAsync("RPUSH", "m", "x"));
        Assert.Equal(":1\r\n", await writer.CommandAsync("ZADD", "z", "1", "y"));
        Assert.Equal(":1\r\n", await writer.CommandAsync("PUBLISH", "done", "."));
        var notifications = new System.Text.StringBuilder();
        while (await subscriber.ReadReplyAsync() is var message && !message.Contains("$7\r\nmessage\r\n")) { notifications.Append(message); }
        foreach (var waiter in waiters)
        {
            await waiter.ReadReplyAsync();
            waiter.Dispose();
        }
        return notifications.ToString();
    }

    // A subscriber to every notification (classes enabled first), on another loop than the writer's or on the same.
    private static async Task<RespClient> Subscribe(InProcessRedis server, RespClient writer, string classes, bool sameLoop = false)
    {
        Assert.Equal("OK", await writer.CallAsync("CONFIG", "SET", "notify-keyspace-events", classes));
        var subscriber = sameLoop ? new RespClient(await server.ConnectOnLoopAsync(await server.LoopOfAsync(writer.Socket)))
            : await server.ConnectClientOnAnotherLoopAsync(writer);
        Assert.Equal(Array("psubscribe", "__key*__:*", 1L), await subscriber.CallAsync("PSUBSCRIBE", "__key*__:*"));
        return subscriber;
    }

    // Keys whose deadline has passed without their being deleted: written with expiry paused (as while loading a file).
    private static async Task ExpireAtOnceAsync(InProcessRedis server, RespClient writer, params string[] keys)
    {
        using (server.Redis.Keyspace.Lock.Exclusive()) { server.Redis.Keyspace.ExpiryPaused = true; }
        foreach (var key in keys)
        {
            Assert.Equal("OK", await writer.CallAsync("SET", key, "v"));
            Assert.Equal(1L, await writer.CallAsync("PEXPIREAT", key, "1"));
        }
        using (server.Redis.Keyspace.Lock.Exclusive()) { server.Redis.Keyspace.ExpiryPaused = false; }
    }

    private static object?[] Array(params object?[] items) => items;
}
