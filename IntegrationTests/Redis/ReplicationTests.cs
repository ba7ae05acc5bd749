using System.Text.RegularExpressions;
using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// The master side of replication with the real thing: redis-server 7.0 as a replica of this server (full sync, then the
/// stream of writes), redis-cli --rdb, the wire format of PSYNC and SYNC, REPLCONF's replies, a replica that stops
/// reading disconnected by client-output-buffer-limit, and a concurrent write load after which the replica, the server
/// and the server restarted from its append-only file hold the same keys.
/// </summary>
public sealed partial class ReplicationTests
{
    private static readonly string[][] OtherDatabase =
    [
        ["SELECT", "2"], ["SET", "db2:ttl", "v", "PX", "600000"], ["HSET", "db2:h", "a", "1"],
        ["XADD", "db2:x", "1-1", "f", "v"], ["XADD", "db2:x", "2-1", "g", "w"], ["XGROUP", "CREATE", "db2:x", "g1", "0"],
        ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "1", "STREAMS", "db2:x", ">"], ["SELECT", "0"],
    ];

    private static readonly string[][] AfterSync =
    [
        ["INCR", "s:int8"], ["LPUSH", "l:small", "new"], ["DEL", "st:text"], ["EXPIRE", "h:small", "500"], ["SET", "late", "v", "EX", "900"],
        ["MULTI"], ["ZADD", "z:small", "7", "seven"], ["SREM", "st:ints", "1"], ["EXEC"], ["SPOP", "st:big"], ["LPOP", "l:big", "2"],
        ["SELECT", "2"], ["HSET", "db2:h", "b", "2"], ["XADD", "db2:x", "3-1", "h", "x"], ["XACK", "db2:x", "g1", "1-1"], ["SELECT", "0"],
        ["GETDEL", "s:text"], ["SETEX", "short", "1000", "v"], ["COPY", "h:big", "h:copy"], ["RENAME", "z:big", "z:renamed"],
    ];

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_real_replica_gets_every_type_and_every_write_after_the_sync(Backend backend)
    {
        await using var master = await InProcessRedis.StartAsync(backend);
        using var client = new RespClient(await master.ConnectAsync());
        await RedisContent.RunAsync(client, RedisContent.Fill);
        await RedisContent.RunAsync(client, OtherDatabase);

        await using var replica = await RealRedis.StartAsync(null, "--replicaof", "127.0.0.1", master.EndPoint.Port.ToString());
        using var replicaClient = await replica.ConnectAsync();
        await InSyncAsync(client, replicaClient);
        await SameKeysAsync(client, replicaClient);
        var info = (string)(await client.CallAsync("INFO", "replication"))!;
        Assert.Contains("connected_slaves:1\r\n", info);
        Assert.Matches($@"slave0:ip=127\.0\.0\.1,port={replica.EndPoint.Port},state=online,offset=\d+,lag=\d+\r\n", info);
        var role = Assert.IsType<object?[]>(await client.CallAsync("ROLE"));
        Assert.Equal(["master", Count(info, "master_repl_offset")], role[..2]);
        Assert.Equal(["127.0.0.1", replica.EndPoint.Port.ToString()], Assert.IsType<object?[]>(Assert.Single(Assert.IsType<object?[]>(role[2])))[..2]);

        await RedisContent.RunAsync(client, AfterSync);
        await InSyncAsync(client, replicaClient);
        await SameKeysAsync(client, replicaClient);
        Assert.Equal("v", await replicaClient.CallAsync("GET", "late"));
    }

    /// <summary>A real replica whose connection was killed asks to continue (PSYNC id offset) and is sent the writes it missed from the backlog.</summary>
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_replica_whose_link_broke_continues_from_the_backlog(Backend backend)
    {
        await using var master = await InProcessRedis.StartAsync(backend);
        using var client = new RespClient(await master.ConnectAsync());
        await RedisContent.RunAsync(client, RedisContent.Fill);
        await using var replica = await RealRedis.StartAsync(null, "--replicaof", "127.0.0.1", master.EndPoint.Port.ToString());
        using var replicaClient = await replica.ConnectAsync();
        await InSyncAsync(client, replicaClient);

        Assert.Equal(1L, await client.CallAsync("CLIENT", "KILL", "TYPE", "replica"));
        await RedisContent.RunAsync(client, AfterSync);
        await InSyncAsync(client, replicaClient);
        await SameKeysAsync(client, replicaClient);
        var stats = (string)(await client.CallAsync("INFO", "stats"))!;
        Assert.Equal(("1", "1", "0"), (Field(stats, "sync_full"), Field(stats, "sync_partial_ok"), Field(stats, "sync_partial_err")));
    }

    /// <summary>WAIT asks the replicas for their offset and answers once enough acknowledged the writes before it, or at its timeout.</summary>
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task WAIT_answers_how_many_replicas_acknowledged_the_writes_before_it(Backend backend)
    {
        await using var master = await InProcessRedis.StartAsync(backend);
        using var client = new RespClient(await master.ConnectAsync());
        Assert.Equal(0L, await client.CallAsync("WAIT", "1", "20")); // no replica yet: none, once the timeout passed
        await RedisContent.RunAsync(client, RedisContent.Fill);
        await using var replica = await RealRedis.StartAsync(null, "--replicaof", "127.0.0.1", master.EndPoint.Port.ToString());
        using var replicaClient = await replica.ConnectAsync();
        await InSyncAsync(client, replicaClient);

        using var waiting = new RespClient(await master.ConnectAsync());
        waiting.Queue(["WAIT", "2", "0"]); // two replicas, however long: it waits until its client leaves
        await waiting.FlushAsync();
        await RedisContent.RunAsync(client, AfterSync);
        Assert.Equal(1L, await client.CallAsync("WAIT", "1", "0"));
        Assert.Equal("v", await replicaClient.CallAsync("GET", "late")); // acknowledged: already on the replica
        Assert.Equal(1L, await client.CallAsync("WAIT", "2", "20"));
        await client.CallAsync("MULTI");
        await client.CallAsync("WAIT", "5", "0");
        Assert.Equal(new object?[] { 1L }, await client.CallAsync("EXEC")); // in a transaction, at once
    }

    // min-replicas-to-write 1 on a master with no replica: what Redis refuses with NOREPLICAS, and what it still runs.
    private static readonly string[][] TooFewReplicas =
    [
        ["SET", "x", "some value"], ["FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('w', function(keys) return redis.call('get', keys[1]) end)\n" +
            "redis.register_function{function_name='r', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}"],
        ["CONFIG", "SET", "min-replicas-to-write", "1"], ["INFO", "replication"],
        ["SET", "x", "1"], ["GET", "x"], ["EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "x"],
        ["EVAL", "return redis.call('get', KEYS[1])", "1", "x"], ["EVAL", "#!lua\nreturn redis.call('get', KEYS[1])", "1", "x"],
        ["EVAL", "return redis.call('set', KEYS[1], 1)", "1", "x"], ["FCALL", "w", "1", "x"], ["FCALL", "r", "1", "x"],
        ["MULTI"], ["SET", "x", "2"], ["EXEC"], ["MULTI"], ["GET", "x"], ["EXEC"],
        ["MULTI"], ["EVAL", "#!lua\nreturn 1", "0"], ["EXEC"], ["MULTI"], ["EVAL", "return 1", "0"], ["EXEC"],
        ["CONFIG", "SET", "min-replicas-max-lag", "0"], ["SET", "x", "3"], ["INFO", "replication"],
    ];

    [Fact]
    public async Task Min_replicas_to_write_refuses_writes_as_redis_does()
    {
        await using var pair = await ServerPair.StartAsync(protocol: 2);
        foreach (var command in TooFewReplicas)
        {
            var expected = Regex.Replace(await pair.Theirs.CommandAsync(command), "master_replid:[0-9a-f]{40}", "(id)");
            Assert.Equal(expected, Regex.Replace(await pair.Ours.CommandAsync(command), "master_replid:[0-9a-f]{40}", "(id)"));
        }
    }

    [Fact]
    public async Task Min_replicas_to_write_takes_writes_while_enough_replicas_acknowledge()
    {
        await using var master = await InProcessRedis.StartAsync(Backend.Auto, settings: ("min-replicas-to-write", "1"));
        using var client = new RespClient(await master.ConnectAsync());
        Assert.Equal(new RespError("NOREPLICAS Not enough good replicas to write."), await client.CallAsync("SET", "k", "v"));
        await using var replica = await RealRedis.StartAsync(null, "--replicaof", "127.0.0.1", master.EndPoint.Port.ToString());
        using var replicaClient = await replica.ConnectAsync();
        await InSyncAsync(client, replicaClient);
        Assert.Contains("min_slaves_good_slaves:1\r\n", (string)(await client.CallAsync("INFO", "replication"))!);
        Assert.Equal("OK", await client.CallAsync("SET", "k", "v"));
        await InSyncAsync(client, replicaClient);
        Assert.Equal("v", await replicaClient.CallAsync("GET", "k"));
    }

    [Fact]
    public async Task Waits_end_on_CLIENT_UNBLOCK_and_when_the_server_becomes_a_replica_as_in_redis()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        Assert.Equal(await WaitsEndedAsync(real.EndPoint), await WaitsEndedAsync(ours.EndPoint));
    }

    // What WAIT and BLPOP clients are told: CLIENT UNBLOCK of a WAIT, with TIMEOUT and ERROR; then REPLICAOF, which tells
    // every waiting client UNBLOCKED and closes it (redis-server: disconnectAllBlockedClients).
    private static async Task<string> WaitsEndedAsync(System.Net.IPEndPoint endPoint)
    {
        using var admin = await RespSocket.ConnectAsync(endPoint);
        using var waiter = await RespSocket.ConnectAsync(endPoint);
        using var popper = await RespSocket.ConnectAsync(endPoint);
        var id = (await waiter.CommandAsync("CLIENT", "ID"))[1..^2];
        var transcript = new List<string> { await waiter.CommandAsync("SET", "k", "v") };
        async Task BlockedAsync(RespSocket client, int count, params string[] command)
        {
            await client.SendAsync(RespSocket.Encode(command));
            Assert.True(await Polling.Eventually(async () => (await admin.CommandAsync("INFO", "clients")).Contains($"blocked_clients:{count}\r\n")));
        }
        foreach (var reason in new[] { "TIMEOUT", "ERROR" })
        {
            await BlockedAsync(waiter, 1, "WAIT", "1", "0");
            transcript.Add(await admin.CommandAsync("CLIENT", "UNBLOCK", id, reason));
            transcript.Add(await waiter.ReadReplyAsync());
        }
        await BlockedAsync(waiter, 1, "WAIT", "1", "0");
        await BlockedAsync(popper, 2, "BLPOP", "nothing", "0");
        transcript.Add(await admin.CommandAsync("REPLICAOF", "127.0.0.1", "1")); // no master there: this only makes it a replica
        transcript.Add(await waiter.ReadToEndAsync());
        transcript.Add(await popper.ReadToEndAsync());
        transcript.Add(await admin.CommandAsync("REPLICAOF", "NO", "ONE"));
        return string.Join("", transcript);
    }

    [Fact]
    public async Task With_the_append_only_file_on_a_replica_still_gets_every_write()
    {
        await using var master = await InProcessRedis.StartAsync(Backend.Auto, settings: ("appendonly", "yes"));
        using var client = new RespClient(await master.ConnectAsync());
        await RedisContent.RunAsync(client, OtherDatabase);
        await using var replica = await RealRedis.StartAsync(null, "--replicaof", "127.0.0.1", master.EndPoint.Port.ToString());
        using var replicaClient = await replica.ConnectAsync();
        await InSyncAsync(client, replicaClient);
        await RedisContent.RunAsync(client, RedisContent.Fill);
        await RedisContent.RunAsync(client, AfterSync);
        await InSyncAsync(client, replicaClient);
        await SameKeysAsync(client, replicaClient);
    }

    [Fact]
    public async Task INFO_replication_has_redis_fields_before_any_replica()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        using var ourClient = new RespClient(await ours.ConnectAsync());
        using var theirClient = await real.ConnectAsync();
        // The replication id is random; every other field and value is the same.
        static string Shown(object? info) => Regex.Replace((string)info!, "master_replid:[0-9a-f]{40}", "master_replid:(id)");
        Assert.Equal(Shown(await theirClient.CallAsync("INFO", "replication")), Shown(await ourClient.CallAsync("INFO", "replication")));
        Assert.Equal(await theirClient.CallAsync("ROLE"), await ourClient.CallAsync("ROLE"));
    }

    [Fact]
    public async Task Redis_cli_rdb_saves_a_snapshot_redis_check_rdb_accepts()
    {
        await using var master = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = new RespClient(await master.ConnectAsync());
        await RedisContent.RunAsync(client, RedisContent.Fill);
        var directory = RealRedis.NewDirectory();
        try
        {
            var file = Path.Combine(directory, "dump.rdb");
            var (exit, output) = await RealRedis.RunToolAsync("redis-cli", "-p", master.EndPoint.Port.ToString(), "--rdb", file);
            Assert.True(exit == 0, output);
            Assert.Contains("Transfer finished with success.", output);
            var check = await RealRedis.RunToolAsync("redis-check-rdb", file);
            Assert.True(check.ExitCode == 0, check.Output);
            Assert.Contains($"{RedisContent.Keys.Length} keys read", check.Output);
            Assert.Equal(0L, Count(await client.CallAsync("INFO", "replication"), "connected_slaves"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Redis_cli_functions_rdb_saves_the_libraries_and_no_keys()
    {
        await using var master = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = new RespClient(await master.ConnectAsync());
        await RedisContent.RunAsync(client, RedisContent.Fill);
        Assert.Equal("kept", await client.CallAsync("FUNCTION", "LOAD", "#!lua name=kept\nredis.register_function('one', function() return 1 end)"));
        var directory = RealRedis.NewDirectory();
        try
        {
            var file = Path.Combine(directory, "functions.rdb");
            var (exit, output) = await RealRedis.RunToolAsync("redis-cli", "-p", master.EndPoint.Port.ToString(), "--functions-rdb", file);
            Assert.True(exit == 0, output);
            var check = await RealRedis.RunToolAsync("redis-check-rdb", file);
            Assert.True(check.ExitCode == 0, check.Output);
            Assert.Contains("0 keys read", check.Output);
            Assert.Contains("#!lua name=kept", File.ReadAllText(file));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // Waits (bounded) until the replica has loaded the sync and read the whole stream the master has written.
    private static Task InSyncAsync(RespClient master, RespClient replica) =>
        Eventually.HoldsAsync(async () =>
        {
            var theirs = (string)(await replica.CallAsync("INFO", "replication"))!;
            var ours = (string)(await master.CallAsync("INFO", "replication"))!;
            return theirs.Contains("master_link_status:up") && Field(theirs, "master_repl_offset") == Field(ours, "master_repl_offset");
        }, "the replica's offset to reach the master's");

    private static async Task SameKeysAsync(RespClient master, RespClient replica)
    {
        foreach (var db in new[] { "0", "2" })
        {
            await master.CallAsync("SELECT", db);
            await replica.CallAsync("SELECT", db);
            var keys = ((object?[])(await master.CallAsync("KEYS", "*"))!).Cast<string>().Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(keys, ((object?[])(await replica.CallAsync("KEYS", "*"))!).Cast<string>().Order(StringComparer.Ordinal));
            foreach (var key in keys) { Assert.Equal(await ReadAsync(master, key), await ReadAsync(replica, key)); }
        }
        await master.CallAsync("SELECT", "0");
        await replica.CallAsync("SELECT", "0");
    }

    // Type, content and deadline; a stream as its entries and its groups.
    private static async Task<string> ReadAsync(RespClient client, string key)
    {
        var deadline = await client.CallAsync("PEXPIRETIME", key);
        if ((string?)await client.CallAsync("TYPE", key) != "stream") { return $"{await RedisContent.ReadBackAsync(client, key)} expires {deadline}"; }
        var entries = SameAsRealRedis.Show(await client.CallAsync("XRANGE", key, "-", "+"));
        return $"{key} stream {entries} {SameAsRealRedis.Show(await client.CallAsync("XINFO", "GROUPS", key))} expires {deadline}";
    }

    private static string Field(string info, string name) => Regex.Match(info, $@"\b{name}:(\S+)").Groups[1].Value;

    private static long Count(object? info, string name) => long.Parse(Field((string)info!, name));
}
