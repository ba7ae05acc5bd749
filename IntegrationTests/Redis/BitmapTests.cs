using System.Numerics;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP over the wire, with Redis 7.0's replies and error texts. Strings and
/// bitmaps are one value: text is Latin-1 here, one char per byte, so "\xff" is the byte 0xFF.
/// </summary>
public sealed class BitmapTests
{
    private static readonly RespError OffsetError = new("ERR bit offset is not an integer or out of range");
    private static readonly RespError BitError = new("ERR bit is not an integer or out of range");
    private static readonly RespError NotInteger = new("ERR value is not an integer or out of range");
    private static readonly RespError Syntax = new("ERR syntax error");

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Setbit_grows_a_string_with_zero_bytes_and_bits_read_back_through_every_string_command(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal(0L, await c.CallAsync("SETBIT", "k", "7", "1"));
        Assert.Equal("\x01", await c.CallAsync("GET", "k"));
        Assert.Equal(1L, await c.CallAsync("SETBIT", "k", "7", "1"));
        Assert.Equal(1L, await c.CallAsync("SETBIT", "k", "7", "0"));
        Assert.Equal(0L, await c.CallAsync("GETBIT", "k", "7"));
        Assert.Equal(0L, await c.CallAsync("SETBIT", "k", "100", "1"));
        Assert.Equal(13L, await c.CallAsync("STRLEN", "k"));
        Assert.Equal("\0\0\0\0\0\0\0\0\0\0\0\0\x08", await c.CallAsync("GET", "k"));
        Assert.Equal(1L, await c.CallAsync("GETBIT", "k", "100"));
        Assert.Equal(0L, await c.CallAsync("GETBIT", "k", "101"));
        Assert.Equal(0L, await c.CallAsync("GETBIT", "k", "1000000"));
        Assert.Equal(0L, await c.CallAsync("GETBIT", "missing", "3"));
        // Clearing a bit past the end still grows the string.
        Assert.Equal(0L, await c.CallAsync("SETBIT", "zeros", "15", "0"));
        Assert.Equal("\0\0", await c.CallAsync("GET", "zeros"));

        // A string set as text is a bitmap: "A" is 01000001, and setting bit 2 makes it "a".
        Assert.Equal("OK", await c.CallAsync("SET", "s", "A"));
        Assert.Equal(0L, await c.CallAsync("GETBIT", "s", "0"));
        Assert.Equal(1L, await c.CallAsync("GETBIT", "s", "1"));
        Assert.Equal(1L, await c.CallAsync("GETBIT", "s", "7"));
        Assert.Equal(0L, await c.CallAsync("SETBIT", "s", "2", "1"));
        Assert.Equal("a", await c.CallAsync("GET", "s"));
        Assert.Equal(2L, await c.CallAsync("APPEND", "s", "b"));
        Assert.Equal(0L, await c.CallAsync("SETBIT", "s", "15", "1"));
        Assert.Equal("ac", await c.CallAsync("GET", "s"));
        Assert.Equal("c", await c.CallAsync("GETRANGE", "s", "1", "1"));

        // SETBIT changes a value in place: its TTL stays.
        Assert.Equal("OK", await c.CallAsync("SET", "ttl", "x", "EX", "100"));
        Assert.Equal(0L, await c.CallAsync("SETBIT", "ttl", "100", "1"));
        Assert.Equal(0L, await c.CallAsync("SETBIT", "ttl", "0", "0"));
        Assert.InRange(Assert.IsType<long>(await c.CallAsync("TTL", "ttl")), 1, 100);
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Setbit_and_getbit_refuse_bad_offsets_bits_and_other_types_in_redis_order(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, maxBulk: 1024);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal(OffsetError, await c.CallAsync("SETBIT", "k", "-1", "1"));
        Assert.Equal(OffsetError, await c.CallAsync("SETBIT", "k", "x", "1"));
        Assert.Equal(OffsetError, await c.CallAsync("SETBIT", "k", "#1", "1"));
        Assert.Equal(OffsetError, await c.CallAsync("SETBIT", "k", "+1", "1"));
        Assert.Equal(OffsetError, await c.CallAsync("GETBIT", "k", "99999999999999999999"));
        // proto-max-bulk-len (1024 bytes here) caps the byte an offset may reach.
        Assert.Equal(OffsetError, await c.CallAsync("SETBIT", "k", "8192", "1"));
        Assert.Equal(OffsetError, await c.CallAsync("GETBIT", "k", "8192"));
        Assert.Equal(0L, await c.CallAsync("SETBIT", "k", "8191", "1"));
        Assert.Equal(1024L, await c.CallAsync("STRLEN", "k"));
        Assert.Equal(BitError, await c.CallAsync("SETBIT", "k", "0", "2"));
        Assert.Equal(BitError, await c.CallAsync("SETBIT", "k", "0", "-1"));
        Assert.Equal(BitError, await c.CallAsync("SETBIT", "k", "0", "x"));
        Assert.Equal(1L, await c.CallAsync("LPUSH", "list", "a"));
        Assert.Equal(RespError.WrongType, await c.CallAsync("SETBIT", "list", "0", "1"));
        Assert.Equal(RespError.WrongType, await c.CallAsync("GETBIT", "list", "0"));
        // Arguments are checked before the key's type.
        Assert.Equal(OffsetError, await c.CallAsync("SETBIT", "list", "-1", "1"));
        Assert.Equal(BitError, await c.CallAsync("SETBIT", "list", "0", "5"));
        Assert.Equal(new RespError("ERR wrong number of arguments for 'setbit' command"), await c.CallAsync("SETBIT", "k", "1"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Bitcount_counts_byte_and_bit_ranges_with_negative_indexes(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("SET", "s", "foobar");
        Assert.Equal(26L, await c.CallAsync("BITCOUNT", "s"));
        Assert.Equal(4L, await c.CallAsync("BITCOUNT", "s", "0", "0"));
        Assert.Equal(6L, await c.CallAsync("BITCOUNT", "s", "1", "1"));
        Assert.Equal(6L, await c.CallAsync("BITCOUNT", "s", "1", "1", "byte"));
        Assert.Equal(17L, await c.CallAsync("BITCOUNT", "s", "5", "30", "BIT"));
        Assert.Equal(4L, await c.CallAsync("BITCOUNT", "s", "-1", "-1"));
        Assert.Equal(1L, await c.CallAsync("BITCOUNT", "s", "-2", "-1", "BIT"));
        Assert.Equal(26L, await c.CallAsync("BITCOUNT", "s", "0", "-1", "BIT"));
        Assert.Equal(26L, await c.CallAsync("BITCOUNT", "s", "-100", "100"));
        Assert.Equal(0L, await c.CallAsync("BITCOUNT", "s", "3", "1"));
        Assert.Equal(0L, await c.CallAsync("BITCOUNT", "missing"));
        Assert.Equal(Syntax, await c.CallAsync("BITCOUNT", "s", "1"));
        Assert.Equal(Syntax, await c.CallAsync("BITCOUNT", "s", "0", "1", "bits"));
        Assert.Equal(NotInteger, await c.CallAsync("BITCOUNT", "s", "a", "1"));
        // Redis 7.0 looks the key up first (a missing one counts 0 whatever follows), and answers 0 for two negative
        // indexes out of order before it reads the unit.
        Assert.Equal(0L, await c.CallAsync("BITCOUNT", "missing", "1"));
        Assert.Equal(0L, await c.CallAsync("BITCOUNT", "missing", "a", "b"));
        Assert.Equal(0L, await c.CallAsync("BITCOUNT", "s", "-1", "-2", "foo"));
        await c.CallAsync("LPUSH", "list", "a");
        Assert.Equal(RespError.WrongType, await c.CallAsync("BITCOUNT", "list"));
        Assert.Equal(RespError.WrongType, await c.CallAsync("BITCOUNT", "list", "x"));

        // Long strings: words, tails and masked edge bytes all counted.
        var random = new Random(7);
        var bytes = new byte[1001];
        random.NextBytes(bytes);
        await c.CallAsync("SET", "long", Latin1(bytes));
        Assert.Equal(CountBits(bytes, 0, bytes.Length * 8 - 1), await c.CallAsync("BITCOUNT", "long"));
        for (var i = 0; i < 20; i++)
        {
            var first = random.Next(bytes.Length * 8);
            var last = random.Next(first, bytes.Length * 8);
            Assert.Equal(CountBits(bytes, first, last), await c.CallAsync("BITCOUNT", "long", $"{first}", $"{last}", "BIT"));
            Assert.Equal(CountBits(bytes, first / 8 * 8, last / 8 * 8 + 7), await c.CallAsync("BITCOUNT", "long", $"{first / 8}", $"{last / 8}"));
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Bitpos_finds_set_and_clear_bits_and_says_when_a_clear_bit_lies_past_the_end(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("SET", "s", "foobar");
        Assert.Equal(1L, await c.CallAsync("BITPOS", "s", "1"));
        Assert.Equal(0L, await c.CallAsync("BITPOS", "s", "0"));
        Assert.Equal(17L, await c.CallAsync("BITPOS", "s", "1", "2"));
        Assert.Equal(3L, await c.CallAsync("BITPOS", "s", "0", "2", "-1", "BIT"));
        Assert.Equal(9L, await c.CallAsync("BITPOS", "s", "1", "7", "15", "bit"));
        Assert.Equal(24L, await c.CallAsync("BITPOS", "s", "0", "-3", "-1"));
        Assert.Equal(-1L, await c.CallAsync("BITPOS", "s", "1", "-1", "-1", "BIT"));
        Assert.Equal(-1L, await c.CallAsync("BITPOS", "s", "0", "100"));
        Assert.Equal(-1L, await c.CallAsync("BITPOS", "s", "1", "2", "1"));

        // All ones: without an end the string reads as followed by zeros, so the first clear bit is just past it;
        // with an end there is none in range.
        await c.CallAsync("SET", "ones", "\xff\xff\xff");
        Assert.Equal(24L, await c.CallAsync("BITPOS", "ones", "0"));
        Assert.Equal(24L, await c.CallAsync("BITPOS", "ones", "0", "1"));
        Assert.Equal(-1L, await c.CallAsync("BITPOS", "ones", "0", "0", "-1"));
        Assert.Equal(-1L, await c.CallAsync("BITPOS", "ones", "0", "3", "20", "BIT"));
        Assert.Equal(0L, await c.CallAsync("BITPOS", "ones", "1"));
        await c.CallAsync("SET", "zeros", "\0\0\0");
        Assert.Equal(-1L, await c.CallAsync("BITPOS", "zeros", "1"));
        Assert.Equal(5L, await c.CallAsync("BITPOS", "zeros", "0", "5", "7", "BIT"));
        Assert.Equal(0L, await c.CallAsync("BITPOS", "missing", "0"));
        Assert.Equal(-1L, await c.CallAsync("BITPOS", "missing", "1"));
        await c.CallAsync("SET", "empty", "");
        Assert.Equal(-1L, await c.CallAsync("BITPOS", "empty", "0"));

        // Whole bytes skipped in bulk: the one set bit far into a long string, and the one clear bit in a long run of ones.
        Assert.Equal(0L, await c.CallAsync("SETBIT", "sparse", "70001", "1"));
        Assert.Equal(70001L, await c.CallAsync("BITPOS", "sparse", "1"));
        Assert.Equal(70001L, await c.CallAsync("BITPOS", "sparse", "1", "70001", "-1", "BIT"));
        Assert.Equal(-1L, await c.CallAsync("BITPOS", "sparse", "1", "70002", "-1", "BIT"));
        await c.CallAsync("SET", "dense", new string('\xff', 5000));
        Assert.Equal(1L, await c.CallAsync("SETBIT", "dense", "33333", "0"));
        Assert.Equal(33333L, await c.CallAsync("BITPOS", "dense", "0", "1"));
        Assert.Equal(40000L, await c.CallAsync("BITPOS", "dense", "0", "4167"));

        Assert.Equal(new RespError("ERR The bit argument must be 1 or 0."), await c.CallAsync("BITPOS", "s", "2"));
        Assert.Equal(NotInteger, await c.CallAsync("BITPOS", "s", "x"));
        Assert.Equal(Syntax, await c.CallAsync("BITPOS", "s", "0", "1", "2", "foo"));
        // Redis reads start, then the unit, then end.
        Assert.Equal(NotInteger, await c.CallAsync("BITPOS", "s", "0", "x", "2", "foo"));
        Assert.Equal(Syntax, await c.CallAsync("BITPOS", "s", "0", "1", "x", "foo"));
        Assert.Equal(Syntax, await c.CallAsync("BITPOS", "s", "0", "1", "2", "BIT", "extra"));
        Assert.Equal(0L, await c.CallAsync("BITPOS", "missing", "0", "x"));
        await c.CallAsync("LPUSH", "list", "a");
        Assert.Equal(RespError.WrongType, await c.CallAsync("BITPOS", "list", "1"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Bitop_combines_strings_of_any_length_reading_missing_keys_as_zeros(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("SET", "a", "\xff\xf0");
        await c.CallAsync("SET", "b", "\x0f");
        Assert.Equal(2L, await c.CallAsync("BITOP", "AND", "d", "a", "b"));
        Assert.Equal("\x0f\0", await c.CallAsync("GET", "d"));
        Assert.Equal(2L, await c.CallAsync("BITOP", "or", "d", "a", "b", "missing"));
        Assert.Equal("\xff\xf0", await c.CallAsync("GET", "d"));
        Assert.Equal(2L, await c.CallAsync("BITOP", "XOR", "d", "a", "b"));
        Assert.Equal("\xf0\xf0", await c.CallAsync("GET", "d"));
        Assert.Equal(1L, await c.CallAsync("BITOP", "NOT", "d", "b"));
        Assert.Equal("\xf0", await c.CallAsync("GET", "d"));
        Assert.Equal(2L, await c.CallAsync("BITOP", "AND", "d", "a", "missing"));
        Assert.Equal("\0\0", await c.CallAsync("GET", "d"));
        // A source may be the destination.
        Assert.Equal(2L, await c.CallAsync("BITOP", "XOR", "a", "a", "b"));
        Assert.Equal("\xf0\xf0", await c.CallAsync("GET", "a"));

        // An empty result deletes the destination; a result replaces any type and clears the TTL.
        Assert.Equal(0L, await c.CallAsync("BITOP", "NOT", "d", "missing"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "d"));
        await c.CallAsync("RPUSH", "list", "x");
        Assert.Equal(1L, await c.CallAsync("BITOP", "OR", "list", "b"));
        Assert.Equal("string", await c.CallAsync("TYPE", "list"));
        await c.CallAsync("SET", "ttl", "v", "EX", "100");
        Assert.Equal(1L, await c.CallAsync("BITOP", "OR", "ttl", "b"));
        Assert.Equal(-1L, await c.CallAsync("TTL", "ttl"));

        await c.CallAsync("RPUSH", "other", "x");
        Assert.Equal(RespError.WrongType, await c.CallAsync("BITOP", "AND", "d", "a", "other"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "d"));
        Assert.Equal(Syntax, await c.CallAsync("BITOP", "NAND", "d", "a"));
        Assert.Equal(new RespError("ERR BITOP NOT must be called with a single source key."), await c.CallAsync("BITOP", "NOT", "d", "a", "b"));

        // Long operands of different lengths: the vector path, its tail and the zero padding of the shorter ones.
        var random = new Random(11);
        var x = new byte[301];
        var y = new byte[77];
        random.NextBytes(x);
        random.NextBytes(y);
        await c.CallAsync("SET", "x", Latin1(x));
        await c.CallAsync("SET", "y", Latin1(y));
        foreach (var (op, f) in new (string, Func<byte, byte, byte>)[] { ("AND", (p, q) => (byte)(p & q)), ("OR", (p, q) => (byte)(p | q)), ("XOR", (p, q) => (byte)(p ^ q)) })
        {
            var expected = x.Select((p, i) => f(p, i < y.Length ? y[i] : (byte)0)).ToArray();
            Assert.Equal(301L, await c.CallAsync("BITOP", op, "r", "y", "x", "missing"));
            var withMissing = op == "AND" ? new byte[301] : expected;
            Assert.Equal(Latin1(withMissing), await c.CallAsync("GET", "r"));
            Assert.Equal(301L, await c.CallAsync("BITOP", op, "r", "x", "y"));
            Assert.Equal(Latin1(expected), await c.CallAsync("GET", "r"));
        }
        Assert.Equal(301L, await c.CallAsync("BITOP", "NOT", "r", "x"));
        Assert.Equal(Latin1(x.Select(p => (byte)~p).ToArray()), await c.CallAsync("GET", "r"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_bit_write_that_changes_nothing_leaves_watchers_alone_and_one_that_changes_a_bit_fails_their_exec(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var watcher = await RespClient.ConnectAsync(redis.EndPoint);
        using var other = await RespClient.ConnectAsync(redis.EndPoint);
        await other.CallAsync("SET", "k", "\x80");
        foreach (var (command, changes) in new (string[], bool)[]
                 {
                     (["SETBIT", "k", "0", "1"], false),
                     (["BITFIELD", "k", "SET", "u1", "0", "1"], false),
                     (["SETBIT", "k", "1", "1"], true),
                     (["BITFIELD", "k", "INCRBY", "u2", "0", "1"], true),
                     (["SETBIT", "k", "64", "0"], true),
                     (["BITOP", "OR", "k", "k"], true),
                 })
        {
            Assert.Equal("OK", await watcher.CallAsync("WATCH", "k"));
            await other.CallAsync(command);
            Assert.Equal("OK", await watcher.CallAsync("MULTI"));
            Assert.Equal("QUEUED", await watcher.CallAsync("GET", "k"));
            var exec = await watcher.CallAsync("EXEC");
            if (changes) { Assert.Null(exec); } else { Assert.IsType<object?[]>(exec); }
        }
    }

    internal static string Latin1(byte[] bytes) => System.Text.Encoding.Latin1.GetString(bytes);

    private static long CountBits(byte[] bytes, int firstBit, int lastBit)
    {
        long count = 0;
        for (var bit = firstBit; bit <= lastBit; bit++) { count += (bytes[bit >> 3] >> (7 - (bit & 7))) & 1; }
        return count;
    }
}
