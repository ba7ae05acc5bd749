using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>The command table's key specs, as COMMAND GETKEYS shows them (Redis 7.0's answers).</summary>
public sealed class CommandKeysTests
{
    public static TheoryData<string[], string[]> Commands => new()
    {
        { ["GET", "k"], ["k"] },
        { ["MSET", "a", "1", "b", "2"], ["a", "b"] },
        { ["BLPOP", "a", "b", "0"], ["a", "b"] },
        { ["LMPOP", "2", "a", "b", "LEFT"], ["a", "b"] },
        { ["BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "3"], ["a", "b"] },
        { ["ZMPOP", "1", "z", "MIN"], ["z"] },
        { ["BZMPOP", "0", "3", "x", "y", "z", "MAX"], ["x", "y", "z"] },
        { ["SINTERCARD", "2", "a", "b", "LIMIT", "1"], ["a", "b"] },
        { ["ZUNION", "2", "a", "b", "WITHSCORES"], ["a", "b"] },
        { ["ZINTERCARD", "3", "a", "b", "c"], ["a", "b", "c"] },
        { ["ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "2"], ["dst", "a", "b"] },
        { ["ZDIFFSTORE", "dst", "1", "a"], ["dst", "a"] },
        { ["DUMP", "k"], ["k"] },
        { ["RESTORE", "k", "0", "payload", "REPLACE"], ["k"] },
        { ["SETBIT", "k", "7", "1"], ["k"] },
        { ["BITFIELD_RO", "k", "GET", "u8", "0"], ["k"] },
        { ["BITOP", "AND", "dst", "a", "b", "c"], ["dst", "a", "b", "c"] },
        { ["BITOP", "NOT", "dst", "a"], ["dst", "a"] },
        { ["LCS", "a", "b", "IDX", "MINMATCHLEN", "3"], ["a", "b"] },
        { ["GEOADD", "g", "1", "2", "m"], ["g"] },
        { ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"], ["g"] },
        { ["GEOSEARCHSTORE", "dst", "src", "FROMMEMBER", "m", "BYBOX", "1", "1", "km"], ["dst", "src"] },
        { ["GEORADIUS", "src", "0", "0", "1", "km"], ["src"] },
        { ["GEORADIUS", "src", "0", "0", "1", "km", "COUNT", "5", "STORE", "dst"], ["src", "dst"] },
        // Redis's key specs: the first STORE, then the first STOREDIST, each searched from the first option on.
        { ["GEORADIUS", "src", "0", "0", "1", "km", "STOREDIST", "a", "store", "b"], ["src", "b", "a"] },
        { ["GEORADIUS", "src", "0", "0", "1", "km", "STORE", "a", "STORE", "b"], ["src", "a"] },
        { ["GEORADIUS", "src", "0", "0", "1", "STORE", "a"], ["src"] },
        { ["GEORADIUS", "src", "0", "0", "1", "km", "STORE"], ["src"] },
        { ["GEORADIUSBYMEMBER", "src", "m", "1", "km", "STORE", "dst"], ["src", "dst"] },
        { ["GEORADIUS_RO", "src", "0", "0", "1", "km", "STORE", "dst"], ["src"] },
        { ["GEORADIUSBYMEMBER_RO", "src", "m", "1", "km"], ["src"] },
        { ["GEOPOS", "g", "a", "b"], ["g"] },
        { ["GEODIST", "g", "a", "b"], ["g"] },
        { ["GEOHASH", "g", "a"], ["g"] },
        { ["XADD", "s", "MAXLEN", "~", "10", "*", "f", "v"], ["s"] },
        { ["XREAD", "COUNT", "2", "BLOCK", "0", "STREAMS", "a", "b", "0", "$"], ["a", "b"] },
        { ["XREAD", "STREAMS", "streams", "0"], ["streams"] },
        { ["XINFO", "STREAM", "s", "FULL"], ["s"] },
        { ["XREADGROUP", "GROUP", "streams", "c", "COUNT", "1", "NOACK", "STREAMS", "a", "b", ">", ">"], ["a", "b"] },
        { ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"], ["s"] },
        { ["PFADD", "h", "a", "b"], ["h"] },
        { ["PFCOUNT", "a", "b", "c"], ["a", "b", "c"] },
        { ["PFMERGE", "dst", "a", "b"], ["dst", "a", "b"] },
        { ["PFDEBUG", "GETREG", "h"], ["h"] },
    };

    /// <summary>The bitmap, LCS, HyperLogLog and introspection commands, described as redis-server 7.0 describes them.</summary>
    public static TheoryData<string[]> RedisDescribed => new()
    {
        { ["SETBIT", "k", "7", "1"] },
        { ["GETBIT", "k", "7"] },
        { ["BITCOUNT", "k", "0", "-1", "BIT"] },
        { ["BITPOS", "k", "1", "0"] },
        { ["BITOP", "XOR", "dst", "a", "b"] },
        { ["BITFIELD", "k", "INCRBY", "i5", "100", "1", "GET", "u4", "0"] },
        { ["BITFIELD_RO", "k", "GET", "u8", "0"] },
        { ["LCS", "a", "b", "LEN"] },
        { ["XADD", "s", "NOMKSTREAM", "MINID", "=", "5", "1-*", "f", "v"] },
        { ["XLEN", "s"] },
        { ["XRANGE", "s", "-", "+", "COUNT", "2"] },
        { ["XREVRANGE", "s", "+", "-"] },
        { ["XDEL", "s", "1-1", "2-2"] },
        { ["XTRIM", "s", "MAXLEN", "~", "5", "LIMIT", "10"] },
        { ["XSETID", "s", "5-5", "ENTRIESADDED", "3"] },
        { ["XREAD", "COUNT", "1", "STREAMS", "a", "b", "c", "0", "0", "$"] },
        { ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "10", "STREAMS", "a", "b", ">", "0"] },
        { ["XACK", "s", "g", "1-1"] },
        { ["XPENDING", "s", "g", "IDLE", "10", "-", "+", "5", "c"] },
        { ["XCLAIM", "s", "g", "c", "10", "1-1", "JUSTID"] },
        { ["XAUTOCLAIM", "s", "g", "c", "10", "0-0", "COUNT", "5"] },
        { ["PFADD", "h", "a"] },
        { ["PFCOUNT", "a", "b"] },
        { ["PFMERGE", "dst", "a", "b"] },
        { ["PFDEBUG", "ENCODING", "h"] },
        { ["SLOWLOG", "LEN"] },
        { ["LATENCY", "LATEST"] },
        { ["DEBUG", "SLEEP", "0"] },
        { ["WAIT", "0", "0"] },
        { ["SPUBLISH", "ch", "m"] },
        { ["SSUBSCRIBE", "a", "b"] },
        { ["SUNSUBSCRIBE", "a", "b"] },
        { ["PUBLISH", "ch", "m"] },
        { ["PUBSUB", "SHARDNUMSUB", "a"] },
        { ["PSYNC", "?", "-1"] },
        { ["REPLCONF", "listening-port", "1"] },
        { ["MIGRATE", "h", "1", "k", "0", "5", "COPY"] },
        { ["MIGRATE", "h", "1", "", "0", "5", "AUTH2", "u", "p", "KEYS", "a", "b"] },
        { ["RESTORE-ASKING", "k", "0", "payload"] },
        { ["PING", "x"] },
        { ["AUTH", "password"] },
    };

    // COMMAND INFO of every command is compared byte for byte in CommandDocsDifferentialTests.
    [Theory]
    [MemberData(nameof(RedisDescribed))]
    public async Task GETKEYS_agrees_with_redis_for(string[] command)
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Epoll);
        await using var redis = await RealRedis.StartAsync();
        using var ours = new RespClient(await loop.ConnectAsync());
        using var theirs = await redis.ConnectAsync();
        Assert.Equal(await theirs.CallAsync(["COMMAND", "GETKEYS", .. command]), await ours.CallAsync(["COMMAND", "GETKEYS", .. command]));
    }

    private static readonly string[][] GeoKeyCommands =
    [
        ["GEORADIUS", "src", "0", "0", "1", "km", "STOREDIST", "a", "store", "b"],
        ["GEORADIUS", "src", "0", "0", "1", "km", "STORE", "a", "STORE", "b"],
        ["GEORADIUS", "src", "0", "0", "1", "STORE", "a"],
        ["GEORADIUSBYMEMBER", "src", "m", "1", "km", "COUNT", "2", "STORE", "dst"],
        ["GEOSEARCHSTORE", "dst", "src", "FROMMEMBER", "m", "BYBOX", "1", "1", "km"],
        ["GEORADIUS_RO", "src", "0", "0", "1", "km"],
    ];

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task GETKEYS_finds_the_keys_of(string[] command, string[] keys)
    {
        await using var redis = await InProcessRedis.StartAsync(Backend.Epoll);
        using var client = await redis.ConnectAsync();
        var expected = $"*{keys.Length}\r\n" + string.Concat(keys.Select(k => $"${k.Length}\r\n{k}\r\n"));
        Assert.Equal(expected, await client.CommandAsync(["COMMAND", "GETKEYS", .. command]));
    }

    [Fact]
    public async Task Geo_commands_keys_are_found_as_redis_finds_them()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Epoll);
        await using var redis = await RealRedis.StartAsync();
        using var ours = new RespClient(await loop.ConnectAsync());
        using var theirs = await redis.ConnectAsync();
        foreach (var command in GeoKeyCommands)
        {
            string[] getKeys = ["COMMAND", "GETKEYS", .. command];
            Assert.Equal(await theirs.Socket.CommandAsync(getKeys), await ours.Socket.CommandAsync(getKeys));
        }
    }

    [Fact]
    public Task GETKEYS_refuses_what_redis_refuses_in_its_words() => SameAsRealRedis.RepliesAsync(
    [
        ["COMMAND", "GETKEYS"], ["COMMAND", "GETKEYS", "GET"], ["COMMAND", "GETKEYS", "PING"], ["COMMAND", "GETKEYS", "PING", "x"],
        ["COMMAND", "GETKEYS", "NOPE", "k"], ["COMMAND", "GETKEYS", "SET", "k"], ["COMMAND", "GETKEYS", "GET", "k"],
    ]);
}
