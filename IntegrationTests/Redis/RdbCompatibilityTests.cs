using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Loop.Samples.Redis.Persistence;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// DUMP/RESTORE and RDB files against the real redis-server 7.0 (test.sh installs it; its absence fails these
/// tests): values move both ways and read back the same, RESTORE answers every case as Redis does, and a file our
/// encoder wrote passes redis-check-rdb and loads into redis-server.
/// </summary>
public sealed class RdbCompatibilityTests
{
    private static readonly string Compressible = string.Concat(Enumerable.Repeat("compressible ", 60));
    private static readonly string Binary = "\0\x01\xfe\xff\r\n$3\r\n";

    // Keys of every type, small and large, whatever encoding Redis gives them: int and LZF strings, listpack,
    // quicklist (compressed and plain nodes with the settings below), intset, hashtable and skiplist.
    private static readonly string[][] Fill =
    [
        ["SET", "s:text", "hello world"], ["SET", "s:int8", "42"], ["SET", "s:int32", "-2000000000"],
        ["SET", "s:int64", "9223372036854775807"], ["SET", "s:zero-led", "007"], ["SET", "s:empty", ""],
        ["SET", "s:binary", Binary], ["SET", "s:lzf", Compressible], ["SET", "s:long", new string('q', 20_000) + "end"],
        ["RPUSH", "l:small", "a", "", "1", "-2", Binary],
        ["RPUSH", "l:big", .. Enumerable.Range(0, 3000).Select(i => i % 3 == 0 ? $"{i}" : $"element-{i}")],
        ["RPUSH", "l:plain", "short", new string('p', 200), "short again", Compressible],
        ["SADD", "st:ints", "1", "-2", "300", "70000", "-5000000000"], ["SADD", "st:text", "a", "b", Binary, ""],
        ["SADD", "st:big", .. Enumerable.Range(0, 700).Select(i => $"{i}")],
        ["HSET", "h:small", "f", "v", "n", "12", "", "empty field", "e", ""],
        ["HSET", "h:big", .. Enumerable.Range(0, 300).SelectMany(i => new[] { $"field-{i}", $"value-{i}" })],
        ["HSET", "h:long-value", "f", Compressible],
        ["ZADD", "z:small", "1", "a", "2.5", "b", "-inf", "low", "inf", "high", "-0.125", "c", "0.1", "tenth"],
        ["ZADD", "z:big", .. Enumerable.Range(0, 300).SelectMany(i => new[] { $"{i * 0.5 - 70}", $"member-{i}" })],
    ];

    private static readonly string[] Keys = Fill.Select(command => command[1]).ToArray();

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
    public async Task A_file_written_by_the_encoder_passes_redis_check_rdb_and_loads_into_redis()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        using var ours = new RespClient(await loop.ConnectAsync());
        await RunAsync(ours, Fill);
        await RunAsync(ours, [["PEXPIREAT", "l:small", "4102444800000"], ["SELECT", "1"], ["SET", "db1", "one"], ["RPUSH", "db1:list", "x"], ["SELECT", "0"]]);

        var directory = RealRedis.NewDirectory();
        var file = Path.Combine(directory, "dump.rdb");
        await File.WriteAllBytesAsync(file, Snapshot(loop));

        var check = await RunToEndAsync("redis-check-rdb", file);
        Assert.True(check.ExitCode == 0 && check.Output.Contains("RDB looks OK"), check.Output);

        await using var redis = await RealRedis.StartAsync(directory);
        using var theirs = await redis.ConnectAsync();
        Assert.Equal((long)Keys.Length, await theirs.CallAsync("DBSIZE"));
        foreach (var key in Keys) { Assert.Equal(await ReadBackAsync(ours, key), await ReadBackAsync(theirs, key)); }
        Assert.Equal(4102444800000L, await theirs.CallAsync("PEXPIRETIME", "l:small"));
        Assert.Equal(-1L, await theirs.CallAsync("PTTL", "s:text"));
        await RunAsync(theirs, [["SELECT", "1"]]);
        Assert.Equal(2L, await theirs.CallAsync("DBSIZE"));
        Assert.Equal("one", await theirs.CallAsync("GET", "db1"));
    }

    // The whole keyspace as an RDB file, as a saver would write it: databases with keys, each key with its deadline.
    private static byte[] Snapshot(InProcessRedis loop)
    {
        var output = new ArrayBufferWriter<byte>();
        RdbEncoder.WriteHeader(output, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        using (loop.Redis.Keyspace.Lock.Exclusive())
        {
            foreach (var db in loop.Redis.Keyspace.Databases.Where(db => db.Count > 0))
            {
                RdbEncoder.WriteSelectDb(output, db.Index, db.Count, db.ExpiresCount);
                foreach (var key in db.Keys.ToList()) { RdbEncoder.WriteEntry(output, key, db.Get(key)!, db.ExpireAt(key)); }
            }
        }
        RdbEncoder.WriteEnd(output, Crc64.Update(0, output.WrittenSpan));
        return output.WrittenSpan.ToArray();
    }

    private static async Task RunAsync(RespClient client, string[][] commands)
    {
        foreach (var command in commands) { client.Queue(command); }
        await client.FlushAsync();
        foreach (var command in commands)
        {
            var reply = await client.ReadAsync();
            Assert.False(reply is RespError, $"{command[0]} {command[1]}: {reply}");
        }
    }

    // A key as text to compare between servers: its type and content (sets and hashes sorted, scores as doubles).
    private static async Task<string> ReadBackAsync(RespClient client, string key)
    {
        var type = (string)(await client.CallAsync("TYPE", key))!;
        var items = type switch
        {
            "string" => [(string)(await client.CallAsync("GET", key))!],
            "list" => Strings(await client.CallAsync("LRANGE", key, "0", "-1")),
            "set" => Strings(await client.CallAsync("SMEMBERS", key)).Order(StringComparer.Ordinal),
            "hash" => Strings(await client.CallAsync("HGETALL", key)).Chunk(2).Select(p => p[0] + "=" + p[1]).Order(StringComparer.Ordinal),
            "zset" => Strings(await client.CallAsync("ZRANGE", key, "0", "-1", "WITHSCORES")).Chunk(2).Select(p => p[0] + ":" + Score(p[1])),
            _ => throw new InvalidOperationException($"{key} is a {type}"),
        };
        return $"{key} {type} {string.Join("|", items)}";
    }

    private static IEnumerable<string> Strings(object? reply) => ((object?[])reply!).Cast<string>();

    private static string Score(string text) => text switch
    {
        "inf" => "inf",
        "-inf" => "-inf",
        _ => double.Parse(text, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture),
    };

    // A reply with the command that got it (its first words: payloads are binary), so a difference says where it is.
    private static string Show(string[] command, object? reply) => $"{string.Join(' ', command.Take(3))}... -> {reply ?? "(nil)"}";

    // A DUMP payload around `serialized` with the given RDB version and a right checksum (or 0: none).
    private static string Payload(ushort version, byte[] serialized, bool checksum = true)
    {
        byte[] body = [.. serialized, (byte)version, (byte)(version >> 8)];
        var crc = checksum ? Crc64.Update(0, body) : 0;
        return System.Text.Encoding.Latin1.GetString([.. body, .. BitConverter.GetBytes(crc)]);
    }

    private static async Task<(int ExitCode, string Output)> RunToEndAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) { start.ArgumentList.Add(argument); }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is not installed: test.sh installs it (Debian package redis-server).", e);
        }
        using var _ = process;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await output + await errors);
    }
}
