using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Redis.ConcurrentClients;
using static Loop.IntegrationTests.Redis.RedisContent;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// RDB persistence: what SAVE and BGSAVE write comes back after a restart on every backend, a BGSAVE is the keyspace
/// at its instant while clients keep writing, save points fire, a failed save refuses writes with MISCONF until one
/// succeeds, and DEBUG RELOAD and LASTSAVE behave as in Redis.
/// </summary>
public sealed class PersistenceTests
{
    private static readonly string[][] Extras =
    [
        ["PEXPIREAT", "l:small", "4102444800000"], ["SET", "gone", "x", "PX", "1"], ["SELECT", "5"], ["SET", "db5", "five"], ["SELECT", "0"],
    ];

    public static TheoryData<Backend, string> BackendsAndSaves
    {
        get
        {
            var data = new TheoryData<Backend, string>();
            foreach (var backend in Backends.Concrete) { data.Add(backend, "SAVE"); data.Add(backend, "BGSAVE"); }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(BackendsAndSaves))]
    public async Task Every_type_with_its_deadline_survives_a_save_and_a_restart(Backend backend, string save)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-save-").FullName;
        string[] before;
        await using (var first = await InProcessRedis.StartAsync(backend, dir: directory))
        {
            using var client = new RespClient(await first.ConnectAsync());
            await RunAsync(client, [.. Fill, .. Extras]);
            before = await ReadAllAsync(client);
            await client.CallAsync(save);
            Assert.True(await Polling.Eventually(async () => InfoField(await client.CallAsync("INFO", "persistence"), "rdb_saves") == 1),
                $"{save} did not complete");
        }
        await using var second = await InProcessRedis.StartAsync(backend, dir: directory);
        using var again = new RespClient(await second.ConnectAsync());
        Assert.Equal(before, await ReadAllAsync(again));
        Assert.Null(await again.CallAsync("GET", "gone"));
        Assert.Equal("OK", await again.CallAsync("SELECT", "5"));
        Assert.Equal("five", await again.CallAsync("GET", "db5"));
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_bgsave_holds_the_keyspace_of_its_instant_while_clients_on_every_loop_keep_writing(Backend backend)
    {
        const int keys = 50_000, loops = 4;
        var directory = Directory.CreateTempSubdirectory("loop-redis-bgsave-").FullName;
        await using (var server = await InProcessRedis.StartAsync(backend, dir: directory, loops: loops))
        {
            var clients = await server.ConnectClientsOverLoopsAsync(loops);
            await clients[0].PipelineAsync(keys, 1000, i => ["SET", $"key:{i}", $"old:{i}"]);
            Assert.Equal("Background saving started", await clients[0].CallAsync("BGSAVE"));
            // Everything after BGSAVE's reply is after its instant: none of it may be in the file.
            await clients.EachAsync((c, loop) => c.PipelineAsync(keys / loops, 500, i =>
            {
                var key = i * loops + loop;
                return key % 10 == 0 ? ["DEL", $"key:{key}"] : ["SET", $"key:{key}", $"new:{key}"];
            }));
            await clients[0].PipelineAsync(1000, 500, i => ["SET", $"later:{i}", "x"]);
            await WaitForBackgroundSaveAsync(clients[0]);
            Assert.Equal("ok", InfoText(await clients[0].CallAsync("INFO", "persistence"), "rdb_last_bgsave_status"));
        }
        await using var restarted = await InProcessRedis.StartAsync(backend, dir: directory);
        using var client = new RespClient(await restarted.ConnectAsync());
        Assert.Equal((long)keys, await client.CallAsync("DBSIZE"));
        var values = Items(await client.CallAsync(["MGET", .. Enumerable.Range(0, keys).Select(i => $"key:{i}")]));
        for (var i = 0; i < keys; i++) { Assert.True(values[i] as string == $"old:{i}", $"key:{i} came back as {values[i] ?? "(nil)"}"); }
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_flushall_right_behind_a_bgsave_leaves_the_file_holding_every_key_of_its_instant(Backend backend)
    {
        const int keys = 200_000;
        var directory = Directory.CreateTempSubdirectory("loop-redis-flush-").FullName;
        await using (var server = await InProcessRedis.StartAsync(backend, dir: directory))
        {
            using var client = new RespClient(await server.ConnectAsync());
            Assert.Equal("OK", await client.CallAsync("DEBUG", "POPULATE", $"{keys}"));
            // In one batch: the FLUSHALL runs before the saver can have reached most partitions.
            var replies = await client.BatchAsync(["BGSAVE"], ["FLUSHALL"], ["SET", "after", "x"]);
            Assert.Equal(["Background saving started", "OK", "OK"], replies);
            await WaitForBackgroundSaveAsync(client);
        }
        await using var restarted = await InProcessRedis.StartAsync(backend, dir: directory);
        using var again = new RespClient(await restarted.ConnectAsync());
        Assert.Equal((long)keys, await again.CallAsync("DBSIZE"));
        Assert.Equal("value:12345", await again.CallAsync("GET", "key:12345"));
        Assert.Null(await again.CallAsync("GET", "after"));
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Changes_are_counted_as_redis_server_counts_its_dirty_keys()
    {
        string[][] script =
        [
            ["SETBIT", "bits", "0", "0"], ["SETBIT", "bits", "0", "0"], ["SETBIT", "bits", "0", "1"], ["BITFIELD", "field", "SET", "i5", "0", "0"],
            ["BITFIELD", "field", "SET", "i5", "0", "0"], ["MSET", "a", "1", "b", "2"], ["DEL", "a", "b", "missing"], ["DEL", "missing"],
            ["PFADD", "h"], ["PFADD", "h", "x"], ["PFADD", "h", "x"], ["EXPIRE", "bits", "100"], ["PERSIST", "field"], ["INCR", "n"], ["APPEND", "n", "0"],
        ];
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        Assert.Equal(await CountedAsync(await real.ConnectAsync()), await CountedAsync(new RespClient(await ours.ConnectAsync())));

        // What each command of the script added to rdb_changes_since_last_save.
        async Task<string> CountedAsync(RespClient client)
        {
            using (client)
            {
                var added = new List<string>();
                foreach (var command in script)
                {
                    var before = InfoField(await client.CallAsync("INFO", "persistence"), "rdb_changes_since_last_save");
                    await client.CallAsync(command);
                    added.Add($"{command[0]} {InfoField(await client.CallAsync("INFO", "persistence"), "rdb_changes_since_last_save") - before}");
                }
                return string.Join(", ", added);
            }
        }
    }

    [Fact]
    public async Task A_save_point_starts_a_background_save_once_its_changes_are_made()
    {
        await using var server = await InProcessRedis.StartAsync(Backend.Auto, save: "1 3");
        using var client = new RespClient(await server.ConnectAsync());
        await RunAsync(client, [["SET", "a", "1"], ["SET", "b", "2"]]);
        Assert.Equal(2, InfoField(await client.CallAsync("INFO", "persistence"), "rdb_changes_since_last_save"));
        await RunAsync(client, [["SET", "c", "3"]]);
        Assert.True(await Polling.Eventually(async () => InfoField(await client.CallAsync("INFO", "persistence"), "rdb_saves") == 1),
            "three changes and a second did not start a save");
        Assert.Equal(0, InfoField(await client.CallAsync("INFO", "persistence"), "rdb_changes_since_last_save"));
        Assert.True(File.Exists(Path.Combine((string)Items(await client.CallAsync("CONFIG", "GET", "dir"))[1]!, "dump.rdb")));
    }

    [Fact]
    public async Task A_failed_save_refuses_writes_with_misconf_until_a_save_succeeds()
    {
        // dir is a protected parameter: CONFIG SET changes it only where the configuration allows it, as in Redis 7.0.
        await using var server = await InProcessRedis.StartAsync(Backend.Auto, save: "3600 1", settings: ("enable-protected-configs", "yes"));
        using var client = new RespClient(await server.ConnectAsync());
        var gone = Directory.CreateTempSubdirectory("loop-redis-gone-").FullName;
        Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "dir", gone));
        Directory.Delete(gone);

        Assert.Equal("Background saving started", await client.CallAsync("BGSAVE"));
        Assert.True(await Polling.Eventually(async () => InfoText(await client.CallAsync("INFO", "persistence"), "rdb_last_bgsave_status") == "err"));
        var refused = Assert.IsType<RespError>(await client.CallAsync("SET", "k", "v"));
        Assert.StartsWith("MISCONF ", refused.Message);
        Assert.Null(await client.CallAsync("GET", "k")); // reads go on
        // A container's subcommands are writes or not by their own flags, as in Redis: FUNCTION LOAD is, FUNCTION LIST is not.
        Assert.StartsWith("MISCONF ", Assert.IsType<RespError>(await client.CallAsync("FUNCTION", "LOAD",
            "#!lua name=lib\nredis.register_function('f', function() return 1 end)")).Message);
        Assert.Empty(Items(await client.CallAsync("FUNCTION", "LIST")));
        Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "stop-writes-on-bgsave-error", "no"));
        Assert.Equal("OK", await client.CallAsync("SET", "k", "v"));
        Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"));
        Assert.IsType<RespError>(await client.CallAsync("SET", "k", "v"));

        Directory.CreateDirectory(gone);
        Assert.Equal("OK", await client.CallAsync("SAVE"));
        Assert.Equal("OK", await client.CallAsync("SET", "k", "v2"));
        Assert.Equal("ok", InfoText(await client.CallAsync("INFO", "persistence"), "rdb_last_bgsave_status"));
        Directory.Delete(gone, recursive: true);
    }

    [Fact]
    public async Task Save_settings_are_checked_as_redis_checks_them()
    {
        await using var server = await InProcessRedis.StartAsync(Backend.Auto, settings: ("enable-protected-configs", "local"));
        using var client = new RespClient(await server.ConnectAsync());
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
            Assert.IsType<RespError>(await client.CallAsync("CONFIG", "SET", "save", "60")).Message);
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory",
            Assert.IsType<RespError>(await client.CallAsync("CONFIG", "SET", "dir", "/no/such/dir")).Message);
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename",
            Assert.IsType<RespError>(await client.CallAsync("CONFIG", "SET", "dbfilename", "a/b.rdb")).Message);
        Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "save", "900 1 300 10"));
        Assert.Equal(["save", "900 1 300 10"], Items(await client.CallAsync("CONFIG", "GET", "save")));
    }

    [Fact]
    public async Task Debug_reload_keeps_every_key_and_lastsave_moves_with_each_save()
    {
        await using var server = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = new RespClient(await server.ConnectAsync());
        await RunAsync(client, [.. Fill, .. Extras]);
        var before = await ReadAllAsync(client);
        var lastSave = Assert.IsType<long>(await client.CallAsync("LASTSAVE"));
        Assert.Equal("OK", await client.CallAsync("DEBUG", "RELOAD"));
        Assert.Equal(before, await ReadAllAsync(client));
        Assert.InRange(Assert.IsType<long>(await client.CallAsync("LASTSAVE")), lastSave, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal(1, InfoField(await client.CallAsync("INFO", "persistence"), "rdb_saves"));
    }

    [Fact]
    public async Task Shutdown_nosave_writes_nothing_and_shutdown_save_writes_the_file()
    {
        await using var server = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = new RespClient(await server.ConnectAsync());
        var dump = Path.Combine((string)Items(await client.CallAsync("CONFIG", "GET", "dir"))[1]!, "dump.rdb");
        await RunAsync(client, [["SET", "k", "v"]]);
        await client.SendAsync("SHUTDOWN", "NOSAVE");
        await server.ShutdownRequested.Task.WaitAsync(InProcessRedis.StartStop);
        Assert.False(File.Exists(dump));
        Assert.Equal("PONG", await client.CallAsync("PING")); // this host leaves the stopping to the test
        Assert.IsType<RespError>(await client.CallAsync("SHUTDOWN", "BOGUS"));
        await client.SendAsync("SHUTDOWN", "SAVE");
        Assert.True(await Polling.Eventually(() => File.Exists(dump)));
    }

    [Fact]
    public async Task Debug_populate_fills_keys_as_redis_does_and_leaves_existing_ones()
    {
        await using var server = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = new RespClient(await server.ConnectAsync());
        Assert.Equal("OK", await client.CallAsync("SET", "key:3", "mine"));
        Assert.Equal("OK", await client.CallAsync("DEBUG", "POPULATE", "1000"));
        Assert.Equal(1000L, await client.CallAsync("DBSIZE"));
        Assert.Equal("value:7", await client.CallAsync("GET", "key:7"));
        Assert.Equal("mine", await client.CallAsync("GET", "key:3"));
        Assert.Equal("OK", await client.CallAsync("DEBUG", "POPULATE", "10", "big", "20"));
        Assert.Equal(20L, await client.CallAsync("STRLEN", "big:9"));
        Assert.IsType<RespError>(await client.CallAsync("DEBUG", "POPULATE", "-1"));
    }

    [Fact]
    public async Task Save_shutdown_sync_and_psync_are_refused_inside_multi_and_abort_the_transaction()
    {
        await using var server = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = new RespClient(await server.ConnectAsync());
        Assert.Equal("OK", await client.CallAsync("MULTI"));
        Assert.Equal(new RespError("ERR Command not allowed inside a transaction"), await client.CallAsync("SAVE"));
        Assert.Equal(new RespError("ERR Command not allowed inside a transaction"), await client.CallAsync("SHUTDOWN"));
        Assert.Equal(new RespError("ERR Command not allowed inside a transaction"), await client.CallAsync("SYNC"));
        Assert.Equal(new RespError("ERR Command not allowed inside a transaction"), await client.CallAsync("PSYNC", "?", "-1"));
        Assert.StartsWith("EXECABORT", Assert.IsType<RespError>(await client.CallAsync("EXEC")).Message);
        Assert.False(server.ShutdownRequested.Task.IsCompleted);
    }

    private static string InfoText(object? info, string field) =>
        Assert.IsType<string>(info).Split("\r\n").Single(line => line.StartsWith(field + ":"))[(field.Length + 1)..];
}
