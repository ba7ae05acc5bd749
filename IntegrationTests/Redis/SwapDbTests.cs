using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Redis.ConcurrentClients;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// SWAPDB: two databases exchange their keys at once while clients stay in the database they selected; watchers on
/// either side see the change as Redis's touchAllWatchedKeysInDb decides, blocked clients are served by keys the swap
/// brings, a BGSAVE the swap races still writes the keyspace of its instant, and the swap is logged.
/// </summary>
public sealed class SwapDbTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_swap_is_logged_so_a_restart_from_the_append_only_file_finds_the_keys_swapped(Backend backend)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-swapdb-").FullName;
        (string, string)[] aof = [("appendonly", "yes"), ("appendfsync", "always")];
        await using (var first = await InProcessRedis.StartAsync(backend, dir: directory, settings: aof))
        {
            using var c = new RespClient(await first.ConnectAsync());
            await RedisContent.RunAsync(c, [["SET", "zero", "0"], ["SELECT", "1"], ["SET", "one", "1"]]);
            Assert.Equal("OK", await c.CallAsync("SWAPDB", "0", "1"));
            Assert.Equal("OK", await c.CallAsync("SWAPDB", "2", "2")); // logged too, as Redis logs it
        }
        var incr = await File.ReadAllTextAsync(Path.Combine(directory, "appendonlydir", "appendonly.aof.1.incr.aof"));
        Assert.EndsWith("*3\r\n$6\r\nSWAPDB\r\n$1\r\n0\r\n$1\r\n1\r\n*3\r\n$6\r\nSWAPDB\r\n$1\r\n2\r\n$1\r\n2\r\n", incr);

        await using var restarted = await InProcessRedis.StartAsync(backend, dir: directory, settings: aof);
        using var client = new RespClient(await restarted.ConnectAsync());
        Assert.Equal(new object[] { "one" }, await client.CallAsync("KEYS", "*"));
        await client.CallAsync("SELECT", "1");
        Assert.Equal(new object[] { "zero" }, await client.CallAsync("KEYS", "*"));
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Indexes_are_checked_as_redis_checks_them(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        var first = new RespError("ERR invalid first DB index");
        var second = new RespError("ERR invalid second DB index");
        var range = new RespError("ERR DB index is out of range");
        Assert.Equal(first, await c.CallAsync("SWAPDB", "a", "b"));
        Assert.Equal(first, await c.CallAsync("SWAPDB", "01", "1"));
        Assert.Equal(first, await c.CallAsync("SWAPDB", "2147483648", "99"));
        Assert.Equal(second, await c.CallAsync("SWAPDB", "0", "1.0"));
        Assert.Equal(second, await c.CallAsync("SWAPDB", "0", "-2147483649"));
        Assert.Equal(range, await c.CallAsync("SWAPDB", "0", "16"));
        Assert.Equal(range, await c.CallAsync("SWAPDB", "-1", "0"));
        Assert.Equal(range, await c.CallAsync("SWAPDB", "0", "2147483647"));
        Assert.Equal(new RespError("ERR wrong number of arguments for 'swapdb' command"), await c.CallAsync("SWAPDB", "0"));
        Assert.Equal("OK", await c.CallAsync("SET", "k", "v"));
        Assert.Equal("OK", await c.CallAsync("SWAPDB", "0", "0"));
        Assert.Equal("v", await c.CallAsync("GET", "k"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task The_databases_exchange_their_keys_and_deadlines_while_clients_stay_where_they_are(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var zero = new RespClient(await redis.ConnectAsync());
        using var one = await redis.ConnectClientOnAnotherLoopAsync(zero);
        Assert.Equal("OK", await one.CallAsync("SELECT", "1"));
        Assert.Equal("OK", await zero.CallAsync("SET", "a", "from zero", "EX", "1000"));
        Assert.Equal(3L, await zero.CallAsync("RPUSH", "list", "1", "2", "3"));
        Assert.Equal("OK", await one.CallAsync("SET", "b", "from one"));
        Assert.Equal("OK", await zero.CallAsync("SWAPDB", "1", "0"));
        Assert.Equal("from zero", await one.CallAsync("GET", "a"));
        Assert.InRange(Assert.IsType<long>(await one.CallAsync("TTL", "a")), 990, 1000);
        Assert.Equal(new object?[] { "1", "2", "3" }, await one.CallAsync("LRANGE", "list", "0", "-1"));
        Assert.Equal(2L, await one.CallAsync("DBSIZE"));
        Assert.Equal("from one", await zero.CallAsync("GET", "b"));
        Assert.Equal(new object?[] { "b" }, await zero.CallAsync("KEYS", "*"));
        Assert.Equal(new[] { "db0:keys=1,expires=0,avg_ttl=0", "db1:keys=2,expires=1,avg_ttl=0" }, KeyspaceLines(await zero.CallAsync("INFO", "keyspace")));
        // Keys written after the swap land in the swapped contents.
        Assert.Equal("OK", await zero.CallAsync("SET", "c", "later"));
        Assert.Equal("OK", await zero.CallAsync("SWAPDB", "0", "1"));
        Assert.Equal("later", await one.CallAsync("GET", "c"));
        Assert.Equal("from zero", await zero.CallAsync("GET", "a"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_watch_on_either_side_fails_exec_when_its_key_exists_on_either_side(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, activeExpiry: false);
        async Task<RespClient> WatchAsync(int db, string key)
        {
            var watcher = new RespClient(await redis.ConnectAsync());
            Assert.Equal("OK", await watcher.CallAsync("SELECT", $"{db}"));
            Assert.Equal("OK", await watcher.CallAsync("WATCH", key));
            return watcher;
        }
        using var writer = new RespClient(await redis.ConnectAsync());
        // was-live is watched while live and expires before the swap, touched by nothing meanwhile (a read would delete it).
        var watchedLive = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("OK", await writer.CallAsync("SET", "was-live", "0", "PX", "1000"));
        var wasLive = await WatchAsync(0, "was-live");
        Assert.Equal("OK", await writer.CallAsync("MSET", "in-zero", "0", "in-both", "0"));
        Assert.Equal("OK", await writer.CallAsync("SELECT", "1"));
        Assert.Equal("OK", await writer.CallAsync("MSET", "in-one", "1", "in-both", "1"));
        Assert.Equal("OK", await writer.CallAsync("SET", "expired-in-one", "1", "PX", "1"));

        var changed = new[] { await WatchAsync(0, "in-zero"), await WatchAsync(0, "in-one"), await WatchAsync(1, "in-zero"),
            await WatchAsync(1, "in-one"), await WatchAsync(1, "in-both"), wasLive };
        var unchanged = new[] { await WatchAsync(0, "nowhere"), await WatchAsync(1, "nowhere"), await WatchAsync(0, "expired-in-one") };
        var untilExpired = TimeSpan.FromMilliseconds(1100) - watchedLive.Elapsed;
        if (untilExpired > TimeSpan.Zero) { await Task.Delay(untilExpired); }
        // was-live expired since WATCH saw it and is still there: Redis counts that as a change even once the swap has
        // replaced it by nothing. An expired key replacing nothing is no change.
        Assert.Equal("OK", await writer.CallAsync("SWAPDB", "0", "1"));
        foreach (var watcher in changed.Concat(unchanged))
        {
            Assert.Equal("OK", await watcher.CallAsync("MULTI"));
            Assert.Equal("QUEUED", await watcher.CallAsync("PING"));
        }
        foreach (var watcher in changed) { Assert.Null(await watcher.CallAsync("EXEC")); }
        foreach (var watcher in unchanged) { Assert.Equal(new object?[] { "PONG" }, await watcher.CallAsync("EXEC")); }
        foreach (var watcher in changed.Concat(unchanged)) { watcher.Dispose(); }
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_client_blocked_in_one_database_is_served_when_the_swap_brings_its_key(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var writer = new RespClient(await redis.ConnectAsync());
        using var waiter = await redis.ConnectClientOnAnotherLoopAsync(writer);
        using var wrongType = await redis.ConnectClientOnAnotherLoopAsync(writer);
        Assert.Equal("OK", await waiter.CallAsync("SELECT", "1"));
        Assert.Equal("OK", await wrongType.CallAsync("SELECT", "1"));
        await waiter.SendAsync("BLPOP", "queue", "0");
        await wrongType.SendAsync("BLPOP", "text", "0");
        await redis.WaitForBlockedClientsAsync(2);
        Assert.Equal(2L, await writer.CallAsync("RPUSH", "queue", "first", "second"));
        Assert.Equal("OK", await writer.CallAsync("SET", "text", "not a list"));
        Assert.Equal("OK", await writer.CallAsync("SWAPDB", "0", "1"));
        Assert.Equal(new object?[] { "queue", "first" }, await waiter.ReadAsync());
        Assert.Equal("OK", await writer.CallAsync("SELECT", "1"));
        Assert.Equal(new object?[] { "second" }, await writer.CallAsync("LRANGE", "queue", "0", "-1"));
        // A string is nothing to pop: that client waits on, until a list comes.
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal(1L, await writer.CallAsync("DEL", "text"));
        Assert.Equal(1L, await writer.CallAsync("RPUSH", "text", "now a list"));
        Assert.Equal(new object?[] { "text", "now a list" }, await wrongType.ReadAsync());
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_bgsave_racing_a_swapdb_writes_the_keyspace_from_before_the_swap(Backend backend)
    {
        const int keys = 100_000;
        var directory = Directory.CreateTempSubdirectory("loop-redis-swapdb-").FullName;
        await using (var server = await InProcessRedis.StartAsync(backend, dir: directory))
        {
            using var client = new RespClient(await server.ConnectAsync());
            Assert.Equal("OK", await client.CallAsync("DEBUG", "POPULATE", $"{keys}", "zero"));
            Assert.Equal("OK", await client.CallAsync("SELECT", "1"));
            Assert.Equal("OK", await client.CallAsync("DEBUG", "POPULATE", $"{keys / 2}", "one"));
            Assert.Equal("OK", await client.CallAsync("SELECT", "0"));
            // One write: the swap runs right after BGSAVE marked the snapshot, long before the saver is through.
            var replies = await client.BatchAsync(["BGSAVE"], ["SWAPDB", "0", "1"], ["SET", "zero:0", "changed"], ["DBSIZE"]);
            Assert.Equal(new object?[] { "Background saving started", "OK", "OK", (long)keys / 2 + 1 }, replies);
            await WaitForBackgroundSaveAsync(client);
            Assert.Contains("rdb_last_bgsave_status:ok\r\n", Assert.IsType<string>(await client.CallAsync("INFO", "persistence")));
        }
        await using var restarted = await InProcessRedis.StartAsync(backend, dir: directory);
        using var again = new RespClient(await restarted.ConnectAsync());
        Assert.Equal((long)keys, await again.CallAsync("DBSIZE"));
        Assert.Equal("value:0", await again.CallAsync("GET", "zero:0"));
        Assert.Equal($"value:{keys - 1}", await again.CallAsync("GET", $"zero:{keys - 1}"));
        Assert.Equal(0L, await again.CallAsync("EXISTS", "one:0"));
        Assert.Equal("OK", await again.CallAsync("SELECT", "1"));
        Assert.Equal((long)keys / 2, await again.CallAsync("DBSIZE"));
        Assert.Equal("value:0", await again.CallAsync("GET", "one:0"));
        Directory.Delete(directory, recursive: true);
    }
}
