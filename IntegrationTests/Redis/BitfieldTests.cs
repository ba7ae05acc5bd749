using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>BITFIELD and BITFIELD_RO over the wire: widths, offsets, overflow modes and errors as Redis 7.0 answers them.</summary>
public sealed class BitfieldTests
{
    private static readonly RespError InvalidType = new("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
    private static readonly RespError OffsetError = new("ERR bit offset is not an integer or out of range");

    private static object?[] Items(params object?[] items) => items;

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Several_operations_run_in_order_each_under_the_overflow_mode_before_it(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal(Items(0L, -56L, 12L, 127L, null, 0L),
            await c.CallAsync("BITFIELD", "bf", "SET", "i8", "0", "100", "INCRBY", "i8", "0", "100", "GET", "u4", "0",
                "OVERFLOW", "SAT", "INCRBY", "i8", "0", "200", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "5", "GET", "u2", "100"));
        // The string reaches the last bit written, even by an operation that failed.
        Assert.Equal("\x7f" + new string('\0', 12), await c.CallAsync("GET", "bf"));

        // 64-bit signed fields wrap as two's complement; SAT stops at the limits.
        Assert.Equal(Items(-72057594037927937L, 9151314442816847870L, long.MaxValue, -1L, long.MinValue),
            await c.CallAsync("BITFIELD", "bf", "INCRBY", "i64", "0", $"{long.MaxValue}", "INCRBY", "i64", "0", $"{long.MaxValue}",
                "OVERFLOW", "SAT", "INCRBY", "i64", "0", $"{long.MaxValue}", "INCRBY", "i64", "0", $"{long.MinValue}",
                "INCRBY", "i64", "0", $"{long.MinValue}"));
        // An unsigned SET reads its value as 64 unsigned bits: -1 is too large, so WRAP keeps the low bits, SAT the
        // maximum, and FAIL answers nil and writes nothing.
        Assert.Equal(Items(128L, 0L, null, 0L),
            await c.CallAsync("BITFIELD", "bf", "SET", "u8", "0", "-1", "OVERFLOW", "SAT", "SET", "u8", "8", "-1",
                "OVERFLOW", "FAIL", "SET", "u8", "16", "-1", "GET", "u8", "16"));
        Assert.Equal(Items(255L, 255L), await c.CallAsync("BITFIELD_RO", "bf", "GET", "u8", "0", "GET", "u8", "8"));

        // Redis works out which way a signed SET overflows in 64-bit arithmetic that wraps: a value more than 2^63 below
        // the field's maximum counts as too large, so SAT stores the maximum, not the minimum.
        Assert.Equal(Items(0L, 4611686018427387903L, 0L, -128L, -128L, 127L),
            await c.CallAsync("BITFIELD", "q", "OVERFLOW", "SAT", "SET", "i63", "0", "-4611686018427387906", "GET", "i63", "0",
                "SET", "i8", "100", "-9223372036854775680", "GET", "i8", "100", "SET", "i8", "100", "-9223372036854775681", "GET", "i8", "100"));

        // Unaligned fields across byte boundaries, and signed limits under FAIL.
        Assert.Equal(Items(0L, 0L, 0L, null, null, null, 0L),
            await c.CallAsync("BITFIELD", "u", "SET", "u5", "3", "31", "INCRBY", "u5", "3", "1", "OVERFLOW", "SAT", "INCRBY", "u5", "3", "-5",
                "OVERFLOW", "FAIL", "INCRBY", "u5", "3", "-1", "SET", "i5", "3", "16", "SET", "i5", "3", "-17", "GET", "i5", "3"));
        Assert.Equal(Items(0L, 15L, -16L), await c.CallAsync("BITFIELD", "u", "SET", "i5", "3", "15", "INCRBY", "i5", "3", "0", "INCRBY", "i5", "3", "1"));
        Assert.Equal("\x10", await c.CallAsync("GET", "u"));
        Assert.Equal(Items(1L, -1L, 1L, 0L), await c.CallAsync("BITFIELD", "one", "INCRBY", "u1", "7", "1", "INCRBY", "i1", "6", "1", "GET", "u1", "6", "INCRBY", "u1", "7", "1"));

        // #N counts fields of the type's width.
        Assert.Equal(Items(0L, 200L, 200L, -8L), await c.CallAsync("BITFIELD", "n", "SET", "u8", "#1", "200", "GET", "u8", "8", "GET", "u8", "#1", "GET", "i4", "#3"));
        Assert.Equal("\0\xc8", await c.CallAsync("GET", "n"));
        Assert.Equal(Items(-4035225266123964416L, 0L), await c.CallAsync("BITFIELD_RO", "n", "GET", "i64", "8", "GET", "u63", "#100"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Reads_treat_missing_keys_and_bits_past_the_end_as_zeros_and_write_nothing(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal(Items(), await c.CallAsync("BITFIELD", "missing"));
        Assert.Equal(Items(0L, 0L), await c.CallAsync("BITFIELD", "missing", "GET", "i64", "1000", "GET", "u1", "0"));
        Assert.Equal(Items(0L), await c.CallAsync("BITFIELD_RO", "missing", "GET", "u8", "0"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "missing"));
        await c.CallAsync("SET", "s", "\xff");
        Assert.Equal(Items(-2L, 510L, 1L), await c.CallAsync("BITFIELD", "s", "GET", "i9", "0", "GET", "u9", "0", "GET", "u1", "7"));
        Assert.Equal("\xff", await c.CallAsync("GET", "s"));
        // A write creates the key even when it fails, zero-filled to the bits it would have written.
        Assert.Equal(Items((object?)null), await c.CallAsync("BITFIELD", "created", "OVERFLOW", "FAIL", "SET", "u2", "0", "10"));
        Assert.Equal("\0", await c.CallAsync("GET", "created"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Bad_types_offsets_values_and_subcommands_are_refused_as_redis_words_them(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, maxBulk: 1024);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("SET", "s", "foobar");
        foreach (var type in new[] { "u64", "i65", "i0", "u0", "x8", "i", "", "i08", "u-1", "I8" })
        {
            Assert.Equal(InvalidType, await c.CallAsync("BITFIELD", "s", "GET", type, "0"));
        }
        Assert.Equal(OffsetError, await c.CallAsync("BITFIELD", "s", "GET", "u8", "-1"));
        Assert.Equal(OffsetError, await c.CallAsync("BITFIELD", "s", "GET", "u8", "#-1"));
        Assert.Equal(OffsetError, await c.CallAsync("BITFIELD", "s", "GET", "u8", "#"));
        Assert.Equal(OffsetError, await c.CallAsync("BITFIELD", "s", "GET", "u8", "x"));
        // proto-max-bulk-len (1024 here) caps the offset; the field may still run a few bits past it.
        Assert.Equal(OffsetError, await c.CallAsync("BITFIELD", "s", "SET", "u8", "#1024", "1"));
        Assert.Equal(Items(0L), await c.CallAsync("BITFIELD", "s", "SET", "i64", "8191", "1"));
        Assert.Equal(1032L, await c.CallAsync("STRLEN", "s"));
        // #N times the width wraps around 64 bits as Redis's multiplication does: #2^61 of u8 is bit 0.
        Assert.Equal(Items(102L), await c.CallAsync("BITFIELD", "s", "GET", "u8", "#2305843009213693952"));
        Assert.Equal(new RespError("ERR value is not an integer or out of range"), await c.CallAsync("BITFIELD", "s", "SET", "i8", "0", "x"));
        Assert.Equal(new RespError("ERR Invalid OVERFLOW type specified"), await c.CallAsync("BITFIELD", "s", "OVERFLOW", "BAD", "GET", "i8", "0"));
        foreach (var tail in new[] { new[] { "GET", "i8" }, ["SET", "i8", "0"], ["INCRBY"], ["OVERFLOW"], ["DEL", "i8", "0"], ["GET", "i8", "0", "SET"] })
        {
            Assert.Equal(new RespError("ERR syntax error"), await c.CallAsync(["BITFIELD", "s", .. tail]));
        }
        // Everything is checked before anything runs: a late error leaves the earlier writes undone.
        Assert.Equal(InvalidType, await c.CallAsync("BITFIELD", "s", "SET", "u8", "0", "0", "GET", "u64", "0"));
        Assert.Equal("f", await c.CallAsync("GETRANGE", "s", "0", "0"));

        Assert.Equal(new RespError("ERR BITFIELD_RO only supports the GET subcommand"), await c.CallAsync("BITFIELD_RO", "s", "GET", "u8", "0", "SET", "u8", "0", "1"));
        Assert.Equal(new RespError("ERR BITFIELD_RO only supports the GET subcommand"), await c.CallAsync("BITFIELD_RO", "s", "INCRBY", "u8", "0", "1"));
        await c.CallAsync("LPUSH", "list", "x");
        Assert.Equal(RespError.WrongType, await c.CallAsync("BITFIELD", "list", "GET", "u8", "0"));
        Assert.Equal(RespError.WrongType, await c.CallAsync("BITFIELD", "list", "SET", "u8", "0", "1"));
        Assert.Equal(RespError.WrongType, await c.CallAsync("BITFIELD_RO", "list", "GET", "u8", "0"));
        Assert.Equal(InvalidType, await c.CallAsync("BITFIELD", "list", "GET", "u64", "0"));
    }
}
