using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// OBJECT ENCODING, REFCOUNT, IDLETIME, FREQ and HELP with redis-server 7.0's answers: each type's encoding on both
/// sides of its thresholds (CONFIG's, aliases included), kept once left as Redis keeps it, and Redis's errors.
/// </summary>
public sealed class ObjectTests
{
    private static async Task<object?> EncodingAsync(RespClient c, string key) => await c.CallAsync("OBJECT", "ENCODING", key);

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_string_is_int_embstr_or_raw_by_its_content_and_small_integers_are_shared(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        var expected = new (string Value, string Encoding, long RefCount)[]
        {
            ("0", "int", int.MaxValue), ("9999", "int", int.MaxValue), ("10000", "int", 1), ("-1", "int", 1),
            ("9223372036854775807", "int", 1), ("-9223372036854775808", "int", 1), ("9223372036854775808", "embstr", 1),
            ("01", "embstr", 1), ("-0", "embstr", 1), ("+1", "embstr", 1), (" 1", "embstr", 1), ("1.5", "embstr", 1), ("", "embstr", 1),
            (new string('x', 44), "embstr", 1), (new string('x', 45), "raw", 1), (new string('7', 45), "raw", 1),
        };
        foreach (var (value, encoding, refCount) in expected)
        {
            Assert.Equal("OK", await c.CallAsync("SET", "k", value));
            Assert.Equal(encoding, await EncodingAsync(c, "k"));
            Assert.Equal(refCount, await c.CallAsync("OBJECT", "REFCOUNT", "k"));
        }
        // With a maxmemory whose policy needs each value's own access time, integers are not shared.
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory", "1gb", "maxmemory-policy", "allkeys-lru"));
        Assert.Equal("OK", await c.CallAsync("SET", "k", "5"));
        Assert.Equal(1L, await c.CallAsync("OBJECT", "REFCOUNT", "k"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_set_is_an_intset_while_it_holds_only_few_enough_integers(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal(512L, await c.CallAsync(["SADD", "s", .. Enumerable.Range(0, 512).Select(i => $"{i - 256}")]));
        Assert.Equal("intset", await EncodingAsync(c, "s"));
        Assert.Equal(1L, await c.CallAsync("SADD", "s", "9223372036854775807"));
        Assert.Equal("hashtable", await EncodingAsync(c, "s"));
        // Once left, the compact encoding is not taken again.
        Assert.Equal(1L, await c.CallAsync("SREM", "s", "0"));
        Assert.Equal("hashtable", await EncodingAsync(c, "s"));
        Assert.Equal(3L, await c.CallAsync("SADD", "t", "1", "2", "3"));
        Assert.Equal("intset", await EncodingAsync(c, "t"));
        Assert.Equal(1L, await c.CallAsync("SADD", "t", "01"));
        Assert.Equal(1L, await c.CallAsync("SREM", "t", "01"));
        Assert.Equal("hashtable", await EncodingAsync(c, "t"));
        Assert.Equal(1L, await c.CallAsync("SADD", "u", "a"));
        Assert.Equal("hashtable", await EncodingAsync(c, "u"));
        // A copy keeps the encoding, as Redis's COPY duplicates it.
        Assert.Equal(1L, await c.CallAsync("COPY", "t", "t2"));
        Assert.Equal("hashtable", await EncodingAsync(c, "t2"));
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "set-max-intset-entries", "2"));
        Assert.Equal(2L, await c.CallAsync("SADD", "v", "1", "2"));
        Assert.Equal("intset", await EncodingAsync(c, "v"));
        Assert.Equal(1L, await c.CallAsync("SADD", "v", "3"));
        Assert.Equal("hashtable", await EncodingAsync(c, "v"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_hash_is_a_listpack_until_it_holds_too_many_fields_or_too_long_a_one(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal(512L, await c.CallAsync(["HSET", "h", .. Enumerable.Range(0, 512).SelectMany(i => new[] { $"f{i}", "v" })]));
        Assert.Equal("listpack", await EncodingAsync(c, "h"));
        Assert.Equal(1L, await c.CallAsync("HSET", "h", "one more", "v"));
        Assert.Equal("hashtable", await EncodingAsync(c, "h"));
        Assert.Equal(2L, await c.CallAsync("HDEL", "h", "one more", "f0"));
        Assert.Equal("hashtable", await EncodingAsync(c, "h"));
        Assert.Equal(1L, await c.CallAsync("HSET", "value", "f", new string('v', 64)));
        Assert.Equal("listpack", await EncodingAsync(c, "value"));
        Assert.Equal(0L, await c.CallAsync("HSET", "value", "f", new string('v', 65)));
        Assert.Equal("hashtable", await EncodingAsync(c, "value"));
        Assert.Equal(1L, await c.CallAsync("HSET", "field", new string('f', 65), "v"));
        Assert.Equal("hashtable", await EncodingAsync(c, "field"));
        Assert.Equal(1L, await c.CallAsync("HINCRBY", "counter", new string('f', 65), "1"));
        Assert.Equal("hashtable", await EncodingAsync(c, "counter"));
        // The Redis 6 name is an alias of the 7.0 one.
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "hash-max-ziplist-entries", "1"));
        Assert.Equal(new object?[] { "hash-max-listpack-entries", "1" }, await c.CallAsync("CONFIG", "GET", "hash-max-listpack-entries"));
        Assert.Equal(2L, await c.CallAsync("HSET", "two", "a", "1", "b", "2"));
        Assert.Equal("hashtable", await EncodingAsync(c, "two"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_sorted_set_is_a_listpack_until_it_grows_or_sort_converts_it(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal(128L, await c.CallAsync(["ZADD", "z", .. Enumerable.Range(0, 128).SelectMany(i => new[] { $"{i}", $"m{i}" })]));
        Assert.Equal("listpack", await EncodingAsync(c, "z"));
        Assert.Equal(1L, await c.CallAsync("ZADD", "z", "1", "one more"));
        Assert.Equal("skiplist", await EncodingAsync(c, "z"));
        Assert.Equal(2L, await c.CallAsync("ZREM", "z", "one more", "m0"));
        Assert.Equal("skiplist", await EncodingAsync(c, "z"));
        Assert.Equal(1L, await c.CallAsync("ZADD", "long", "1", new string('m', 64)));
        Assert.Equal("listpack", await EncodingAsync(c, "long"));
        Assert.Equal(1L, await c.CallAsync("ZADD", "long", "1", new string('m', 65)));
        Assert.Equal("skiplist", await EncodingAsync(c, "long"));
        // SORT converts a sorted set to a skiplist for good, even a SORT that fails.
        Assert.Equal(1L, await c.CallAsync("ZADD", "sorted", "1", "a"));
        Assert.Equal(new RespError("ERR One or more scores can't be converted into double"), await c.CallAsync("SORT", "sorted"));
        Assert.Equal("skiplist", await EncodingAsync(c, "sorted"));
        // A union is judged afresh.
        Assert.Equal(1L, await c.CallAsync("ZUNIONSTORE", "union", "1", "sorted"));
        Assert.Equal("listpack", await EncodingAsync(c, "union"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_list_is_a_quicklist_whatever_its_size(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal(1L, await c.CallAsync("RPUSH", "small", "a"));
        Assert.Equal("quicklist", await EncodingAsync(c, "small"));
        Assert.Equal(1000L, await c.CallAsync(["RPUSH", "big", .. Enumerable.Repeat(new string('x', 100), 1000)]));
        Assert.Equal("quicklist", await EncodingAsync(c, "big"));
        Assert.Equal(1L, await c.CallAsync("OBJECT", "REFCOUNT", "big"));
    }

    [Fact]
    public async Task Ttl_type_and_exists_leave_the_last_use_alone_and_touch_records_it()
    {
        await using var redis = await InProcessRedis.StartAsync(Backend.Auto);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal("OK", await c.CallAsync("SET", "source", "v"));
        var payload = (string)(await c.CallAsync("DUMP", "source"))!;
        Assert.Equal("OK", await c.CallAsync("RESTORE", "k", "0", payload, "IDLETIME", "1000")); // last used 1000 s ago
        foreach (var command in new[] { "TTL", "PTTL", "EXPIRETIME", "TYPE", "EXISTS" }) { await c.CallAsync(command, "k"); }
        Assert.InRange((long)(await c.CallAsync("OBJECT", "IDLETIME", "k"))!, 999, 1001);
        Assert.Equal(1L, await c.CallAsync("TOUCH", "k"));
        Assert.Equal(0L, await c.CallAsync("OBJECT", "IDLETIME", "k"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Idletime_freq_help_and_errors_are_redis_s(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal("OK", await c.CallAsync("SET", "k", "v"));
        Assert.Equal(0L, await c.CallAsync("OBJECT", "IDLETIME", "k"));
        const string note = "Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
        Assert.Equal(new RespError($"ERR An LFU maxmemory policy is not selected, access frequency not tracked. {note}"),
            await c.CallAsync("OBJECT", "FREQ", "k"));
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"));
        // A new key starts at Redis's LFU_INIT_VAL, and asking is not an access.
        Assert.Equal("OK", await c.CallAsync("SET", "fresh", "v"));
        Assert.Equal(5L, await c.CallAsync("OBJECT", "FREQ", "fresh"));
        Assert.Equal(5L, await c.CallAsync("OBJECT", "FREQ", "fresh"));
        // RESTORE's FREQ sets the counter under an LFU policy, IDLETIME the last use under an LRU one (a minute or a
        // second may turn between the two commands).
        var payload = (string)(await c.CallAsync("DUMP", "fresh"))!;
        Assert.Equal("OK", await c.CallAsync("RESTORE", "restored", "0", payload, "FREQ", "42"));
        Assert.InRange((long)(await c.CallAsync("OBJECT", "FREQ", "restored"))!, 41, 42);
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"));
        Assert.Equal("OK", await c.CallAsync("RESTORE", "restored", "0", payload, "IDLETIME", "100", "REPLACE"));
        Assert.InRange((long)(await c.CallAsync("OBJECT", "IDLETIME", "restored"))!, 100, 101);
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"));
        Assert.Equal(new RespError($"ERR An LFU maxmemory policy is selected, idle time not tracked. {note}"),
            await c.CallAsync("OBJECT", "IDLETIME", "k"));
        foreach (var sub in new[] { "ENCODING", "REFCOUNT", "IDLETIME", "FREQ" }) { Assert.Null(await c.CallAsync("OBJECT", sub, "missing")); }
        Assert.Equal(new RespError("ERR wrong number of arguments for 'object' command"), await c.CallAsync("OBJECT"));
        Assert.Equal(new RespError("ERR wrong number of arguments for 'object|encoding' command"), await c.CallAsync("OBJECT", "encoding"));
        Assert.Equal(new RespError("ERR wrong number of arguments for 'object|freq' command"), await c.CallAsync("OBJECT", "FREQ", "k", "k"));
        Assert.Equal(new RespError("ERR wrong number of arguments for 'object|help' command"), await c.CallAsync("OBJECT", "HELP", "k"));
        Assert.Equal(new RespError("ERR unknown subcommand 'nope'. Try OBJECT HELP."), await c.CallAsync("OBJECT", "nope", "k", "x"));
        var help = Assert.IsType<object?[]>(await c.CallAsync("OBJECT", "help"));
        Assert.Equal(15, help.Length);
        Assert.Equal("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", help[0]);
        Assert.Equal("    Prints this help.", help[^1]);
        Assert.StartsWith("*15\r\n+OBJECT <subcommand>", await c.Socket.CommandAsync("OBJECT", "HELP"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task The_thresholds_are_checked_as_redis_checks_them(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        static RespError Failed(string name, string reason) => new($"ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}");
        Assert.Equal(Failed("hash-max-listpack-entries", "argument couldn't be parsed into an integer"),
            await c.CallAsync("CONFIG", "SET", "hash-max-listpack-entries", "007"));
        Assert.Equal(Failed("set-max-intset-entries", "argument must be between 0 and 9223372036854775807 inclusive"),
            await c.CallAsync("CONFIG", "SET", "set-max-intset-entries", "-1"));
        Assert.Equal(Failed("list-max-ziplist-size", "argument must be between -2147483648 and 2147483647 inclusive"),
            await c.CallAsync("CONFIG", "SET", "list-max-ziplist-size", "2147483648"));
        Assert.Equal(Failed("zset-max-listpack-value", "argument must be a memory value"),
            await c.CallAsync("CONFIG", "SET", "zset-max-listpack-value", "-5"));
        Assert.Equal(Failed("maxmemory-policy", "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, " +
            "volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"), await c.CallAsync("CONFIG", "SET", "maxmemory-policy", "lru"));
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "zset-max-listpack-value", "1kb"));
        Assert.Equal(new object?[] { "zset-max-ziplist-value", "1024" }, await c.CallAsync("CONFIG", "GET", "zset-max-ziplist-value"));
        Assert.Equal(new object?[] { "list-max-listpack-size", "-2", "list-max-ziplist-size", "-2" }, await c.CallAsync("CONFIG", "GET", "list-max-*-size"));
        Assert.Equal(new object?[] { "set-max-intset-entries", "512" }, await c.CallAsync("CONFIG", "GET", "set-max-intset-entries"));
    }
}
