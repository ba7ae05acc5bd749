using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// The replica side: this server following redis-server 7.0 (REPLICAOF): the full sync's snapshot, the stream after it,
/// a concurrent write load, a broken link continued with a partial resync, keys past their deadline, REPLICAOF NO ONE;
/// and following another loop-redis from its configuration, with the append-only file starting over from the sync.
/// </summary>
public sealed partial class ReplicationTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task As_a_replica_of_redis_server_it_loads_the_snapshot_and_follows_the_stream_read_only(Backend backend)
    {
        await using var pair = await FollowerPair.StartAsync(backend, [.. RedisContent.Fill, .. OtherDatabase]);
        var (master, masterClient, client) = (pair.Master, pair.MasterClient, pair.Client);
        await SameKeysAsync(masterClient, client);
        Assert.False(File.Exists(Path.Combine(master.Directory, "dump.rdb"))); // streamed to this replica (capa eof), no file
        await RedisContent.RunAsync(masterClient, AfterSync);
        // WAIT counts this server's acknowledgement: it answers the master's GETACK with the offset it has applied.
        Assert.Equal(1L, await masterClient.CallAsync("WAIT", "1", "10000"));
        await SameKeysAsync(masterClient, client);

        Assert.Equal("0", Field((string)(await client.CallAsync("INFO", "stats"))!, "total_error_replies"));
        var info = (string)(await client.CallAsync("INFO", "replication"))!;
        Assert.Contains("role:slave\r\n", info);
        Assert.Contains($"master_port:{master.EndPoint.Port}\r\n", info);
        Assert.Contains("master_link_status:up\r\n", info);
        Assert.Equal(Field((string)(await masterClient.CallAsync("INFO", "replication"))!, "master_replid"), Field(info, "master_replid"));
        var role = Assert.IsType<object?[]>(await client.CallAsync("ROLE"));
        Assert.Equal(["slave", "127.0.0.1", (long)master.EndPoint.Port, "connected", Count(info, "master_repl_offset")], role);
        Assert.Equal(["replicaof", $"127.0.0.1 {master.EndPoint.Port}"], Assert.IsType<object?[]>(await client.CallAsync("CONFIG", "GET", "replicaof")));
        Assert.Equal("READONLY You can't write against a read only replica.", Assert.IsType<RespError>(await client.CallAsync("SET", "mine", "1")).Message);
        Assert.StartsWith("ERR WAIT cannot be used with replica instances.", Assert.IsType<RespError>(await client.CallAsync("WAIT", "0", "0")).Message);
        Assert.Equal("OK Already connected to specified master", await client.CallAsync("REPLICAOF", "127.0.0.1", master.EndPoint.Port.ToString()));
    }

    /// <summary>
    /// The mirror of the master-side load test: redis-server's stream of a concurrent load, applied here, leaves the keys
    /// a redis-server replica of the same stream holds. (Not quite the master's: Redis 7.0 propagates XREADGROUP as
    /// XCLAIMs only, so a consumer group's entries-read is known on the master and unknown on every replica.)
    /// </summary>
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_concurrent_write_load_on_redis_server_leaves_this_replica_with_the_keys_a_redis_replica_has(Backend backend)
    {
        await using var pair = await FollowerPair.StartAsync(backend, ["RPUSH", "source", "a", "b"], ["SADD", "source-set", "1", "x"]);
        var (master, masterClient, client) = (pair.Master, pair.MasterClient, pair.Client);
        await using var redisReplicaServer = await RealRedis.StartAsync(null, "--replicaof", "127.0.0.1", master.EndPoint.Port.ToString());
        using var redisReplica = await redisReplicaServer.ConnectAsync();
        await InSyncAsync(masterClient, redisReplica);
        string[] payloads = [Assert.IsType<string>(await masterClient.CallAsync("DUMP", "source")), Assert.IsType<string>(await masterClient.CallAsync("DUMP", "source-set"))];

        var clients = new List<RespClient>();
        for (var i = 0; i < LoadClients; i++) { clients.Add(await master.ConnectAsync()); }
        await Task.WhenAll(clients.Select((c, i) => RunLoadAsync(c, new WriteLoad(new Random(i), payloads))));
        await ConcurrentClients.WaitForServerClockAsync(masterClient, await ConcurrentClients.ServerMillisecondsAsync(masterClient) + ShortTtlMs);
        await InSyncAsync(masterClient, client);

        await InSyncAsync(masterClient, redisReplica);
        Assert.Equal(await AllKeysAsync(redisReplica), await AllKeysAsync(client));
        Assert.Equal("0", Field((string)(await client.CallAsync("INFO", "stats"))!, "total_error_replies"));
        foreach (var c in clients) { c.Dispose(); }
    }

    /// <summary>replica-serve-stale-data no: with the link down, only the commands Redis flags stale run.</summary>
    [Fact]
    public Task A_replica_whose_link_is_down_refuses_commands_as_redis_does_with_replica_serve_stale_data_no() => SameAsRealRedis.RepliesAsync(
    [
        ["SET", "xx", "1"], ["CONFIG", "SET", "replica-serve-stale-data", "no"], ["REPLICAOF", "127.0.0.1", "0"],
        ["GET", "xx"], ["PING"], ["SET", "xx", "2"], ["CONFIG", "GET", "replica-serve-stale-data"], ["ROLE"],
        ["MULTI"], ["GET", "xx"], ["EXEC"], ["MULTI"], ["CONFIG", "GET", "replica-serve-stale-data"], ["EXEC"],
        ["CONFIG", "SET", "replica-serve-stale-data", "yes"], ["GET", "xx"], ["REPLICAOF", "NO", "ONE"], ["SET", "xx", "3"],
    ], reply => SameAsRealRedis.Show(reply) is var shown && shown.StartsWith("[slave") ? "[slave, 127.0.0.1, 0, (state), -1]" : shown);

    /// <summary>A transaction queued while the link was up is discarded at EXEC once it is down, as Redis's execCommandAbort says.</summary>
    [Fact]
    public async Task EXEC_of_commands_that_cannot_run_stale_is_discarded_with_the_reason()
    {
        async Task<string[]> RunAsync(RespClient client, RespClient other) => [
            SameAsRealRedis.Show(await client.CallAsync("CONFIG", "SET", "replica-serve-stale-data", "no")),
            SameAsRealRedis.Show(await client.CallAsync("MULTI")), SameAsRealRedis.Show(await client.CallAsync("GET", "xx")),
            SameAsRealRedis.Show(await other.CallAsync("REPLICAOF", "127.0.0.1", "0")), SameAsRealRedis.Show(await client.CallAsync("EXEC")),
            SameAsRealRedis.Show(await client.CallAsync("EXEC")), SameAsRealRedis.Show(await other.CallAsync("REPLICAOF", "NO", "ONE"))];
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        using var ourClient = new RespClient(await ours.ConnectAsync());
        using var ourOther = new RespClient(await ours.ConnectAsync());
        using var theirClient = await real.ConnectAsync();
        using var theirOther = await real.ConnectAsync();
        var expected = await RunAsync(theirClient, theirOther);
        Assert.Contains("EXECABORT Transaction discarded because of: MASTERDOWN", expected[4]);
        Assert.Equal(expected, await RunAsync(ourClient, ourOther));
    }

    /// <summary>
    /// A full resync whose RDB fails to load has emptied the keys: the next try asks for a full sync (PSYNC ? -1), never
    /// to continue the stream of the sync before. The master here is a socket that plays one.
    /// </summary>
    [Fact]
    public async Task A_full_resync_that_failed_half_way_is_followed_by_a_full_one_not_a_continuation()
    {
        byte[] rdb;
        await using (var real = await RealRedis.StartAsync())
        {
            using var realClient = await real.ConnectAsync();
            await realClient.CallAsync("SAVE");
            rdb = await File.ReadAllBytesAsync(Path.Combine(real.Directory, "dump.rdb"));
        }
        using var master = new TcpListener(IPAddress.Loopback, 0);
        master.Start();
        await using var replica = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = new RespClient(await replica.ConnectAsync());
        await client.CallAsync("REPLICAOF", "127.0.0.1", ((IPEndPoint)master.LocalEndpoint).Port.ToString());
        var id = new string('a', 40);

        using var first = await master.AcceptSocketAsync().WaitAsync(Timeouts.StartStop);
        Assert.Equal(["PSYNC", "?", "-1"], await FakeMaster.HandshakeAsync(first));
        await FakeMaster.SendAsync(first, $"+FULLRESYNC {id} 100\r\n${rdb.Length}\r\n", rdb);
        await Eventually.HoldsAsync(async () => Field((string)(await client.CallAsync("INFO", "replication"))!, "master_link_status") == "up", "the first sync");
        first.Close();

        using var second = await master.AcceptSocketAsync().WaitAsync(Timeouts.StartStop);
        Assert.Equal(["PSYNC", id, "101"], await FakeMaster.HandshakeAsync(second));
        await FakeMaster.SendAsync(second, $"+FULLRESYNC {id} 500\r\n${rdb.Length}\r\n", rdb[..^4]); // the checksum cut short
        second.Close();

        using var third = await master.AcceptSocketAsync().WaitAsync(Timeouts.StartStop);
        Assert.Equal(["PSYNC", "?", "-1"], await FakeMaster.HandshakeAsync(third));
    }

    /// <summary>Also a master that writes its RDB to disk first (repl-diskless-sync no), and sends it with its length.</summary>
    [Fact]
    public async Task A_master_that_requires_a_password_is_followed_with_masterauth()
    {
        await using var master = await RealRedis.StartAsync(null, "--repl-diskless-sync", "no");
        using var masterClient = await master.ConnectAsync(); // stays signed in as the default user
        await RedisContent.RunAsync(masterClient, [["CONFIG", "SET", "requirepass", "secret"], ["SET", "k", "v"]]);
        await using var replica = await InProcessRedis.StartAsync(Backend.Auto, settings: ("masterauth", "secret"));
        using var client = new RespClient(await replica.ConnectAsync());
        await client.CallAsync("REPLICAOF", "127.0.0.1", master.EndPoint.Port.ToString());
        await InSyncAsync(masterClient, client);
        Assert.Equal("v", await client.CallAsync("GET", "k"));
        Assert.True(File.Exists(Path.Combine(master.Directory, "dump.rdb")));
    }

    [Fact]
    public async Task A_broken_link_is_continued_where_it_stopped_with_a_partial_resync()
    {
        await using var pair = await FollowerPair.StartAsync(Backend.Auto, RedisContent.Fill);
        var (masterClient, client) = (pair.MasterClient, pair.Client);

        Assert.Equal(1L, await masterClient.CallAsync("CLIENT", "KILL", "TYPE", "replica"));
        await RedisContent.RunAsync(masterClient, AfterSync);
        await InSyncAsync(masterClient, client);
        await SameKeysAsync(masterClient, client);
        var stats = (string)(await masterClient.CallAsync("INFO", "stats"))!;
        Assert.Equal(("1", "1"), (Field(stats, "sync_full"), Field(stats, "sync_partial_ok")));
    }

    /// <summary>As on a Redis replica: a key past its deadline reads as gone, and stays until the master's DEL.</summary>
    [Fact]
    public async Task A_key_past_its_deadline_reads_as_gone_and_stays_until_the_masters_DEL()
    {
        await using var pair = await FollowerPair.StartAsync(Backend.Auto, ["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
        var (masterClient, client) = (pair.MasterClient, pair.Client);

        await masterClient.CallAsync("SET", "short", "v", "PX", "100");
        Assert.Equal(1L, await masterClient.CallAsync("WAIT", "1", "10000"));
        await ConcurrentClients.WaitForServerClockAsync(client, Assert.IsType<long>(await client.CallAsync("PEXPIRETIME", "short")));
        Assert.Null(await client.CallAsync("GET", "short"));
        Assert.Equal(1L, await client.CallAsync("DBSIZE"));

        Assert.Null(await masterClient.CallAsync("GET", "short")); // the master expires it, and sends DEL
        Assert.Equal(1L, await masterClient.CallAsync("WAIT", "1", "10000"));
        Assert.Equal(0L, await client.CallAsync("DBSIZE"));
    }

    [Fact]
    public async Task A_reader_blocked_on_the_replica_is_served_by_a_transaction_of_the_master()
    {
        await using var pair = await FollowerPair.StartAsync(Backend.Auto);
        var (replica, masterClient, client) = (pair.Replica, pair.MasterClient, pair.Client);

        using var reader = new RespClient(await replica.ConnectAsync());
        reader.Queue(["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]);
        await reader.FlushAsync();
        await Eventually.HoldsAsync(async () => Field((string)(await client.CallAsync("INFO", "clients"))!, "blocked_clients") == "1", "the reader to block");
        await RedisContent.RunAsync(masterClient, [["MULTI"], ["XADD", "s", "1-1", "f", "v"], ["EXEC"]]);
        Assert.Contains("1-1", SameAsRealRedis.Show(await reader.ReadAsync()));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task While_the_masters_snapshot_loads_every_loop_answers_LOADING_and_INFO_shows_it(Backend backend)
    {
        await using var master = await RealRedis.StartAsync(null, "--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0");
        using var masterClient = await master.ConnectAsync();
        Assert.Equal("OK", await masterClient.CallAsync("DEBUG", "POPULATE", "1500"));
        // 1500 keys and half a millisecond before each (Redis's key-load-delay): a load of a second and more.
        await using var replica = await InProcessRedis.StartAsync(backend, loops: 2, settings: ("key-load-delay", "500"));
        using var loading = await replica.ConnectAsync(); // its loop loads: it serves while it does
        using var other = await replica.ConnectOnAnotherLoopAsync(await replica.LoopOfAsync(loading));
        Assert.Equal("+OK\r\n", await loading.CommandAsync("REPLICAOF", "127.0.0.1", master.EndPoint.Port.ToString()));
        const string Loading = "-LOADING Redis is loading the dataset in memory\r\n";
        Assert.True(await Polling.Eventually(async () => await loading.CommandAsync("GET", "key:1") == Loading));
        Assert.Equal(Loading, await other.CommandAsync("GET", "key:1"));
        foreach (var client in new[] { loading, other })
        {
            var persistence = await client.CommandAsync("INFO", "persistence");
            Assert.Contains("\r\nloading:1\r\n", persistence);
            Assert.Matches("loading_total_bytes:[1-9][0-9]*\r\nloading_rdb_used_mem:0\r\nloading_loaded_bytes:[0-9]+\r\nloading_loaded_perc:", persistence);
        }
        Assert.True(await Polling.Eventually(async () => await other.CommandAsync("GET", "key:1") == "$7\r\nvalue:1\r\n"));
        Assert.Contains("\r\nloading:0\r\n", await loading.CommandAsync("INFO", "persistence"));
        Assert.Equal(":1500\r\n", await loading.CommandAsync("DBSIZE"));
    }

    // A diskless master waits repl-diskless-sync-delay (5 s by default) before its snapshot, for more replicas to join,
    // and meanwhile sends the replica a newline a second to keep the link alive: the reply to PSYNC comes after them.
    [Fact]
    public async Task A_master_that_delays_its_diskless_snapshot_is_followed_after_its_keepalive_newlines()
    {
        await using var master = await RealRedis.StartAsync(null, "--repl-diskless-sync-delay", "2");
        using var masterClient = await master.ConnectAsync();
        Assert.Equal("OK", await masterClient.CallAsync("SET", "k", "v"));
        await using var replica = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = new RespClient(await replica.ConnectAsync());
        Assert.Equal("OK", await client.CallAsync("REPLICAOF", "127.0.0.1", master.EndPoint.Port.ToString()));
        Assert.True(await Polling.Eventually(async () => await client.CallAsync("GET", "k") is "v", TimeSpan.FromSeconds(20)), "the replica never synced");
        Assert.Equal("1", Field((string)(await masterClient.CallAsync("INFO", "stats"))!, "sync_full"));
    }

    [Fact]
    public async Task INFO_replication_shows_the_transfer_of_the_masters_snapshot_as_a_redis_replica_does()
    {
        // A master that streams its snapshot slowly (a millisecond a key, rdb-key-save-delay): the transfer lasts a while.
        await using var master = await RealRedis.StartAsync(null, "--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0",
            "--rdb-key-save-delay", "1000");
        using var masterClient = await master.ConnectAsync();
        Assert.Equal("OK", await masterClient.CallAsync("DEBUG", "POPULATE", "1500"));
        await using var replica = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = await replica.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("REPLICAOF", "127.0.0.1", master.EndPoint.Port.ToString()));
        var transfer = new Regex("master_sync_in_progress:1\r\n.*master_sync_total_bytes:0\r\nmaster_sync_read_bytes:([1-9][0-9]*)\r\n" +
            "master_sync_left_bytes:-([0-9]+)\r\nmaster_sync_perc:0.00\r\nmaster_sync_last_io_seconds_ago:[0-9]+\r\nmaster_link_down_since_seconds:", RegexOptions.Singleline);
        Match? seen = null;
        Assert.True(await Polling.Eventually(async () => (seen = transfer.Match(await client.CommandAsync("INFO", "replication"))).Success));
        Assert.Equal(seen!.Groups[1].Value, seen.Groups[2].Value); // streamed: no size known, so left is minus what was read
        Assert.True(await Polling.Eventually(async () => await client.CommandAsync("DBSIZE") == ":1500\r\n", TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain("master_sync_total_bytes", await client.CommandAsync("INFO", "replication"));
    }

    [Fact]
    public async Task CLIENT_LIST_shows_the_masters_client_and_CLIENT_KILL_makes_the_link_continue()
    {
        await using var pair = await FollowerPair.StartAsync(Backend.Auto);
        var (masterClient, client) = (pair.MasterClient, pair.Client);
        await masterClient.CallAsync("SET", "k", "v");
        await InSyncAsync(masterClient, client);
        var port = pair.Master.EndPoint.Port;
        var line = (string)(await client.CallAsync("CLIENT", "LIST", "TYPE", "master"))!;
        Assert.Matches($"^id=[0-9]+ addr=127\\.0\\.0\\.1:{port} laddr=127\\.0\\.0\\.1:[0-9]+ fd=-1 name= age=[0-9]+ idle=[0-9]+ flags=M db=0 " +
            "sub=0 psub=0 ssub=0 multi=-1 .* cmd=set user=default redir=-1 resp=2\n$", line);
        Assert.DoesNotContain("flags=M", (string)(await client.CallAsync("CLIENT", "LIST", "TYPE", "normal"))!);

        Assert.Equal(1L, await client.CallAsync("CLIENT", "KILL", "TYPE", "master"));
        // The link connects again and continues where it stopped.
        await Eventually.HoldsAsync(async () => Field((string)(await masterClient.CallAsync("INFO", "stats"))!, "sync_partial_ok") == "1",
            "the replica to continue the stream");
        await masterClient.CallAsync("SET", "after", "kill");
        await InSyncAsync(masterClient, client);
        Assert.Equal("kill", await client.CallAsync("GET", "after"));
        Assert.Contains("flags=M", (string)(await client.CallAsync("CLIENT", "LIST"))!);
    }

    [Fact]
    public async Task A_subscriber_of_the_replica_hears_what_is_published_on_the_master()
    {
        await using var pair = await FollowerPair.StartAsync(Backend.Auto);
        using var subscriber = await pair.Replica.ConnectAsync();
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", await subscriber.CommandAsync("SUBSCRIBE", "news"));
        Assert.Equal(0L, await pair.MasterClient.CallAsync("PUBLISH", "news", "hello")); // nobody listens on the master
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n", await subscriber.ReadReplyAsync());
    }

    [Fact]
    public async Task REPLICAOF_NO_ONE_keeps_the_keys_and_takes_writes_again()
    {
        await using var pair = await FollowerPair.StartAsync(Backend.Auto, RedisContent.Fill);
        var (masterClient, client) = (pair.MasterClient, pair.Client);

        Assert.Equal("OK", await client.CallAsync("REPLICAOF", "NO", "ONE"));
        Assert.Equal("OK", await client.CallAsync("SET", "mine", "1"));
        await masterClient.CallAsync("SET", "after", "1");
        Assert.Null(await client.CallAsync("GET", "after"));
        Assert.Equal((long)RedisContent.Keys.Length + 1, await client.CallAsync("DBSIZE"));
        Assert.Equal("master", Assert.IsType<object?[]>(await client.CallAsync("ROLE"))[0]);
        Assert.Equal(["replicaof", ""], Assert.IsType<object?[]>(await client.CallAsync("CONFIG", "GET", "replicaof")));
    }

    /// <summary>
    /// loop-redis following loop-redis from its configuration, with its append-only file on: the file starts over from
    /// the sync's snapshot, so the replica restarted on its own has the master's keys. A broken link is continued, and
    /// WAIT on the master counts this replica's acknowledgement.
    /// </summary>
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Following_another_loop_redis_from_the_configuration_keeps_its_keys_in_the_append_only_file(Backend backend)
    {
        await using var master = await InProcessRedis.StartAsync(backend);
        using var masterClient = new RespClient(await master.ConnectAsync());
        await RedisContent.RunAsync(masterClient, RedisContent.Fill);
        await RedisContent.RunAsync(masterClient, OtherDatabase);
        var directory = Directory.CreateTempSubdirectory("loop-redis-replica-").FullName;
        (string, string)[] aof = [("appendonly", "yes"), ("appendfsync", "always")];
        string[] replicated;
        await using (var replica = await InProcessRedis.StartAsync(backend, dir: directory, settings: [.. aof, ("replicaof", $"127.0.0.1 {master.EndPoint.Port}")]))
        {
            using var client = new RespClient(await replica.ConnectAsync());
            await InSyncAsync(masterClient, client);
            // The rewrite that the sync started: until it is done, the file holds the keys of before the sync.
            await Eventually.HoldsAsync(async () => Field((string)(await client.CallAsync("INFO", "persistence"))!, "aof_rewrites") == "1"
                && Field((string)(await client.CallAsync("INFO", "persistence"))!, "aof_rewrite_in_progress") == "0", "the rewrite after the sync");
            Assert.Equal(1L, await masterClient.CallAsync("CLIENT", "KILL", "TYPE", "replica")); // continued, below
            await RedisContent.RunAsync(masterClient, AfterSync);
            Assert.Equal(1L, await masterClient.CallAsync("WAIT", "1", "0")); // this replica acknowledges to that master
            await SameKeysAsync(masterClient, client);
            Assert.Equal("1", Field((string)(await masterClient.CallAsync("INFO", "stats"))!, "sync_partial_ok"));
            replicated = await AllKeysAsync(client);
        }
        await using var restarted = await InProcessRedis.StartAsync(backend, dir: directory, settings: aof);
        using var reader = new RespClient(await restarted.ConnectAsync());
        Assert.Equal(replicated, await AllKeysAsync(reader));
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>
    /// Redis Sentinel (redis-server --sentinel) watching a loop-redis master and its loop-redis replica: it finds the
    /// replica in the master's INFO, and when the master goes, promotes the replica (REPLICAOF NO ONE), which then takes
    /// writes with the master's keys.
    /// </summary>
    [Fact]
    public async Task Redis_sentinel_fails_over_a_loop_redis_master_to_its_loop_redis_replica()
    {
        var master = await InProcessRedis.StartAsync(Backend.Auto);
        await using var replica = await InProcessRedis.StartAsync(Backend.Auto, settings: ("replicaof", $"127.0.0.1 {master.EndPoint.Port}"));
        using var client = new RespClient(await replica.ConnectAsync());
        using (var masterClient = new RespClient(await master.ConnectAsync()))
        {
            await RedisContent.RunAsync(masterClient, RedisContent.Fill);
            await InSyncAsync(masterClient, client);
        }
        var directory = RealRedis.NewDirectory();
        var configFile = Path.Combine(directory, "sentinel.conf"); // Sentinel writes what it learns back into it
        await File.WriteAllTextAsync(configFile, $"sentinel monitor main 127.0.0.1 {master.EndPoint.Port} 1\n" +
            "sentinel down-after-milliseconds main 1000\nsentinel failover-timeout main 10000\n");
        await using var sentinel = await RealRedis.StartFromFileAsync(configFile, directory, "--sentinel");
        using var sentinelClient = await sentinel.ConnectAsync();
        var replicaPort = replica.EndPoint.Port.ToString();
        Assert.True(await Polling.Eventually(async () => Show(await sentinelClient.CallAsync("SENTINEL", "REPLICAS", "main")).Contains(replicaPort)),
            "Sentinel did not find the replica");

        await master.DisposeAsync();
        Assert.True(await Polling.Eventually(async () =>
            Show(await sentinelClient.CallAsync("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "main")) == $"127.0.0.1 {replicaPort}", TimeSpan.FromSeconds(30)),
            "Sentinel did not fail over to the replica");
        // Sentinel closed the promoted server's clients (CLIENT KILL TYPE normal, in the MULTI of its REPLICAOF NO ONE).
        using var promoted = new RespClient(await replica.ConnectAsync());
        Assert.Equal("master", Assert.IsType<object?[]>(await promoted.CallAsync("ROLE"))[0]);
        Assert.Equal("OK", await promoted.CallAsync("SET", "after-failover", "1"));
        Assert.Equal((long)RedisContent.Keys.Length + 1, await promoted.CallAsync("DBSIZE"));
    }

    private static string Show(object? reply) => reply is object?[] items ? string.Join(' ', items.Select(Show)) : $"{reply}";

    /// <summary>
    /// redis-server (DEBUG allowed; repl-diskless-sync, Redis 7.0's default, without its delay) holding what <c>fill</c>
    /// wrote, and this server following it (REPLICAOF), in sync.
    /// </summary>
    private sealed class FollowerPair : IAsyncDisposable
    {
        public required RealRedis Master { get; init; }
        public required RespClient MasterClient { get; init; }
        public required InProcessRedis Replica { get; init; }
        public required RespClient Client { get; init; }

        public static async Task<FollowerPair> StartAsync(Backend backend, params string[][] fill)
        {
            var master = await RealRedis.StartAsync(null, "--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0");
            var masterClient = await master.ConnectAsync();
            await RedisContent.RunAsync(masterClient, fill);
            var replica = await InProcessRedis.StartAsync(backend);
            var client = new RespClient(await replica.ConnectAsync());
            Assert.Equal("OK", await client.CallAsync("REPLICAOF", "127.0.0.1", master.EndPoint.Port.ToString()));
            await InSyncAsync(masterClient, client);
            return new FollowerPair { Master = master, MasterClient = masterClient, Replica = replica, Client = client };
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Replica.DisposeAsync();
            MasterClient.Dispose();
            await Master.DisposeAsync();
        }
    }

    /// <summary>The master's side of the wire, for <see cref="A_full_resync_that_failed_half_way_is_followed_by_a_full_one_not_a_continuation"/>.</summary>
    private static class FakeMaster
    {
        /// <summary>Answers the replica's handshake as a master does, up to PSYNC, whose arguments it returns.</summary>
        public static async Task<string[]> HandshakeAsync(Socket replica)
        {
            var reader = new StreamReader(new NetworkStream(replica), Encoding.Latin1);
            while (true)
            {
                var command = await ReadCommandAsync(reader).WaitAsync(Timeouts.StartStop);
                if (command[0] == "PSYNC") { return command; }
                await SendAsync(replica, command[0] == "PING" ? "+PONG\r\n" : "+OK\r\n", []);
            }
        }

        public static async Task SendAsync(Socket replica, string text, byte[] bytes)
        {
            byte[] data = [.. Encoding.Latin1.GetBytes(text), .. bytes];
            await replica.SendAsync(data);
        }

        // *N, then $LEN and the argument for each: the replica's arguments are one line each.
        private static async Task<string[]> ReadCommandAsync(StreamReader reader)
        {
            var count = int.Parse((await reader.ReadLineAsync())![1..]);
            var arguments = new string[count];
            for (var i = 0; i < count; i++)
            {
                await reader.ReadLineAsync();
                arguments[i] = (await reader.ReadLineAsync())!;
            }
            return arguments;
        }
    }
}
