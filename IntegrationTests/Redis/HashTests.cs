using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>Hash commands over the wire, with Redis 7's replies (RESP2 and RESP3) and error texts.</summary>
public sealed class HashTests
{
    private static object?[] Items(params object?[] items) => items;

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Fields_are_set_read_and_deleted_and_an_emptied_hash_is_deleted(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal(2L, await c.CallAsync("HSET", "h", "a", "1", "b", "2"));
        Assert.Equal(1L, await c.CallAsync("HSET", "h", "a", "10", "c", "3"));
        Assert.Equal("OK", await c.CallAsync("HMSET", "h", "d", "4"));
        Assert.Equal(0L, await c.CallAsync("HSETNX", "h", "a", "x"));
        Assert.Equal(1L, await c.CallAsync("HSETNX", "h", "e", "five"));
        Assert.Equal("10", await c.CallAsync("HGET", "h", "a"));
        Assert.Null(await c.CallAsync("HGET", "h", "zz"));
        Assert.Null(await c.CallAsync("HGET", "missing", "a"));
        Assert.Equal(Items("10", null, "2"), await c.CallAsync("HMGET", "h", "a", "zz", "b"));
        Assert.Equal(Items(null, null), await c.CallAsync("HMGET", "missing", "a", "b"));
        Assert.Equal(1L, await c.CallAsync("HEXISTS", "h", "a"));
        Assert.Equal(0L, await c.CallAsync("HEXISTS", "h", "zz"));
        Assert.Equal(5L, await c.CallAsync("HLEN", "h"));
        Assert.Equal(4L, await c.CallAsync("HSTRLEN", "h", "e"));
        Assert.Equal(0L, await c.CallAsync("HSTRLEN", "h", "zz"));
        Assert.Equal(2L, await c.CallAsync("HDEL", "h", "a", "a", "b", "zz"));
        Assert.Equal(3L, await c.CallAsync("HDEL", "h", "c", "d", "e"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "h"));
        Assert.Equal(0L, await c.CallAsync("HDEL", "h", "a"));
        Assert.Equal(0L, await c.CallAsync("HLEN", "h"));
        Assert.Equal(new RespError("ERR wrong number of arguments for 'hset' command"), await c.CallAsync("HSET", "h", "a", "1", "b"));
        Assert.Equal(new RespError("ERR wrong number of arguments for 'hmset' command"), await c.CallAsync("HMSET", "h", "a"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Hgetall_hkeys_and_hvals_keep_insertion_order_and_hgetall_is_a_map_in_resp3(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("HSET", "h", "x", "1", "y", "2", "z", "3");
        await c.CallAsync("HDEL", "h", "x");
        await c.CallAsync("HSET", "h", "x", "4");
        Assert.Equal(Items("y", "2", "z", "3", "x", "4"), await c.CallAsync("HGETALL", "h"));
        Assert.Equal(Items("y", "z", "x"), await c.CallAsync("HKEYS", "h"));
        Assert.Equal(Items("2", "3", "4"), await c.CallAsync("HVALS", "h"));
        Assert.Equal(Items(), await c.CallAsync("HGETALL", "missing"));
        await c.CallAsync("HELLO", "3");
        // The client reads a map as keys and values in turn; its '%' header is what tells it apart.
        await c.SendAsync("HGETALL", "h");
        Assert.Equal(Items("y", "2", "z", "3", "x", "4"), await c.ReadAsync());
        Assert.Equal(Items("y", "z", "x"), await c.CallAsync("HKEYS", "h"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Hincrby_and_hincrbyfloat_add_to_numeric_fields_and_refuse_the_others(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal(5L, await c.CallAsync("HINCRBY", "h", "n", "5"));
        Assert.Equal(-2L, await c.CallAsync("HINCRBY", "h", "n", "-7"));
        Assert.Equal("0.5", await c.CallAsync("HINCRBYFLOAT", "h", "f", "0.5"));
        Assert.Equal("3", await c.CallAsync("HINCRBYFLOAT", "h", "f", "2.5"));
        Assert.Equal("-1.5", await c.CallAsync("HINCRBYFLOAT", "h", "n", "0.5"));
        // Fixed-point without binary noise, as Redis prints its long double (INCRBYFLOAT spells results alike).
        await c.CallAsync("HSET", "h", "tenth", "0.1");
        Assert.Equal("0.3", await c.CallAsync("HINCRBYFLOAT", "h", "tenth", "0.2"));
        Assert.Equal("100000000000000000000", await c.CallAsync("HINCRBYFLOAT", "h", "huge", "1e20"));
        Assert.Equal("0.00000015", await c.CallAsync("HINCRBYFLOAT", "h", "tiny", "1.5e-7"));
        await c.CallAsync("SET", "one", "1");
        Assert.Equal("-0.1", await c.CallAsync("INCRBYFLOAT", "one", "-1.1"));
        await c.CallAsync("HSET", "h", "text", "abc", "big", "9223372036854775807", "half", "0.5");
        Assert.Equal(new RespError("ERR hash value is not an integer"), await c.CallAsync("HINCRBY", "h", "text", "1"));
        Assert.Equal(new RespError("ERR hash value is not an integer"), await c.CallAsync("HINCRBY", "h", "half", "1"));
        Assert.Equal(new RespError("ERR hash value is not a float"), await c.CallAsync("HINCRBYFLOAT", "h", "text", "1"));
        Assert.Equal(new RespError("ERR increment or decrement would overflow"), await c.CallAsync("HINCRBY", "h", "big", "1"));
        Assert.Equal(new RespError("ERR value is not an integer or out of range"), await c.CallAsync("HINCRBY", "h", "n", "1.5"));
        Assert.Equal(new RespError("ERR value is not a valid float"), await c.CallAsync("HINCRBYFLOAT", "h", "f", "x"));
        Assert.Equal(new RespError("ERR value is NaN or Infinity"), await c.CallAsync("HINCRBYFLOAT", "h", "f", "inf"));
        Assert.Equal("3", await c.CallAsync("HGET", "h", "f"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Hscan_answers_a_small_hash_whole_and_walks_a_large_one_with_match_count_and_novalues(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("HSET", "small", "a1", "1", "b1", "2", "a2", "3");
        Assert.Equal(Items("0", Items("a1", "1", "b1", "2", "a2", "3")), await c.CallAsync("HSCAN", "small", "0", "COUNT", "1"));
        Assert.Equal(Items("0", Items("a1", "1", "a2", "3")), await c.CallAsync("HSCAN", "small", "0", "MATCH", "a*"));
        Assert.Equal(Items("0", Items("a1", "b1", "a2")), await c.CallAsync("HSCAN", "small", "0", "NOVALUES"));
        Assert.Equal(Items("0", Items()), await c.CallAsync("HSCAN", "missing", "0"));
        Assert.Equal(new RespError("ERR invalid cursor"), await c.CallAsync("HSCAN", "small", "x"));
        Assert.Equal(new RespError("ERR syntax error"), await c.CallAsync("HSCAN", "small", "0", "COUNT", "0"));
        Assert.Equal(new RespError("ERR syntax error"), await c.CallAsync("HSCAN", "small", "0", "TYPE", "string"));

        var fields = Enumerable.Range(0, 300).Select(i => $"f{i}").ToList();
        await c.CallAsync(["HSET", "large", .. fields.SelectMany(f => new[] { f, "v" + f })]);
        var seen = new List<string>();
        var cursor = "0";
        var calls = 0;
        do
        {
            var reply = (object?[])(await c.CallAsync("HSCAN", "large", cursor, "COUNT", "50", "NOVALUES"))!;
            cursor = (string)reply[0]!;
            seen.AddRange(((object?[])reply[1]!).Cast<string>());
            Assert.True(++calls < 100, "HSCAN never returned cursor 0");
        }
        while (cursor != "0");
        Assert.Equal(fields.Order(), seen.Order());
        Assert.True(calls > 1);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Hrandfield_picks_distinct_fields_for_a_positive_count_and_repeats_for_a_negative_one(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("HSET", "h", "a", "1", "b", "2", "c", "3");
        Assert.Contains((string)(await c.CallAsync("HRANDFIELD", "h"))!, new[] { "a", "b", "c" });
        var two = (object?[])(await c.CallAsync("HRANDFIELD", "h", "2"))!;
        Assert.Equal(2, two.Distinct().Count());
        Assert.Equal(Items("a", "b", "c"), await c.CallAsync("HRANDFIELD", "h", "10"));
        var repeated = (object?[])(await c.CallAsync("HRANDFIELD", "h", "-7"))!;
        Assert.Equal(7, repeated.Length);
        Assert.All(repeated, field => Assert.Contains((string)field!, new[] { "a", "b", "c" }));
        var flat = (object?[])(await c.CallAsync("HRANDFIELD", "h", "-2", "WITHVALUES"))!;
        Assert.Equal(4, flat.Length);
        Assert.Equal(await c.CallAsync("HGET", "h", (string)flat[0]!), flat[1]);
        Assert.Equal(Items(), await c.CallAsync("HRANDFIELD", "h", "0"));
        Assert.Null(await c.CallAsync("HRANDFIELD", "missing"));
        Assert.Equal(Items(), await c.CallAsync("HRANDFIELD", "missing", "3"));
        Assert.Equal(new RespError("ERR value is not an integer or out of range"), await c.CallAsync("HRANDFIELD", "h", "x"));
        Assert.Equal(new RespError("ERR syntax error"), await c.CallAsync("HRANDFIELD", "h", "1", "WITHVALUE"));
        Assert.Equal(new RespError("ERR value is out of range"), await c.CallAsync("HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"));

        await c.CallAsync("HELLO", "3");
        var nested = (object?[])(await c.CallAsync("HRANDFIELD", "h", "3", "WITHVALUES"))!;
        Assert.Equal(Items(Items("a", "1"), Items("b", "2"), Items("c", "3")), nested);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Every_hash_command_refuses_a_key_of_another_type(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("RPUSH", "l", "a");
        string[][] commands =
        [
            ["HSET", "l", "f", "v"], ["HMSET", "l", "f", "v"], ["HSETNX", "l", "f", "v"], ["HGET", "l", "f"], ["HMGET", "l", "f"],
            ["HDEL", "l", "f"], ["HEXISTS", "l", "f"], ["HLEN", "l"], ["HSTRLEN", "l", "f"], ["HKEYS", "l"], ["HVALS", "l"],
            ["HGETALL", "l"], ["HINCRBY", "l", "f", "1"], ["HINCRBYFLOAT", "l", "f", "1"], ["HSCAN", "l", "0"], ["HRANDFIELD", "l"],
            ["HRANDFIELD", "l", "2"],
        ];
        foreach (var command in commands) { Assert.Equal(RespError.WrongType, await c.CallAsync(command)); }
        Assert.Equal("list", await c.CallAsync("TYPE", "l"));
        await c.CallAsync("HSET", "h", "f", "v");
        Assert.Equal("hash", await c.CallAsync("TYPE", "h"));
        Assert.Equal(RespError.WrongType, await c.CallAsync("LPUSH", "h", "x"));
        Assert.Equal(RespError.WrongType, await c.CallAsync("GET", "h"));
    }
}
