using System.Buffers.Binary;
using System.Text;
using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Redis.ConcurrentClients;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// PFADD, PFCOUNT, PFMERGE and PFDEBUG over the wire: Redis's HLL strings (text is Latin-1 here, one char per byte),
/// their cached count, the turn from sparse to dense, Redis 7.0's errors, and what watchers and the change counter see.
/// </summary>
public sealed class HyperLogLogTests
{
    /// <summary>An element whose hash runs 33 zeros past the register bits (count 34, found by search): no sparse VAL holds it.</summary>
    internal const string HugeCountElement = "0uos1ifa";

    private const int DenseLength = 16 + 12288;
    private static readonly RespError NotHll = new("WRONGTYPE Key is not a valid HyperLogLog string value.");
    private static readonly RespError Corrupted = new("INVALIDOBJ Corrupted HLL object detected");

    // An empty sparse HLL as PFADD creates it: the header with cardinality 0 cached, then XZERO:16384.
    private const string EmptySparse = "HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff";

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Pfadd_answers_whether_a_register_changed_and_pfcount_caches_the_count_in_the_string(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal(0L, await c.CallAsync("PFCOUNT", "h"));
        Assert.Equal(1L, await c.CallAsync("PFADD", "empty"));
        Assert.Equal(Invalidated(EmptySparse), await c.CallAsync("GET", "empty"));
        Assert.Equal(0L, await c.CallAsync("PFADD", "empty"));
        Assert.Equal(0L, await c.CallAsync("PFCOUNT", "empty"));
        Assert.Equal(EmptySparse, await c.CallAsync("GET", "empty"));

        Assert.Equal(1L, await c.CallAsync("PFADD", "h", "a", "b", "c"));
        Assert.Equal(0L, await c.CallAsync("PFADD", "h", "a", "c"));
        var stale = Bytes(await c.CallAsync("GET", "h"));
        Assert.Equal((byte)1, stale[4]); // sparse
        Assert.Equal(0x80, stale[15] & 0x80);
        Assert.Equal(3L, await c.CallAsync("PFCOUNT", "h"));
        var cached = Bytes(await c.CallAsync("GET", "h"));
        Assert.Equal(3UL, BinaryPrimitives.ReadUInt64LittleEndian(cached.AsSpan(8)));
        Assert.Equal(stale[16..], cached[16..]);

        // A count read from the cache: write another one there and PFCOUNT answers it.
        Assert.Equal(27L, await c.CallAsync("SETRANGE", "h", "8", "\x2a"));
        Assert.Equal(42L, await c.CallAsync("PFCOUNT", "h"));

        var elements = Enumerable.Range(0, 5000).Select(i => $"element:{i}").ToArray();
        Assert.Equal(1L, await c.CallAsync(["PFADD", "many", .. elements]));
        Assert.Equal(0L, await c.CallAsync(["PFADD", "many", .. elements[..100]]));
        Assert.InRange((long)(await c.CallAsync("PFCOUNT", "many"))!, 4900, 5100);
        Assert.Equal((long)DenseLength, await c.CallAsync("STRLEN", "many"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Pfcount_of_several_keys_counts_their_union_and_pfmerge_stores_it(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("PFADD", "x", "a", "b", "c");
        await c.CallAsync("PFADD", "y", "c", "d");
        await c.CallAsync(["PFADD", "dense", .. Enumerable.Range(0, 3000).Select(i => $"{i}")]);
        var before = (await c.CallAsync("GET", "x"), await c.CallAsync("GET", "y"));
        Assert.Equal(4L, await c.CallAsync("PFCOUNT", "x", "y", "missing"));
        Assert.Equal(before, (await c.CallAsync("GET", "x"), await c.CallAsync("GET", "y")));

        Assert.Equal("OK", await c.CallAsync("PFMERGE", "xy", "x", "y", "missing"));
        Assert.Equal(4L, await c.CallAsync("PFCOUNT", "xy"));
        Assert.Equal("sparse", await c.CallAsync("PFDEBUG", "ENCODING", "xy"));
        // The destination is merged too, and turns dense with a dense source.
        Assert.Equal("OK", await c.CallAsync("PFMERGE", "xy", "dense"));
        Assert.Equal("dense", await c.CallAsync("PFDEBUG", "ENCODING", "xy"));
        Assert.Equal(await c.CallAsync("PFCOUNT", "x", "y", "dense"), await c.CallAsync("PFCOUNT", "xy"));
        // A destination alone is created empty.
        Assert.Equal("OK", await c.CallAsync("PFMERGE", "alone"));
        Assert.Equal(Invalidated(EmptySparse), await c.CallAsync("GET", "alone"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Strings_that_are_no_hll_and_corrupt_ones_are_refused_with_redis_errors(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("RPUSH", "list", "a");
        await c.CallAsync("SET", "text", "a string long enough for a header");
        await c.CallAsync("PFADD", "h", "a");
        await c.CallAsync("SET", "badencoding", "HYLL\x02\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
        await c.CallAsync("SET", "shortdense", "HYLL\x00\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
        await c.CallAsync("SET", "nocodes", "HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80");
        foreach (var key in new[] { "text", "badencoding", "shortdense" })
        {
            Assert.Equal(NotHll, await c.CallAsync("PFADD", key, "x"));
            Assert.Equal(NotHll, await c.CallAsync("PFCOUNT", key));
            Assert.Equal(NotHll, await c.CallAsync("PFCOUNT", "h", key));
            Assert.Equal(NotHll, await c.CallAsync("PFMERGE", "dst", "h", key));
            Assert.Equal(NotHll, await c.CallAsync("PFDEBUG", "ENCODING", key));
        }
        Assert.Equal(RespError.WrongType, await c.CallAsync("PFADD", "list", "x"));
        Assert.Equal(RespError.WrongType, await c.CallAsync("PFCOUNT", "h", "list"));
        Assert.Equal(RespError.WrongType, await c.CallAsync("PFMERGE", "list", "h"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "dst"));

        // Sparse opcodes that cover no register: found corrupt as they are read.
        Assert.Equal(Corrupted, await c.CallAsync("PFADD", "nocodes", "x"));
        Assert.Equal(Corrupted, await c.CallAsync("PFCOUNT", "nocodes"));
        Assert.Equal(Corrupted, await c.CallAsync("PFCOUNT", "h", "nocodes"));
        Assert.Equal(Corrupted, await c.CallAsync("PFMERGE", "dst", "nocodes"));
        Assert.Equal(Corrupted, await c.CallAsync("PFDEBUG", "TODENSE", "nocodes"));
        Assert.Equal("", await c.CallAsync("PFDEBUG", "DECODE", "nocodes"));

        Assert.Equal(new RespError("ERR wrong number of arguments for 'pfadd' command"), await c.CallAsync("PFADD"));
        Assert.Equal(new RespError("ERR wrong number of arguments for 'pfdebug' command"), await c.CallAsync("PFDEBUG", "GETREG"));
        Assert.Equal(new RespError("ERR The specified key does not exist"), await c.CallAsync("PFDEBUG", "NOPE", "missing"));
        Assert.Equal(new RespError("ERR Unknown PFDEBUG subcommand 'nope'"), await c.CallAsync("PFDEBUG", "nope", "h"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_sparse_hll_turns_dense_before_it_grows_past_hll_sparse_max_bytes(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal(new object?[] { "hll-sparse-max-bytes", "3000" }, await c.CallAsync("CONFIG", "GET", "hll-sparse-max-bytes"));
        Assert.Equal(new RespError("ERR CONFIG SET failed (possibly related to argument 'hll-sparse-max-bytes') - argument must be a memory value"),
            await c.CallAsync("CONFIG", "SET", "hll-sparse-max-bytes", "-1"));
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "hll-sparse-max-bytes", "1kb"));
        Assert.Equal(new object?[] { "hll-sparse-max-bytes", "1024" }, await c.CallAsync("CONFIG", "GET", "hll-sparse-max-bytes"));

        foreach (var limit in new[] { 200, 3000 })
        {
            Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "hll-sparse-max-bytes", $"{limit}"));
            var key = $"h{limit}";
            long sparseLength = 0, length = 0;
            for (var i = 0; length != DenseLength; i++)
            {
                sparseLength = length;
                await c.CallAsync("PFADD", key, $"e{i}");
                length = (long)(await c.CallAsync("STRLEN", key))!;
                Assert.Equal(length == DenseLength ? "dense" : "sparse", await c.CallAsync("PFDEBUG", "ENCODING", key));
            }
            // An edit adds at most 3 bytes: the one that would have passed the limit made it dense instead.
            Assert.InRange(sparseLength, limit - 2, limit);
        }

        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "hll-sparse-max-bytes", "0"));
        Assert.Equal(1L, await c.CallAsync("PFADD", "at-once", "a"));
        Assert.Equal("dense", await c.CallAsync("PFDEBUG", "ENCODING", "at-once"));
        // A register sparse cannot hold (over 32) makes an HLL dense whatever its size.
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "hll-sparse-max-bytes", "3000"));
        Assert.Equal(1L, await c.CallAsync("PFADD", "huge", HugeCountElement));
        Assert.Equal("dense", await c.CallAsync("PFDEBUG", "ENCODING", "huge"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Pfdebug_shows_registers_opcodes_and_encoding(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("PFADD", "h");
        Assert.Equal("Z:16384", await c.CallAsync("PFDEBUG", "DECODE", "h"));
        await c.CallAsync("PFADD", "h", "a", "b", "c");
        Assert.Equal("Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603", await c.CallAsync("PFDEBUG", "DECODE", "h"));
        Assert.Equal("sparse", await c.CallAsync("PFDEBUG", "ENCODING", "h"));
        var registers = Assert.IsType<object?[]>(await c.CallAsync("PFDEBUG", "GETREG", "h"));
        Assert.Equal(16384, registers.Length);
        Assert.Equal((1L, 2L, 1L), ((long)registers[8436]!, (long)registers[12711]!, (long)registers[15780]!));
        Assert.Equal(4L, registers.Sum(r => (long)r!));
        Assert.Equal("dense", await c.CallAsync("PFDEBUG", "ENCODING", "h"));
        Assert.Equal(new RespError("ERR HLL encoding is not sparse"), await c.CallAsync("PFDEBUG", "DECODE", "h"));
        Assert.Equal(0L, await c.CallAsync("PFDEBUG", "TODENSE", "h"));
        await c.CallAsync("PFADD", "other", "x");
        Assert.Equal(1L, await c.CallAsync("PFDEBUG", "todense", "other"));
        Assert.Equal((long)DenseLength, await c.CallAsync("STRLEN", "other"));
        Assert.Equal(1L, await c.CallAsync("PFCOUNT", "other"));
        Assert.Equal("OK", await c.CallAsync("PFSELFTEST"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Watchers_and_the_change_counter_see_pfadd_pfmerge_and_the_count_pfcount_caches(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var watcher = await RespClient.ConnectAsync(redis.EndPoint);
        using var other = await RespClient.ConnectAsync(redis.EndPoint);
        await other.CallAsync("PFADD", "h", "a");
        Assert.Equal(1L, await other.CallAsync("EXPIRE", "h", "1000"));
        foreach (var (command, changes) in new (string[], bool)[]
                 {
                     (["PFADD", "h", "b"], true),
                     (["PFCOUNT", "h"], true), // the count is cached in the string
                     (["PFCOUNT", "h"], false),
                     (["PFADD", "h", "a"], false),
                     (["PFCOUNT", "h", "missing"], false),
                     (["PFMERGE", "h"], true),
                     (["PFCOUNT", "h"], true),
                 })
        {
            var counted = InfoField(await other.CallAsync("INFO", "persistence"), "rdb_changes_since_last_save");
            Assert.Equal("OK", await watcher.CallAsync("WATCH", "h"));
            await other.CallAsync(command);
            Assert.Equal("OK", await watcher.CallAsync("MULTI"));
            Assert.Equal("QUEUED", await watcher.CallAsync("GET", "h"));
            var exec = await watcher.CallAsync("EXEC");
            if (changes) { Assert.Null(exec); } else { Assert.IsType<object?[]>(exec); }
            // As Redis's dirty: a command counts when it changed the key (PFCOUNT when it writes its cache), not otherwise.
            Assert.Equal(counted + (changes ? 1 : 0), InfoField(await other.CallAsync("INFO", "persistence"), "rdb_changes_since_last_save"));
        }
        Assert.InRange((long)(await other.CallAsync("TTL", "h"))!, 1, 1000);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task An_hll_read_with_get_and_set_back_is_the_same_hll(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync(["PFADD", "sparse", .. Enumerable.Range(0, 100).Select(i => $"s{i}")]);
        await c.CallAsync(["PFADD", "dense", .. Enumerable.Range(0, 4000).Select(i => $"d{i}")]);
        foreach (var key in new[] { "sparse", "dense" })
        {
            Assert.Equal("OK", await c.CallAsync("SET", key + ":copy", (string)(await c.CallAsync("GET", key))!));
            Assert.Equal(await c.CallAsync("PFCOUNT", key), await c.CallAsync("PFCOUNT", key + ":copy"));
            Assert.Equal(await c.CallAsync("PFADD", key, "new"), await c.CallAsync("PFADD", key + ":copy", "new"));
            Assert.Equal(await c.CallAsync("GET", key), await c.CallAsync("GET", key + ":copy"));
        }
    }

    private static byte[] Bytes(object? value) => Encoding.Latin1.GetBytes(Assert.IsType<string>(value));

    // The same HLL with its cached count marked stale.
    private static string Invalidated(string hll) => hll[..15] + (char)(hll[15] | 0x80) + hll[16..];
}
