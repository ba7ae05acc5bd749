using Loop.IntegrationTests.Infrastructure;
using Loop.Samples.Redis.Persistence;
using static Loop.IntegrationTests.Redis.ConcurrentClients;
using static Loop.IntegrationTests.Redis.RedisContent;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// The append-only file: what clients wrote comes back after a restart on every backend and fsync policy, commands
/// that would replay differently are logged as what they did (relative deadlines, SPOP, a blocked client's pop, a
/// transaction), BGREWRITEAOF compacts the directory to one base and one incr file, and a truncated last file loads
/// up to its last whole command or refuses to, as aof-load-truncated says.
/// </summary>
public sealed class AofTests
{
    private static readonly string[][] Changes =
    [
        ["SET", "relative", "v", "EX", "1000"], ["SETEX", "setex", "1000", "v"], ["SET", "counter", "10"], ["INCRBYFLOAT", "counter", "0.5"],
        ["EXPIRE", "counter", "2000"], ["SADD", "popped", "a", "b", "c"], ["SPOP", "popped"], ["SPOP", "popped", "1"],
        ["RPUSH", "queue", "1", "2", "3"], ["LMPOP", "1", "queue", "LEFT"], ["GETDEL", "s:plain"], ["SELECT", "5"], ["SET", "db5", "five"],
        ["SELECT", "0"], ["MULTI"], ["INCR", "in-exec"], ["RPUSH", "queue", "4"], ["EXEC"], ["SET", "gone", "x", "PX", "1"],
    ];

    private static readonly string[] ChangedKeys = ["relative", "setex", "counter", "popped", "queue", "in-exec"];

