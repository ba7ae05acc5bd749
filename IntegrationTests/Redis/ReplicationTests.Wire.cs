using System.Text.RegularExpressions;
using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

public sealed partial class ReplicationTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task PSYNC_answers_a_full_resync_then_the_RDB_then_the_writes_from_its_offset(Backend backend)
    {
        await using var master = await InProcessRedis.StartAsync(backend);
        using var client = new RespClient(await master.ConnectAsync());
        await client.CallAsync("SET", "before", "v");
        using var replica = await master.ConnectAsync();
        Assert.Equal("+OK\r\n", await replica.CommandAsync("REPLCONF", "listening-port", "6380", "capa", "eof", "capa", "psync2"));
        await replica.SendAsync(RespSocket.Encode("PSYNC", "?", "-1"));
        var fullResync = Regex.Match(await replica.ReadLineAsync(), @"^\+FULLRESYNC [0-9a-f]{40} (\d+)$");
        Assert.True(fullResync.Success);
        var offset = long.Parse(fullResync.Groups[1].Value);
        var rdb = await ReadRdbAsync(replica);
        Assert.StartsWith("REDIS0010", rdb);
        Assert.Contains("before", rdb);

        await client.CallAsync("SET", "after", "w");
        await client.CallAsync("SELECT", "3");
        await client.CallAsync("INCR", "n");
        const string stream = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\nw\r\n" +
            "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n";
        Assert.Equal(stream, await replica.ReadExactlyAsync(stream.Length));
        var end = offset + stream.Length;
        Assert.Equal(end, Count(await client.CallAsync("INFO", "replication"), "master_repl_offset"));

        await replica.SendAsync(RespSocket.Encode("REPLCONF", "ACK", end.ToString())); // no reply
        await Eventually.HoldsAsync(async () => ((string)(await client.CallAsync("INFO", "replication"))!)
            .Contains($"slave0:ip=127.0.0.1,port=6380,state=online,offset={end},"), "the acknowledged offset in INFO");
    }

    // A transaction or script of one write goes as that write; of more, inside MULTI ... EXEC, the SELECT of its first
    // command ahead of the MULTI; one that wrote nothing, not at all. And the commands Redis propagates otherwise.
    private static readonly string[][] Transactions =
    [
        ["MULTI"], ["SET", "one", "1"], ["GET", "one"], ["EXEC"],
        ["MULTI"], ["SELECT", "1"], ["SET", "a", "1"], ["SELECT", "2"], ["SET", "b", "2"], ["INCR", "b"], ["EXEC"],
        ["MULTI"], ["GET", "b"], ["EXEC"],
        ["SELECT", "3"], ["EVAL", "redis.call('set', KEYS[1], 'x')", "1", "k1"],
        ["EVAL", "redis.call('set', KEYS[1], 'x') return redis.call('incr', KEYS[2])", "2", "k2", "k3"],
        // The float increments as the values they came to; PUBLISH goes to replicas too, inside a transaction as any command.
        ["INCRBYFLOAT", "f", "1.1"], ["HINCRBYFLOAT", "h", "x", "2.5e3"], ["EVAL", "redis.call('incrbyfloat', KEYS[1], 1)", "1", "f"],
        ["PUBLISH", "news", "hello"], ["MULTI"], ["PUBLISH", "news", "in"], ["INCR", "n"], ["EXEC"], ["SPUBLISH", "shard", "m"],
        ["SET", "last", "v"],
    ];

    [Fact]
    public async Task Transactions_and_scripts_reach_replicas_framed_as_redis_frames_them()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync(null, "--repl-diskless-sync", "no", "--repl-ping-replica-period", "3600");
        Assert.Equal(await StreamAfterAsync(real.EndPoint, real.ConnectAsync), await StreamAfterAsync(ours.EndPoint, async () => new RespClient(await ours.ConnectAsync())));
    }

    // What a replica attached to the server at endPoint reads of the stream while the transactions run.
    private static async Task<string> StreamAfterAsync(System.Net.IPEndPoint endPoint, Func<Task<RespClient>> connect)
    {
        using var client = await connect();
        Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "repl-ping-replica-period", "3600"));
        using var replica = await RespSocket.ConnectAsync(endPoint);
        await replica.SendAsync(RespSocket.Encode("PSYNC", "?", "-1"));
        var offset = long.Parse(Regex.Match(await replica.ReadLineAsync(), @"^\+FULLRESYNC [0-9a-f]{40} (\d+)$").Groups[1].Value);
        await ReadRdbAsync(replica);
        foreach (var command in Transactions) { await client.CallAsync(command); }
        var end = Count(await client.CallAsync("INFO", "replication"), "master_repl_offset");
        return await replica.ReadExactlyAsync((int)(end - offset));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Writes_made_while_the_snapshot_is_written_come_after_it_and_not_in_it(Backend backend)
    {
        await using var master = await InProcessRedis.StartAsync(backend);
        using var client = new RespClient(await master.ConnectAsync());
        Assert.Equal("OK", await client.CallAsync("DEBUG", "POPULATE", "50000"));
        await client.CallAsync("SET", "changed-key", "old-value");
        using var replica = await master.ConnectAsync();
        await replica.SendAsync(RespSocket.Encode("PSYNC", "?", "-1"));
        Assert.StartsWith("+FULLRESYNC ", await replica.ReadLineAsync());
        await client.CallAsync("SET", "changed-key", "new-value");
        await client.CallAsync("SET", "created-key", "v");

        var rdb = await ReadRdbAsync(replica);
        Assert.Contains("old-value", rdb);
        Assert.DoesNotContain("new-value", rdb);
        Assert.DoesNotContain("created-key", rdb);
        const string stream = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$11\r\nchanged-key\r\n$9\r\nnew-value\r\n" +
            "*3\r\n$3\r\nSET\r\n$11\r\ncreated-key\r\n$1\r\nv\r\n";
        Assert.Equal(stream, await replica.ReadExactlyAsync(stream.Length));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_command_that_found_its_key_expired_and_failed_reaches_replicas_only_as_the_keys_DEL(Backend backend)
    {
        await using var master = await InProcessRedis.StartAsync(backend, activeExpiry: false);
        using var client = new RespClient(await master.ConnectAsync());
        var deadline = await ConcurrentClients.ServerMillisecondsAsync(client) + 200;
        await RedisContent.RunAsync(client, [["SET", "s", "str"], ["SET", "gone", "v", "PXAT", $"{deadline}"], ["SADD", "gone2", "a"], ["PEXPIREAT", "gone2", $"{deadline}"]]);
        using var replica = await master.ConnectAsync();
        await replica.SendAsync(RespSocket.Encode("PSYNC", "?", "-1"));
        Assert.StartsWith("+FULLRESYNC ", await replica.ReadLineAsync());
        await ReadRdbAsync(replica);
        await ConcurrentClients.WaitForServerClockAsync(client, deadline);

        // As Redis: the expired keys' DELs, and not the commands, which failed (RENAME: no such key; SINTERSTORE: a string).
        Assert.Equal(new RespError("ERR no such key"), await client.CallAsync("RENAME", "gone", "x"));
        Assert.StartsWith("WRONGTYPE", Assert.IsType<RespError>(await client.CallAsync("SINTERSTORE", "dst", "gone2", "s")).Message);
        await client.CallAsync("SET", "last", "v");
        const string stream = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*2\r\n$3\r\nDEL\r\n$4\r\ngone\r\n*2\r\n$3\r\nDEL\r\n$5\r\ngone2\r\n" +
            "*3\r\n$3\r\nSET\r\n$4\r\nlast\r\n$1\r\nv\r\n";
        Assert.Equal(stream, await replica.ReadExactlyAsync(stream.Length));
    }

    [Fact]
    public async Task MIGRATE_reaches_replicas_as_the_DEL_of_the_keys_it_moved()
    {
        await using var master = await InProcessRedis.StartAsync(Backend.Auto);
        await using var target = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = new RespClient(await master.ConnectAsync());
        await RedisContent.RunAsync(client, [["SET", "a", "1"], ["SET", "b", "2"]]);
        using var replica = await master.ConnectAsync();
        await replica.SendAsync(RespSocket.Encode("PSYNC", "?", "-1"));
        Assert.StartsWith("+FULLRESYNC ", await replica.ReadLineAsync());
        await ReadRdbAsync(replica);

        Assert.Equal("OK", await client.CallAsync("MIGRATE", "127.0.0.1", target.EndPoint.Port.ToString(), "", "0", "1000", "KEYS", "a", "missing", "b"));
        const string stream = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nDEL\r\n$1\r\na\r\n$1\r\nb\r\n";
        Assert.Equal(stream, await replica.ReadExactlyAsync(stream.Length));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task SYNC_sends_the_RDB_without_a_FULLRESYNC_line(Backend backend)
    {
        await using var master = await InProcessRedis.StartAsync(backend);
        using var replica = await master.ConnectAsync();
        await replica.SendAsync(RespSocket.Encode("SYNC"));
        Assert.StartsWith("REDIS0010", await ReadRdbAsync(replica));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_replica_that_stops_reading_is_disconnected_past_the_replica_output_limit(Backend backend)
    {
        await using var master = await InProcessRedis.StartAsync(backend);
        using var client = new RespClient(await master.ConnectAsync());
        Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "client-output-buffer-limit", "replica 1mb 0 0"));
        using var replica = await master.ConnectAsync(receiveBufferBytes: 4096);
        await replica.SendAsync(RespSocket.Encode("PSYNC", "?", "-1"));
        Assert.StartsWith("+FULLRESYNC ", await replica.ReadLineAsync());
        Assert.Equal(1L, Count(await client.CallAsync("INFO", "replication"), "connected_slaves"));
        var value = new string('v', 512 * 1024);
        for (var i = 0; i < 16; i++) { Assert.Equal("OK", await client.CallAsync("SET", $"big{i}", value)); }
        await Eventually.HoldsAsync(async () => Count(await client.CallAsync("INFO", "replication"), "connected_slaves") == 0,
            "the replica past its output limit to be disconnected");
        await replica.DrainUntilClosedAsync();
    }

    [Fact]
    public async Task REPLCONF_answers_as_redis()
    {
        string[][] script =
        [
            ["REPLCONF"], ["REPLCONF", "listening-port", "6380"], ["REPLCONF", "listening-port", "x"],
            ["REPLCONF", "capa", "eof", "capa", "psync2"], ["REPLCONF", "capa", "other"], ["REPLCONF", "ip-address", "10.0.0.1"],
            ["REPLCONF", "rdb-only", "1"], ["REPLCONF", "rdb-only", "0"], ["REPLCONF", "rdb-only", "2"], ["REPLCONF", "rdb-only", "x"],
            ["REPLCONF", "rdb-filter-only", "functions"], ["REPLCONF", "rdb-filter-only", ""], ["REPLCONF", "rdb-filter-only", "Functions keys"],
            ["REPLCONF", "rdb-filter-only", "\"functions"],
            ["REPLCONF", "nope", "1"], ["REPLCONF", "capa"], ["REPLCONF", "listening-port", "1", "nope", "2"], ["PSYNC", "?"],
            ["SYNC", "extra"], ["PING"],
        ];
        await SameAsRealRedis.RepliesAsync(script);
    }

    // "$<length>\r\n", then that many bytes of RDB and nothing after.
    private static async Task<string> ReadRdbAsync(RespSocket replica)
    {
        var header = await replica.ReadLineAsync();
        Assert.Matches(@"^\$\d+$", header);
        return await replica.ReadExactlyAsync(int.Parse(header.AsSpan(1)));
    }
}
