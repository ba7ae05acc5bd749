using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>LCS over the wire: the subsequence, its length and its match ranges, with Redis 7.0's replies in RESP2 and RESP3.</summary>
public sealed class LcsTests
{
    private static object?[] Items(params object?[] items) => items;

    private static object?[] Range(long aStart, long aEnd, long bStart, long bEnd, long? length = null) =>
        length is { } n ? Items(Items(aStart, aEnd), Items(bStart, bEnd), n) : Items(Items(aStart, aEnd), Items(bStart, bEnd));

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Lcs_answers_the_subsequence_its_length_or_its_matches_last_first(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("MSET", "a", "ohmytext", "b", "mynewtext", "p", "abcabcbb", "q", "bcbacbab", "empty", "");
        Assert.Equal("mytext", await c.CallAsync("LCS", "a", "b"));
        Assert.Equal(6L, await c.CallAsync("LCS", "a", "b", "LEN"));
        Assert.Equal(Items("matches", Items(Range(4, 7, 5, 8), Range(2, 3, 0, 1)), "len", 6L), await c.CallAsync("LCS", "a", "b", "IDX"));
        Assert.Equal(Items("matches", Items((object)Range(4, 7, 5, 8, 4)), "len", 6L),
            await c.CallAsync("LCS", "a", "b", "idx", "minmatchlen", "4", "withmatchlen"));
        Assert.Equal(Items("matches", Items(Range(4, 7, 5, 8, 4), Range(2, 3, 0, 1, 2)), "len", 6L),
            await c.CallAsync("LCS", "a", "b", "IDX", "MINMATCHLEN", "-3", "WITHMATCHLEN"));
        // Ties in the table resolve as Redis resolves them, so the same subsequence and ranges come out.
        Assert.Equal("bcbcbb", await c.CallAsync("LCS", "p", "q"));
        Assert.Equal(Items("matches", Items(Range(7, 7, 7, 7, 1), Range(5, 6, 4, 5, 2), Range(4, 4, 2, 2, 1), Range(1, 2, 0, 1, 2)), "len", 6L),
            await c.CallAsync("LCS", "p", "q", "IDX", "WITHMATCHLEN"));
        Assert.Equal(Items("matches", Items((object)Range(0, 7, 0, 7, 8)), "len", 8L), await c.CallAsync("LCS", "p", "p", "IDX", "WITHMATCHLEN"));
        // Missing keys and empty strings have nothing in common with anything.
        Assert.Equal("", await c.CallAsync("LCS", "a", "missing"));
        Assert.Equal(0L, await c.CallAsync("LCS", "missing", "a", "LEN"));
        Assert.Equal(Items("matches", Items(), "len", 0L), await c.CallAsync("LCS", "empty", "b", "IDX"));
        // WITHMATCHLEN alone changes nothing.
        Assert.Equal("mytext", await c.CallAsync("LCS", "a", "b", "WITHMATCHLEN"));

        // Long strings: the subsequence is the shorter string when it is one of the longer's subsequences.
        var longer = string.Concat(Enumerable.Range(0, 300).Select(i => (char)('a' + i % 26)));
        var shorter = string.Concat(longer.Where((_, i) => i % 3 == 0));
        await c.CallAsync("MSET", "long", longer, "short", shorter);
        Assert.Equal(shorter, await c.CallAsync("LCS", "long", "short"));
        Assert.Equal(100L, await c.CallAsync("LCS", "short", "long", "LEN"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Lcs_idx_is_a_map_in_resp3(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        await client.CommandAsync("MSET", "a", "ohmytext", "b", "mynewtext");
        Assert.Equal("*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n",
            await client.CommandAsync("LCS", "a", "b", "IDX", "MINMATCHLEN", "3", "WITHMATCHLEN"));
        Assert.StartsWith("%", await client.CommandAsync("HELLO", "3"));
        Assert.Equal("%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n",
            await client.CommandAsync("LCS", "a", "b", "IDX", "MINMATCHLEN", "3", "WITHMATCHLEN"));
        Assert.Equal(":6\r\n", await client.CommandAsync("LCS", "a", "b", "LEN"));
        Assert.Equal("$6\r\nmytext\r\n", await client.CommandAsync("LCS", "a", "b"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Lcs_refuses_other_types_ambiguous_options_and_tables_past_proto_max_bulk_len(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, maxBulk: 1024);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("MSET", "a", "ohmytext", "b", "mynewtext");
        await c.CallAsync("RPUSH", "list", "x");
        var notStrings = new RespError("ERR The specified keys must contain string values");
        Assert.Equal(notStrings, await c.CallAsync("LCS", "list", "a"));
        Assert.Equal(notStrings, await c.CallAsync("LCS", "a", "list", "BOGUS"));
        Assert.Equal(new RespError("ERR If you want both the length and indexes, please just use IDX."), await c.CallAsync("LCS", "a", "b", "IDX", "LEN"));
        Assert.Equal(new RespError("ERR syntax error"), await c.CallAsync("LCS", "a", "b", "BOGUS"));
        Assert.Equal(new RespError("ERR syntax error"), await c.CallAsync("LCS", "a", "b", "MINMATCHLEN"));
        Assert.Equal(new RespError("ERR value is not an integer or out of range"), await c.CallAsync("LCS", "a", "b", "MINMATCHLEN", "x"));
        Assert.Equal(new RespError("ERR wrong number of arguments for 'lcs' command"), await c.CallAsync("LCS", "a"));
        // (8 + 1) * (9 + 1) cells of 4 bytes fit in 1024; (20 + 1) * (20 + 1) do not.
        Assert.Equal(6L, await c.CallAsync("LCS", "a", "b", "LEN"));
        await c.CallAsync("MSET", "x", new string('x', 20), "y", new string('y', 20));
        Assert.Equal(new RespError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"), await c.CallAsync("LCS", "x", "y"));
    }
}