    public static TheoryData<Backend, string> BackendsAndPolicies
    {
        get
        {
            var data = new TheoryData<Backend, string>();
            foreach (var backend in Backends.Concrete) { data.Add(backend, "always"); data.Add(backend, "everysec"); }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(BackendsAndPolicies))]
    public async Task Every_type_with_its_deadline_and_every_rewritten_command_survives_a_restart(Backend backend, string fsync)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        string[] before;
        await using (var first = await StartAsync(backend, directory, fsync))
        {
            using var client = new RespClient(await first.ConnectAsync());
            await RunAsync(client, [.. Fill, .. Changes]);
            before = await ReadAllAsync(client, [.. Keys, .. ChangedKeys]);
        }
        await using var second = await StartAsync(backend, directory, fsync);
        using var again = new RespClient(await second.ConnectAsync());
        Assert.Equal(before, await ReadAllAsync(again, [.. Keys, .. ChangedKeys]));
        Assert.Null(await again.CallAsync("GET", "gone"));
        Assert.Equal("OK", await again.CallAsync("SELECT", "5"));
        Assert.Equal("five", await again.CallAsync("GET", "db5"));
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Clients_of_four_loops_writing_at_once_get_every_reply_and_every_write_survives_a_restart(Backend backend)
    {
        // Four loops log into one file at once, each writing what gathered after its batches (also the others'):
        // every write acknowledged, none lost, and a key all of them append to replays in the order they ran.
        const int Clients = 8, Count = 4000;
        static string[] Command(int client, int i) =>
            i % 4 == 0 ? ["APPEND", "shared", $"{client}.{i};"] : ["SET", $"c{client}:{i}", $"{i}"];
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        (string, string)[] settings = [("appendonly", "yes"), ("appendfsync", "everysec")];
        object? shared;
        await using (var first = await InProcessRedis.StartAsync(backend, loops: 4, dir: directory, settings: settings))
        {
            var clients = new List<RespClient>();
            for (var c = 0; c < Clients; c++) { clients.Add(new RespClient(await first.ConnectAsync())); }
            var replies = await clients.EachAsync((client, c) => client.PipelineAsync(Count, 200, i => Command(c, i)))
                .WaitAsync(TimeSpan.FromMinutes(1));
            Assert.All(replies.SelectMany(reply => reply), reply => Assert.IsNotType<RespError>(reply));
            shared = await clients[0].CallAsync("GET", "shared");
            clients.ForEach(client => client.Dispose());
        }
        await using var second = await InProcessRedis.StartAsync(backend, loops: 4, dir: directory, settings: settings);
        using var again = new RespClient(await second.ConnectAsync());
        Assert.Equal((long)Clients * Count * 3 / 4 + 1, await again.CallAsync("DBSIZE"));
        Assert.Equal(shared, await again.CallAsync("GET", "shared"));
        for (var c = 0; c < Clients; c++) { Assert.Equal($"{Count - 1}", await again.CallAsync("GET", $"c{c}:{Count - 1}")); }
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(BackendsAndPolicies))]
    public async Task Loops_changing_the_same_keys_at_once_leave_a_log_that_replays_to_the_same_keyspace(Backend backend, string fsync)
    {
        // Each loop logs into a buffer of its own, merged into the file in the keyspace clock's order: commands of
        // different loops on one key (appends, pushes, pops from one list onto another, transactions, in two
        // databases) must replay in the order they ran, across a rewrite's switch to a new file too.
        const int Clients = 8, Count = 3000, Keys = 6;
        static string[] Command(int client, int i)
        {
            var (a, b) = ($"{(i * 31 + client * 17) % Keys}", $"{(i * 7 + client) % Keys}");
            return (i % 10) switch
            {
                0 => ["APPEND", "s" + a, $"{client}.{i};"],
                1 or 8 => ["RPUSH", "l" + a, $"{client}.{i}"],
                2 => ["RPOPLPUSH", "l" + a, "l" + b],
                3 => ["MULTI"],
                4 => ["INCRBY", "n" + a, $"{i}"],
                5 => ["APPEND", "s" + b, "x"],
                6 => ["EXEC"],
                7 => ["SELECT", "1"],
                _ => ["SELECT", "0"],
            };
        }
        async Task<string[]> ReadKeyspaceAsync(RespClient client)
        {
            var all = new List<string>();
            foreach (var db in new[] { "0", "1" })
            {
                Assert.Equal("OK", await client.CallAsync("SELECT", db));
                for (var k = 0; k < Keys; k++)
                {
                    all.Add($"{db} s{k}={await client.CallAsync("GET", $"s{k}")} n{k}={await client.CallAsync("GET", $"n{k}")}");
                    all.Add($"{db} l{k}={string.Join(',', (object?[])(await client.CallAsync("LRANGE", $"l{k}", "0", "-1"))!)}");
                }
            }
            return [.. all];
        }
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        string[] before;
        (string, string)[] settings = [("appendonly", "yes"), ("appendfsync", fsync)];
        await using (var first = await InProcessRedis.StartAsync(backend, loops: 4, dir: directory, settings: settings))
        {
            var clients = await first.ConnectClientsOverLoopsAsync(Clients);
            var writers = clients.EachAsync((client, c) => client.PipelineAsync(Count, 100, i => Command(c, i)));
            using (var admin = new RespClient(await first.ConnectAsync()))
            {
                Assert.Equal("Background append only file rewriting started", await admin.CallAsync("BGREWRITEAOF"));
                var replies = await writers.WaitAsync(TimeSpan.FromMinutes(2));
                Assert.All(replies.SelectMany(reply => reply), reply => Assert.IsNotType<RespError>(reply));
                before = await ReadKeyspaceAsync(admin);
            }
            foreach (var client in clients) { client.Dispose(); }
        }
        await using var second = await InProcessRedis.StartAsync(backend, loops: 4, dir: directory, settings: settings);
        using var again = new RespClient(await second.ConnectAsync());
        Assert.Equal(before, await ReadKeyspaceAsync(again));
        // Every push is there once: what the pops moved stayed in some list of its database.
        Assert.Equal(Clients * Count / 10, before.Where(line => line.StartsWith("0 l")).Sum(line => line.Split('=')[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Length));
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_pop_served_to_a_blocked_client_is_logged_after_the_push_that_served_it(Backend backend)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        await using (var first = await StartAsync(backend, directory, "always"))
        {
            using var waiter = new RespClient(await first.ConnectAsync());
            using var pusher = new RespClient(await first.ConnectAsync());
            await waiter.SendAsync("BLPOP", "jobs", "0");
            await first.WaitForBlockedClientsAsync(1);
            Assert.Equal(2L, await pusher.CallAsync("RPUSH", "jobs", "first", "second"));
            Assert.Equal(new object?[] { "jobs", "first" }, await waiter.ReadAsync());
        }
        await using var second = await StartAsync(backend, directory, "always");
        using var again = new RespClient(await second.ConnectAsync());
        Assert.Equal(new object?[] { "second" }, await again.CallAsync("LRANGE", "jobs", "0", "-1"));
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_rewrite_leaves_one_base_and_one_incr_file_that_load_what_clients_wrote(Backend backend)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        var aofDirectory = Path.Combine(directory, AofFileNames.DefaultDirectoryName);
        string[] before;
        await using (var first = await StartAsync(backend, directory, "everysec"))
        {
            using var client = new RespClient(await first.ConnectAsync());
            await RunAsync(client, Fill);
            Assert.Equal("Background append only file rewriting started", await client.CallAsync("BGREWRITEAOF"));
            await RunAsync(client, Changes); // while the base is written, into the new incr file
            Assert.True(await Polling.Eventually(async () => InfoField(await client.CallAsync("INFO", "persistence"), "aof_rewrites") == 1),
                "BGREWRITEAOF did not complete");
            before = await ReadAllAsync(client, [.. Keys, .. ChangedKeys]);
        }
        Assert.Equal(["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"],
            Directory.GetFiles(aofDirectory).Select(Path.GetFileName).Order());
        await using var second = await StartAsync(backend, directory, "everysec");
        using var again = new RespClient(await second.ConnectAsync());
        Assert.Equal(before, await ReadAllAsync(again, [.. Keys, .. ChangedKeys]));
        Directory.Delete(directory, recursive: true);
    }

    // As Redis: with appendonly off, BGREWRITEAOF writes a base of what is there, which the manifest then names alone;
    // CONFIG SET appendonly yes writes a base and an incr file. Either replaces an earlier log's files, and appendonly yes
    // then loads what it wrote.
    [Theory]
    [InlineData("BGREWRITEAOF", "Background append only file rewriting started", new[] { "appendonly.aof.2.base.rdb", "appendonly.aof.manifest" })]
    [InlineData("CONFIG SET appendonly yes", "OK", new[] { "appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest" })]
    public async Task A_rewrite_begun_with_appendonly_off_replaces_the_directory_s_files(string command, string reply, string[] files)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        var aofDirectory = Path.Combine(directory, AofFileNames.DefaultDirectoryName);
        await using (var logged = await StartAsync(Backend.Auto, directory, "everysec"))
        {
            using var client = new RespClient(await logged.ConnectAsync());
            Assert.Equal("OK", await client.CallAsync("SET", "earlier", "log"));
        }
        string[] before;
        await using (var off = await InProcessRedis.StartAsync(Backend.Auto, dir: directory))
        {
            using var client = new RespClient(await off.ConnectAsync());
            await RunAsync(client, Fill);
            Assert.Equal(reply, await client.CallAsync(command.Split(' ')));
            Assert.True(await Polling.Eventually(async () => InfoField(await client.CallAsync("INFO", "persistence"), "aof_rewrites") == 1),
                "the rewrite did not complete");
            before = await ReadAllAsync(client, Keys);
        }
        Assert.Equal(files, Directory.GetFiles(aofDirectory).Select(Path.GetFileName).Order());
        await using var loaded = await StartAsync(Backend.Auto, directory, "everysec");
        using var again = new RespClient(await loaded.ConnectAsync());
        Assert.Equal(before, await ReadAllAsync(again, Keys));
        Assert.Null(await again.CallAsync("GET", "earlier"));
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Config_set_appendonly_yes_writes_a_base_of_what_is_there_and_logs_from_then_on(Backend backend)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        string[] before;
        await using (var first = await InProcessRedis.StartAsync(backend, dir: directory))
        {
            using var client = new RespClient(await first.ConnectAsync());
            await RunAsync(client, Fill);
            Assert.Equal(0L, InfoField(await client.CallAsync("INFO", "persistence"), "aof_enabled"));
            Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "appendonly", "yes"));
            await RunAsync(client, Changes); // logged while the base is written
            Assert.True(await Polling.Eventually(async () => InfoField(await client.CallAsync("INFO", "persistence"), "aof_rewrites") == 1),
                "the first rewrite did not complete");
            Assert.Equal(1L, InfoField(await client.CallAsync("INFO", "persistence"), "aof_enabled"));
            before = await ReadAllAsync(client, [.. Keys, .. ChangedKeys]);
            Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "appendonly", "no"));
            Assert.Equal("OK", await client.CallAsync("SET", "after", "appendonly no")); // not logged
        }
        await using var second = await StartAsync(backend, directory, "everysec");
        using var again = new RespClient(await second.ConnectAsync());
        Assert.Equal(before, await ReadAllAsync(again, [.. Keys, .. ChangedKeys]));
        Assert.Null(await again.CallAsync("GET", "after"));
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Config_set_appendonly_yes_that_cannot_create_its_file_is_refused_and_leaves_the_server_as_it_was()
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        // The first incr file cannot be created: a directory has its name.
        Directory.CreateDirectory(Path.Combine(directory, AofFileNames.DefaultDirectoryName, "appendonly.aof.1.incr.aof"));
        await using var redis = await InProcessRedis.StartAsync(Backend.Auto, dir: directory);
        using var client = new RespClient(await redis.ConnectAsync());
        var refused = Assert.IsType<RespError>(await client.CallAsync("CONFIG", "SET", "appendonly", "yes"));
        Assert.Contains("appendonly.aof.1.incr.aof", refused.Message);
        var info = Assert.IsType<string>(await client.CallAsync("INFO", "persistence"));
        Assert.Equal((0L, 0L), (InfoField(info, "aof_enabled"), InfoField(info, "aof_rewrite_in_progress")));
        Assert.Equal("no", Assert.IsType<object[]>(await client.CallAsync("CONFIG", "GET", "appendonly"))[1]);
        Assert.Equal("OK", await client.CallAsync("SET", "still", "served"));
        Assert.Equal("Background saving started", await client.CallAsync("BGSAVE")); // the snapshot is free again
        Assert.True(await Polling.Eventually(async () =>
            InfoField(await client.CallAsync("INFO", "persistence"), "rdb_bgsave_in_progress") == 0), "the BGSAVE did not finish");
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [InlineData("everysec")]
    [InlineData("always")]
    [InlineData("no")]
    public async Task A_write_error_is_reported_and_no_write_it_could_not_log_is_acknowledged(string fsync)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        await using var redis = await StartAsync(Backend.Auto, directory, fsync);
        using var client = new RespClient(await redis.ConnectAsync());
        Assert.Equal("OK", await client.CallAsync("SET", "before", "1"));
        await MoveLogToFullDiskAsync(client, directory);
        // Refused if the failure is known by then, else its connection is closed with the reply unsent: never OK.
        await client.SendAsync("SET", "lost", "x");
        var outcome = await Record.ExceptionAsync(async () =>
        {
            var reply = Assert.IsType<RespError>(await client.ReadAsync());
            Assert.StartsWith("MISCONF Errors writing to the AOF file: ", reply.Message);
        });
        Assert.True(outcome is null or EndOfStreamException or System.Net.Sockets.SocketException, $"expected MISCONF or the connection closed, got {outcome}");
        using var other = new RespClient(await redis.ConnectAsync());
        var refused = Assert.IsType<RespError>(await other.CallAsync("SET", "refused", "x"));
        Assert.StartsWith("MISCONF Errors writing to the AOF file: ", refused.Message);
        Assert.Contains("aof_last_write_status:err\r\n", Assert.IsType<string>(await other.CallAsync("INFO", "persistence")));
        Assert.Equal("1", await other.CallAsync("GET", "before"));
    }

    [Fact]
    public async Task A_blocked_client_gets_no_element_whose_pop_the_log_failed_to_take()
    {
        // With always nothing touches the new file before the push (everysec's periodic FSYNC could, and fail first).
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        await using var redis = await StartAsync(Backend.Auto, directory, "always");
        using var client = new RespClient(await redis.ConnectAsync());
        await MoveLogToFullDiskAsync(client, directory);
        using var waiter = new RespClient(await redis.ConnectAsync());
        using var pusher = new RespClient(await redis.ConnectAsync());
        await waiter.SendAsync("BLPOP", "jobs", "0");
        await redis.WaitForBlockedClientsAsync(1);
        // The push and the pop it serves are the first writes into the full disk: neither client is answered, and the
        // pop is undone.
        await pusher.SendAsync("RPUSH", "jobs", "first");
        foreach (var unanswered in new[] { pusher, waiter })
        {
            var outcome = await Record.ExceptionAsync(unanswered.ReadAsync);
            Assert.True(outcome is EndOfStreamException or System.Net.Sockets.SocketException, $"expected the connection closed, got {outcome?.ToString() ?? "a reply"}");
        }
        Assert.Equal(new object?[] { "first" }, await client.CallAsync("LRANGE", "jobs", "0", "-1"));
    }

    [Theory]
    [InlineData("everysec")]
    [InlineData("always")]
    public async Task A_rewrite_that_cannot_create_its_incr_file_fails_and_the_log_goes_on_in_the_old_one(string fsync)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        var blocker = Path.Combine(directory, AofFileNames.DefaultDirectoryName, "appendonly.aof.2.incr.aof");
        await using (var redis = await StartAsync(Backend.Auto, directory, fsync))
        {
            using var client = new RespClient(await redis.ConnectAsync());
            Assert.Equal("OK", await client.CallAsync("SET", "before", "1"));
            // The rewrite's new incr file cannot be created: a directory has its name (removed before the restart).
            Directory.CreateDirectory(blocker);
            Assert.Equal(new RespError("ERR Background append only file rewriting failed"), await client.CallAsync("BGREWRITEAOF"));
            var info = Assert.IsType<string>(await client.CallAsync("INFO", "persistence"));
            Assert.Contains("aof_rewrite_in_progress:0\r\n", info);
            Assert.Contains("aof_last_bgrewrite_status:err\r\n", info);
            Assert.Contains("aof_last_write_status:ok\r\n", info);
            Assert.Equal("OK", await client.CallAsync("SET", "after", "2"));
        }
        Directory.Delete(blocker);
        await using var again = await StartAsync(Backend.Auto, directory, fsync);
        using var reader = new RespClient(await again.ConnectAsync());
        Assert.Equal(("1", "2"), (await reader.CallAsync("GET", "before"), await reader.CallAsync("GET", "after")));
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task A_rewrite_that_cannot_name_its_incr_file_in_the_manifest_fails_and_the_log_goes_on_in_the_old_one()
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        var aofDirectory = Path.Combine(directory, AofFileNames.DefaultDirectoryName);
        var blocker = Path.Combine(aofDirectory, AofFileNames.Manifest("appendonly.aof") + ".tmp");
        await using (var redis = await StartAsync(Backend.Auto, directory, "everysec"))
        {
            using var client = new RespClient(await redis.ConnectAsync());
            Assert.Equal("OK", await client.CallAsync("SET", "before", "1"));
            // The rewrite's thread cannot write the manifest: a directory has the name of its temp file.
            Directory.CreateDirectory(blocker);
            Assert.Equal("Background append only file rewriting started", await client.CallAsync("BGREWRITEAOF"));
            Assert.True(await Polling.Eventually(async () =>
                InfoField(await client.CallAsync("INFO", "persistence"), "aof_rewrite_in_progress") == 0), "the rewrite did not end");
            var info = Assert.IsType<string>(await client.CallAsync("INFO", "persistence"));
            Assert.Contains("aof_last_bgrewrite_status:err\r\n", info);
            Assert.Contains("aof_last_write_status:ok\r\n", info);
            Assert.Equal("OK", await client.CallAsync("SET", "after", "2"));
            Assert.False(File.Exists(Path.Combine(aofDirectory, "appendonly.aof.2.incr.aof")), "the unnamed incr file was left behind");
        }
        Directory.Delete(blocker);
        await using var again = await StartAsync(Backend.Auto, directory, "everysec");
        using var reader = new RespClient(await again.ConnectAsync());
        Assert.Equal(("1", "2"), (await reader.CallAsync("GET", "before"), await reader.CallAsync("GET", "after")));
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task A_bgsave_during_a_rewrite_is_refused_or_scheduled_as_redis_does_and_the_scheduled_one_runs_after()
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        await using var redis = await StartAsync(Backend.Auto, directory, "everysec");
        using var client = new RespClient(await redis.ConnectAsync());
        Assert.Equal("OK", await client.CallAsync("DEBUG", "POPULATE", "200000")); // a rewrite that takes a while
        // One write: the BGSAVEs run while the rewrite's thread is still writing 200k keys.
        client.Queue("BGREWRITEAOF");
        client.Queue("BGSAVE");
        client.Queue("BGSAVE", "SCHEDULE");
        client.Queue("INFO", "persistence");
        await client.FlushAsync();
        Assert.Equal("Background append only file rewriting started", await client.ReadAsync());
        Assert.Equal(new RespError("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."),
            await client.ReadAsync());
        Assert.Equal("Background saving scheduled", await client.ReadAsync());
        var during = await client.ReadAsync();
        Assert.Equal((1L, 0L), (InfoField(during, "aof_rewrite_in_progress"), InfoField(during, "rdb_bgsave_in_progress")));
        Assert.True(await Polling.Eventually(async () =>
        {
            var info = await client.CallAsync("INFO", "persistence");
            return InfoField(info, "aof_rewrites") == 1 && InfoField(info, "rdb_saves") == 1;
        }), "the rewrite and the scheduled BGSAVE did not both complete");
        Assert.True(File.Exists(Path.Combine(directory, "dump.rdb")));
    }

    [Fact]
    public async Task A_rewrite_asked_for_during_a_bgsave_is_scheduled_and_runs_after_it()
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        await using var redis = await StartAsync(Backend.Auto, directory, "everysec");
        using var client = new RespClient(await redis.ConnectAsync());
        Assert.Equal("OK", await client.CallAsync("DEBUG", "POPULATE", "200000")); // a save that takes a while
        client.Queue("BGSAVE");
        client.Queue("BGREWRITEAOF");
        client.Queue("INFO", "persistence");
        await client.FlushAsync();
        Assert.Equal("Background saving started", await client.ReadAsync());
        Assert.Equal("Background append only file rewriting scheduled", await client.ReadAsync());
        Assert.Equal(1L, InfoField(await client.ReadAsync(), "aof_rewrite_scheduled"));
        Assert.True(await Polling.Eventually(async () =>
        {
            var info = await client.CallAsync("INFO", "persistence");
            return InfoField(info, "rdb_saves") == 1 && InfoField(info, "aof_rewrites") == 1 && InfoField(info, "aof_rewrite_scheduled") == 0;
        }), "the BGSAVE and the scheduled rewrite did not both complete");
    }

    [Fact]
    public async Task The_file_is_rewritten_by_itself_once_it_grows_past_the_minimum_size_and_percentage()
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        await using var redis = await StartAsync(Backend.Auto, directory, "everysec",
            ("auto-aof-rewrite-min-size", "16kb"), ("auto-aof-rewrite-percentage", "100"));
        using var client = new RespClient(await redis.ConnectAsync());
        var emptyBase = InfoField(await client.CallAsync("INFO", "persistence"), "aof_base_size");
        // Values LZF cannot shrink, so the base holds their 100 bytes each.
        static string Value(int i) => string.Concat(new Random(i).GetItems("abcdefghijklmnopqrstuvwxyz0123456789".ToCharArray(), 100));
        for (var i = 0; i < 100; i++) { Assert.Equal("OK", await client.CallAsync("SET", $"key:{i}", Value(i))); }
        var grown = await client.CallAsync("INFO", "persistence");
        Assert.True(InfoField(grown, "aof_current_size") > emptyBase + 100 * 100, "the commands are not counted in aof_current_size");
        Assert.Equal(0L, InfoField(grown, "aof_rewrites")); // under 16 KB: not yet
        for (var i = 100; i < 200; i++) { Assert.Equal("OK", await client.CallAsync("SET", $"key:{i}", Value(i))); }
        Assert.True(await Polling.Eventually(async () => InfoField(await client.CallAsync("INFO", "persistence"), "aof_rewrites") == 1),
            "no rewrite started by itself");
        var rewritten = await client.CallAsync("INFO", "persistence");
        Assert.True(InfoField(rewritten, "aof_base_size") > 200 * 100, "the new base does not hold the keys");
        Assert.Equal(InfoField(rewritten, "aof_base_size"), InfoField(rewritten, "aof_current_size"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_restore_whose_absolute_deadline_passed_loads_for_the_commands_after_it_and_then_expires(Backend backend)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        string payload;
        await using (var first = await StartAsync(backend, directory, "always"))
        {
            using var client = new RespClient(await first.ConnectAsync());
            await client.CallAsync("SET", "source", "x");
            payload = Assert.IsType<string>(await client.CallAsync("DUMP", "source"));
        }
        // As the file holds a RESTORE ... ABSTTL once its deadline has passed (1 ms after the epoch here): Redis's
        // checkAlreadyExpired does not apply while loading, so BITOP reads the key, which expires once the file is loaded.
        var incr = Path.Combine(directory, AofFileNames.DefaultDirectoryName, "appendonly.aof.1.incr.aof");
        await File.AppendAllTextAsync(incr, RespSocket.Encode("RESTORE", "k", "1", payload, "ABSTTL") + RespSocket.Encode("BITOP", "NOT", "dst", "k"),
            System.Text.Encoding.Latin1);

        await using var loaded = await StartAsync(backend, directory, "always");
        using var reader = new RespClient(await loaded.ConnectAsync());
        Assert.Equal("\x87", await reader.CallAsync("GET", "dst")); // NOT 'x'
        Assert.Equal(0L, await reader.CallAsync("EXISTS", "k"));
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task A_truncated_incr_file_loads_up_to_its_last_whole_command_or_is_refused_by_name()
    {
        const int commands = 200;
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        await using (var first = await StartAsync(Backend.Auto, directory, "always"))
        {
            using var client = new RespClient(await first.ConnectAsync());
            for (var i = 0; i < commands; i++) { Assert.Equal((long)i + 1, await client.CallAsync("RPUSH", "list", $"{i}")); }
        }
        var incr = Path.Combine(directory, AofFileNames.DefaultDirectoryName, "appendonly.aof.1.incr.aof");
        var whole = await File.ReadAllBytesAsync(incr);
        var random = new Random(20261126);
        for (var trial = 0; trial < 5; trial++)
        {
            var cut = random.Next(whole.Length);
            var trialDirectory = Directory.CreateTempSubdirectory("loop-redis-aof-cut-").FullName;
            CopyDirectory(directory, trialDirectory);
            await File.WriteAllBytesAsync(Path.Combine(trialDirectory, AofFileNames.DefaultDirectoryName, "appendonly.aof.1.incr.aof"), whole[..cut]);
            var refused = await Assert.ThrowsAsync<AofFormatException>(() => StartAsync(Backend.Auto, trialDirectory, "always", ("aof-load-truncated", "no")));
            Assert.Contains("appendonly.aof.1.incr.aof", refused.Message);

            await using var loaded = await StartAsync(Backend.Auto, trialDirectory, "always");
            using var client = new RespClient(await loaded.ConnectAsync());
            var list = ((object?[])(await client.CallAsync("LRANGE", "list", "0", "-1"))!).Cast<string>().ToArray();
            Assert.Equal(Enumerable.Range(0, list.Length).Select(i => $"{i}"), list);
            Assert.True(list.Length < commands, $"a file cut at {cut} of {whole.Length} bytes loaded all {commands} commands");
            Directory.Delete(trialDirectory, recursive: true);
        }
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Redis_server_loads_the_directory_we_wrote_and_we_load_the_one_it_wrote()
    {
        var ours = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        var theirs = Directory.CreateTempSubdirectory("loop-redis-aof-theirs-").FullName;
        string[] before, after;
        await using (var first = await StartAsync(Backend.Auto, ours, "always"))
        {
            using var client = new RespClient(await first.ConnectAsync());
            await RunAsync(client, [.. Fill, .. Changes]);
            before = await ReadAllAsync(client, [.. Keys, .. ChangedKeys]);
        }
        await using (var redis = await RealRedis.StartAsync(ours, "--appendonly", "yes", "--appendfsync", "always"))
        {
            using var client = await redis.ConnectAsync();
            Assert.Equal(before, await ReadAllAsync(client, [.. Keys, .. ChangedKeys]));
            await RunAsync(client, [["RPUSH", "queue", "from redis"], ["PEXPIREAT", "counter", "4102444800000"], ["DEL", "in-exec"], ["SET", "in-exec", "redis"]]);
            // Its own base too: a rewrite, then more commands in its new incr file.
            Assert.Equal("Background append only file rewriting started", await client.CallAsync("BGREWRITEAOF"));
            Assert.True(await Polling.Eventually(async () =>
                InfoField(await client.CallAsync("INFO", "persistence"), "aof_rewrite_in_progress") == 0
                && !Directory.GetFiles(Path.Combine(ours, AofFileNames.DefaultDirectoryName), "appendonly.aof.1.*").Any()), "redis-server's rewrite did not finish");
            await RunAsync(client, [["RPUSH", "queue", "after its rewrite"]]);
            after = await ReadAllAsync(client, [.. Keys, .. ChangedKeys]);
            CopyDirectory(ours, theirs); // every write is synced before its reply (always)
        }
        await using var second = await StartAsync(Backend.Auto, theirs, "always");
        using var again = new RespClient(await second.ConnectAsync());
        Assert.Equal(after, await ReadAllAsync(again, [.. Keys, .. ChangedKeys]));
        Directory.Delete(theirs, recursive: true);
    }

    [Fact]
    public async Task Restore_is_logged_as_redis_propagates_it_with_a_relative_ttl_made_absolute()
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        await using (var redis = await StartAsync(Backend.Auto, directory, "always"))
        {
            using var client = new RespClient(await redis.ConnectAsync());
            Assert.Equal("OK", await client.CallAsync("SET", "source", "v"));
            var payload = (string)(await client.CallAsync("DUMP", "source"))!;
            Assert.Equal("OK", await client.CallAsync("RESTORE", "plain", "0", payload, "IDLETIME", "5"));
            Assert.Equal("OK", await client.CallAsync("RESTORE", "relative", "100000", payload));
            Assert.Equal("OK", await client.CallAsync("RESTORE", "absolute", "4102444800000", payload, "ABSTTL"));
            Assert.Equal("OK", await client.CallAsync("SET", "replaced", "x"));
            Assert.Equal("OK", await client.CallAsync("RESTORE", "replaced", "1", payload, "REPLACE", "ABSTTL")); // expired at once
        }
        var commands = new List<string[]>();
        using (var incr = File.OpenRead(Path.Combine(directory, AofFileNames.DefaultDirectoryName, "appendonly.aof.1.incr.aof")))
        {
            AofCommandReader.Read(incr, "incr", new CollectingSink(commands));
        }
        var restores = commands.Where(c => c[0] is "RESTORE" or "DEL").Select(c => c.Where((_, i) => i != 3).ToArray()).ToList();
        Assert.Equal(4, restores.Count);
        Assert.Equal(["RESTORE", "plain", "0", "IDLETIME", "5"], restores[0]);
        Assert.Equal(["RESTORE", "relative", "ABSTTL"], restores[1].Where((_, i) => i != 2));
        Assert.InRange(long.Parse(restores[1][2]), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 100000);
        Assert.Equal(["RESTORE", "absolute", "4102444800000", "ABSTTL"], restores[2]);
        Assert.Equal(["DEL", "replaced"], restores[3]);
        Directory.Delete(directory, recursive: true);
    }

    private sealed class CollectingSink(List<string[]> commands) : IAofCommandSink
    {
        public void Command(IReadOnlyList<byte[]> arguments, long offset) =>
            commands.Add([.. arguments.Select(a => System.Text.Encoding.Latin1.GetString(a))]);
    }

    // A rewrite moves the log to a full disk: its new incr file is /dev/full. The rewrite's thread moves the log there
    // once the manifest names it, done by the time it finishes; nothing is written there until the next write.
    private static async Task MoveLogToFullDiskAsync(RespClient client, string directory)
    {
        File.CreateSymbolicLink(Path.Combine(directory, AofFileNames.DefaultDirectoryName, "appendonly.aof.2.incr.aof"), "/dev/full");
        Assert.Equal("Background append only file rewriting started", await client.CallAsync("BGREWRITEAOF"));
        Assert.True(await Polling.Eventually(async () =>
            InfoField(await client.CallAsync("INFO", "persistence"), "aof_rewrite_in_progress") == 0), "the rewrite did not finish");
    }

    private static Task<InProcessRedis> StartAsync(Backend backend, string directory, string fsync, params (string, string)[] more) =>
        InProcessRedis.StartAsync(backend, dir: directory, settings: [("appendonly", "yes"), ("appendfsync", fsync), .. more]);

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
