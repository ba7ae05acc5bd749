using System.Globalization;
using Loop.Samples.Redis.Persistence;
using static Loop.IntegrationTests.Redis.RedisContent;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// DUMP/RESTORE and RDB files against the real redis-server 7.0 (test.sh installs it; its absence fails these
/// tests): values move both ways and read back the same, RESTORE answers every case as Redis does, the dump.rdb SAVE writes passes
/// redis-check-rdb and loads into redis-server, and the one redis-server saves loads here.
/// </summary>
public sealed class RdbCompatibilityTests
{
    private static readonly string[] ForcingEncodings = ["--list-compress-depth", "1", "--enable-debug-command", "yes"];

    [Fact]
    public async Task Dump_from_this_server_restores_into_redis_as_the_same_value()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var ours = new RespClient(await loop.ConnectAsync());
        using var theirs = await redis.ConnectAsync();
        await RunAsync(ours, Fill);
        foreach (var key in Keys)
        {
            var payload = Assert.IsType<string>(await ours.CallAsync("DUMP", key));
            Assert.Equal("OK", await theirs.CallAsync("RESTORE", key, "0", payload));
            Assert.Equal(await ReadBackAsync(ours, key), await ReadBackAsync(theirs, key));
        }
        Assert.Equal("OK", await theirs.CallAsync("RESTORE", "with-ttl", "60000", (string)(await ours.CallAsync("DUMP", "l:small"))!));
        Assert.InRange(Assert.IsType<long>(await theirs.CallAsync("PTTL", "with-ttl")), 1, 60_000);
    }

    [Fact]
    public async Task Dump_from_redis_restores_into_this_server_as_the_same_value()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync(null, ForcingEncodings);
        using var ours = new RespClient(await loop.ConnectAsync());
        using var theirs = await redis.ConnectAsync();
        Assert.Equal("OK", await theirs.CallAsync("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100"));
        await RunAsync(theirs, Fill);
        var encodings = new HashSet<string>();
        foreach (var key in Keys) { encodings.Add((string)(await theirs.CallAsync("OBJECT", "ENCODING", key))!); }
        Assert.Superset(new HashSet<string> { "int", "embstr", "raw", "quicklist", "intset", "listpack", "hashtable", "skiplist" }, encodings);
        Assert.Matches("ql_compressed:[1-9]", (string)(await theirs.CallAsync("DEBUG", "OBJECT", "l:big"))!);
        Assert.Contains("ql_nodes:4 ", (string)(await theirs.CallAsync("DEBUG", "OBJECT", "l:plain"))!);
        foreach (var key in Keys)
        {
            var payload = Assert.IsType<string>(await theirs.CallAsync("DUMP", key));
            Assert.Equal("OK", await ours.CallAsync("RESTORE", key, "0", payload));
            Assert.Equal(await ReadBackAsync(theirs, key), await ReadBackAsync(ours, key));
        }
    }

    [Fact]
    public async Task Restore_answers_every_case_as_redis_does()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var ours = new RespClient(await loop.ConnectAsync());
        using var theirs = await redis.ConnectAsync();
        Assert.Equal("OK", await theirs.CallAsync("SET", "source", "value"));
        var payload = (string)(await theirs.CallAsync("DUMP", "source"))!;
        var flipped = payload[..3] + (char)(payload[3] ^ 1) + payload[4..];
        var script = new[]
        {
            new[] { "SET", "busy", "x" },
            ["RESTORE", "busy", "0", payload],
            ["RESTORE", "new", "soon", payload],
            ["RESTORE", "new", "-1", payload],
            ["RESTORE", "new", "0", flipped],
            ["RESTORE", "new", "0", "short"],
            ["RESTORE", "new", "0", Payload(11, [0x00, 0x01, (byte)'v'])],
            ["RESTORE", "new", "0", Payload(10, [99, 0x01, (byte)'v'])],
            ["RESTORE", "new", "0", Payload(10, [0x01, 0x00])],
            ["RESTORE", "new", "0", Payload(10, [0x00, 0x01, (byte)'v'], checksum: false)],
            ["RESTORE", "new", "0", payload, "BOGUS"],
            ["RESTORE", "new", "0", payload, "IDLETIME", "-1"],
            ["RESTORE", "new", "0", payload, "IDLETIME", "x"],
            ["RESTORE", "new", "0", payload, "FREQ", "256"],
            ["RESTORE", "new", "0", payload, "IDLETIME", "1", "FREQ", "1"],
            ["RESTORE", "new", "0", payload, "IDLETIME"],
            ["RESTORE", "new", "0", payload],
            ["RESTORE", "new", "0", payload, "IDLETIME", "10", "REPLACE"],
            ["GET", "new"], ["PTTL", "new"],
            ["RESTORE", "busy", "0", payload, "REPLACE", "FREQ", "5"],
            ["GET", "busy"],
            ["RESTORE", "past", "1000", payload, "ABSTTL"],
            ["EXISTS", "past"],
            ["SET", "gone", "x"],
            ["RESTORE", "gone", "1000", payload, "ABSTTL", "REPLACE"],
            ["EXISTS", "gone"],
            ["RESTORE", "later", "4102444800000", payload, "ABSTTL"],
            ["PEXPIRETIME", "later"],
            ["DUMP", "missing"],
            ["RESTORE", "new"],
        };
        foreach (var command in script)
        {
            Assert.Equal(Show(command, await theirs.CallAsync(command)), Show(command, await ours.CallAsync(command)));
        }
        // Where this server is stricter: Redis 7.0 lets a value read on into the footer (a 5-byte string from "v" and
        // 4 bytes of version and checksum); here the value must end where the footer starts.
        Assert.Equal(new RespError("ERR Bad data format"), await ours.CallAsync("RESTORE", "overrun", "0", Payload(10, [0x00, 0x05, (byte)'v'])));
    }

    [Fact]
    public async Task The_file_save_writes_passes_redis_check_rdb_and_loads_into_redis()
    {
        var directory = RealRedis.NewDirectory();
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto, dir: directory);
        using var ours = new RespClient(await loop.ConnectAsync());
        await RunAsync(ours, Fill);
        await RunAsync(ours, [["PEXPIREAT", "l:small", "4102444800000"], ["SELECT", "1"], ["SET", "db1", "one"], ["RPUSH", "db1:list", "x"], ["SELECT", "0"]]);
        Assert.Equal("OK", await ours.CallAsync("SAVE"));

        var check = await RealRedis.RunToolAsync("redis-check-rdb", Path.Combine(directory, "dump.rdb"));
        Assert.True(check.ExitCode == 0 && check.Output.Contains("RDB looks OK"), check.Output);

        await using var redis = await RealRedis.StartAsync(directory);
        using var theirs = await redis.ConnectAsync();
        Assert.Equal((long)Keys.Length, await theirs.CallAsync("DBSIZE"));
        Assert.Equal(await ReadAllAsync(ours), await ReadAllAsync(theirs));
        Assert.Equal(4102444800000L, await theirs.CallAsync("PEXPIRETIME", "l:small"));
        await RunAsync(theirs, [["SELECT", "1"]]);
        Assert.Equal(2L, await theirs.CallAsync("DBSIZE"));
        Assert.Equal("one", await theirs.CallAsync("GET", "db1"));
    }

    [Fact]
    public async Task The_dump_rdb_redis_saved_loads_into_this_server_at_startup()
    {
        await using var redis = await RealRedis.StartAsync(null, ForcingEncodings);
        using var theirs = await redis.ConnectAsync();
        await RunAsync(theirs, Fill);
        await RunAsync(theirs, [["PEXPIREAT", "l:small", "4102444800000"], ["SET", "gone", "x", "PX", "1"], ["SELECT", "1"], ["SET", "db1", "one"], ["SELECT", "0"]]);
        Assert.Equal("OK", await theirs.CallAsync("SAVE"));

        await using var loop = await InProcessRedis.StartAsync(Backend.Auto, dir: redis.Directory);
        using var ours = new RespClient(await loop.ConnectAsync());
        Assert.Equal(await ReadAllAsync(theirs), await ReadAllAsync(ours));
        Assert.Equal((long)Keys.Length, await ours.CallAsync("DBSIZE"));
        await RunAsync(ours, [["SELECT", "1"]]);
        Assert.Equal("one", await ours.CallAsync("GET", "db1"));
    }

    // A reply with the command that got it (its first words: payloads are binary), so a difference says where it is.
    private static string Show(string[] command, object? reply) => $"{string.Join(' ', command.Take(3))}... -> {reply ?? "(nil)"}";

    // A DUMP payload around `serialized` with the given RDB version and a right checksum (or 0: none).
    private static string Payload(ushort version, byte[] serialized, bool checksum = true)
    {
        byte[] body = [.. serialized, (byte)version, (byte)(version >> 8)];
        var crc = checksum ? Crc64.Update(0, body) : 0;
        return System.Text.Encoding.Latin1.GetString([.. body, .. BitConverter.GetBytes(crc)]);
    }
}
