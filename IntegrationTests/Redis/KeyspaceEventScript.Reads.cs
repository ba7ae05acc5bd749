namespace Loop.IntegrationTests.Redis;

/// <summary>
/// The read commands of every family, each looking its keys up as Redis's lookupKeyRead does (a miss publishes
/// <c>keymiss</c>), or not (OBJECT, KEYS, SCAN, MEMORY USAGE), with some of the reads that write (GETDEL, GETEX, SET GET,
/// COPY, BITOP, PFMERGE, the STORE forms). Their keys: the script's, which come and go, <see cref="Never"/>, which never
/// exist, and <see cref="Expired"/>, a string stored with a deadline already past, which the next lookup expires.
/// </summary>
internal sealed partial class KeyspaceEventScript
{
    // Read, never written: no command of the script stores them.
    private static readonly string[] Never = ["m0", "m1"];
    private const string Expired = "e0";
    private static readonly string[] ReadKeys = [.. AnyKey, .. Never, Expired];

    /// <summary>Reads whose reply is in an order the servers may differ in (hash tables, encodings, DUMP's bytes): compared by their notifications only.</summary>
    private static bool UnorderedRead(string[] command) => command[0] is "SMEMBERS" or "SINTER" or "SUNION" or "SDIFF" or "SSCAN" or "HSCAN"
        or "ZSCAN" or "KEYS" or "SCAN" or "DUMP" or "MEMORY" or "OBJECT" or "SRANDMEMBER" or "HRANDFIELD" or "ZRANDMEMBER" or "XINFO";

    private string Key() => Pick(ReadKeys);

    private string[] Read() => random.Next(12) switch
    {
        0 => ["SET", Expired, Member(), "PXAT", "1"],
        1 => StringRead(),
        2 => BitRead(),
        3 => ListRead(),
        4 => HashRead(),
        5 => SetRead(),
        6 => SortedSetRead(),
        7 => GeoRead(),
        8 => StreamRead(),
        9 => LogRead(),
        10 => SortRead(),
        _ => GenericRead(),
    };

    private string[] StringRead() => random.Next(13) switch
    {
        0 => ["GET", Key()],
        1 => ["MGET", Key(), Key(), Key()],
        2 => ["STRLEN", Key()],
        3 => [Pick(["GETRANGE", "SUBSTR"]), Key(), "0", random.Next(-2, 3).ToString()],
        4 => ["GETRANGE", Key(), "x", "1"], // refused before the lookup
        5 => ["GETDEL", Pick([.. Strings, .. Never, Expired])],
        6 => ["GETEX", Key(), .. random.Next(2) == 0 ? Pick(GetExOptions) : Array.Empty<string>()],
        7 => ["GETSET", Pick([.. Strings, Expired]), Member()],
        8 => ["SET", Pick([.. Strings, Expired]), Member(), Pick(["NX", "XX"]), "GET"],
        9 => ["SET", Pick(Strings), Member(), "GET"],
        10 => ["SET", Pick([.. Strings, Expired]), Member(), "XX"], // a write's lookup: no keymiss
        11 => ["LCS", Key(), Key()],
        _ => ["APPEND", Pick([.. Strings, Expired]), Member()],
    };

    private string[] BitRead() => random.Next(8) switch
    {
        0 => ["GETBIT", Key(), random.Next(20).ToString()],
        1 => ["BITCOUNT", Key(), .. random.Next(2) == 0 ? ["0", "-1"] : Array.Empty<string>()],
        2 => ["BITCOUNT", Key(), "0", "x"], // Redis looks the key up first: a missing key counts 0
        3 => ["BITPOS", Key(), random.Next(2).ToString()],
        4 => [Pick(["BITFIELD", "BITFIELD_RO"]), Key(), "GET", "u8", random.Next(16).ToString()],
        5 => ["BITFIELD", Pick([.. Strings, Expired]), "INCRBY", "u8", "0", "1"], // a write's lookup
        6 => ["BITOP", Pick(["AND", "OR"]), Pick(Strings), Key(), Key()],
        _ => ["BITOP", "NOT", Pick(Strings), Key()],
    };

    private string[] ListRead() => random.Next(6) switch
    {
        0 => ["LLEN", Key()],
        1 => ["LRANGE", Key(), "0", random.Next(-1, 3).ToString()],
        2 => ["LINDEX", Key(), random.Next(-2, 3).ToString()],
        3 => ["LINDEX", Key(), "x"], // looked up before the index is read
        4 => ["LPOS", Key(), Member(), .. random.Next(2) == 0 ? ["RANK", "-1"] : Array.Empty<string>()],
        _ => [Pick(["LPOP", "RPOP", "LPUSHX"]), Key(), .. random.Next(2) == 0 ? ["1"] : Array.Empty<string>()],
    };

    private string[] HashRead() => random.Next(9) switch
    {
        0 => ["HGET", Key(), Member()],
        1 => ["HMGET", Key(), Member(), Member()],
        2 => [Pick(["HLEN", "HKEYS", "HVALS", "HGETALL"]), Key()],
        3 => [Pick(["HSTRLEN", "HEXISTS"]), Key(), Member()],
        4 => ["HSCAN", Key(), "0"],
        5 => ["HRANDFIELD", Key(), .. random.Next(2) == 0 ? ["-2"] : Array.Empty<string>()],
        6 => ["HRANDFIELD", Key(), "x"], // refused before the lookup
        7 => ["HDEL", Key(), Member()],
        _ => ["HINCRBY", Pick([.. Hashes, Expired]), Member(), "1"],
    };

    private string[] SetRead() => random.Next(9) switch
    {
        0 => [Pick(["SCARD", "SMEMBERS"]), Key()],
        1 => ["SISMEMBER", Key(), Member()],
        2 => ["SMISMEMBER", Key(), Member(), Member()],
        3 => ["SRANDMEMBER", Key(), .. random.Next(2) == 0 ? ["-3"] : Array.Empty<string>()],
        4 => ["SSCAN", Key(), "0"],
        5 => [Pick(["SINTER", "SUNION", "SDIFF"]), Key(), Key(), Key()],
        6 => ["SINTERCARD", "2", Key(), Key(), .. random.Next(2) == 0 ? ["LIMIT", "1"] : Array.Empty<string>()],
        7 => [Pick(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), Pick(Sets), Key(), Key()],
        _ => ["SMOVE", Key(), Pick(Sets), Member()],
    };

    private string[] SortedSetRead() => random.Next(14) switch
    {
        0 => ["ZCARD", Key()],
        1 => [Pick(["ZSCORE", "ZRANK", "ZREVRANK"]), Key(), Member()],
        2 => ["ZMSCORE", Key(), Member(), Member()],
        3 => ["ZCOUNT", Key(), Number(), Number()],
        4 => ["ZCOUNT", Key(), "x", "1"], // refused before the lookup
        5 => ["ZLEXCOUNT", Key(), "-", "+"],
        6 => [Pick(["ZRANGE", "ZREVRANGE"]), Key(), "0", random.Next(-1, 3).ToString(), .. random.Next(2) == 0 ? ["WITHSCORES"] : Array.Empty<string>()],
        7 => [Pick(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]), Key(), Pick(["-inf", "+inf"]), Pick(["-inf", "+inf"])],
        8 => ["ZRANGEBYLEX", Key(), "-", "+"],
        9 => ["ZSCAN", Key(), "0"],
        10 => ["ZRANDMEMBER", Key(), .. random.Next(2) == 0 ? ["-2"] : Array.Empty<string>()],
        11 => [Pick(["ZINTER", "ZUNION", "ZDIFF"]), "2", Key(), Key(), "WITHSCORES"],
        12 => ["ZINTERCARD", "2", Key(), Key()],
        _ => random.Next(2) == 0
            ? ["ZRANGESTORE", Pick(SortedSets), Key(), "0", "-1"]
            : [Pick(["ZUNIONSTORE", "ZINTERSTORE"]), Pick(SortedSets), "2", Key(), Key(), .. random.Next(3) == 0 ? ["WEIGHTS", "1", "x"] : Array.Empty<string>()],
    };

    private string[] GeoRead() => random.Next(6) switch
    {
        0 => [Pick(["GEOPOS", "GEOHASH"]), Key(), Member(), Member()],
        1 => ["GEODIST", Key(), Member(), Member(), .. random.Next(2) == 0 ? ["km"] : Array.Empty<string>()],
        2 => ["GEORADIUS_RO", Key(), "13.3", "38.1", "500", "km", "ASC"],
        3 => ["GEORADIUSBYMEMBER_RO", Key(), Member(), "500", "km", "ASC"],
        4 => ["GEOSEARCH", Key(), "FROMLONLAT", "13.3", "38.1", "BYBOX", "900", "900", "km", "ASC", "WITHDIST"],
        _ => ["GEORADIUS", Key(), "13.3", "38.1", "x", "km"], // looked up before the radius is read
    };

    private string[] StreamRead() => random.Next(10) switch
    {
        0 => ["XLEN", Key()],
        1 => [Pick(["XRANGE", "XREVRANGE"]), Key(), .. (random.Next(2) == 0 ? ["-", "+"] : new[] { "+", "-" })],
        2 => ["XREAD", "COUNT", "2", "STREAMS", Key(), Key(), "0", "0"],
        3 => ["XREAD", "STREAMS", Key(), "$"],
        4 => ["XREADGROUP", "GROUP", "g1", "c1", "COUNT", "1", "STREAMS", Key(), Key(), ">", "0"],
        5 => ["XINFO", Pick(["STREAM", "GROUPS"]), Key()],
        6 => ["XPENDING", Key(), "g1"],
        7 => ["XACK", Key(), "g1", "1-1"],
        8 => ["XCLAIM", Key(), "g1", "c1", "0", "1-1", "JUSTID"],
        _ => ["XAUTOCLAIM", Key(), "g1", "c2", "0", "0", "COUNT", "1", "JUSTID"],
    };

    private string[] LogRead() => random.Next(3) switch
    {
        0 => ["PFCOUNT", Key()],
        1 => ["PFCOUNT", Key(), Key()],
        _ => ["PFMERGE", Pick(Logs), Key()],
    };

    // BY and GET look a key up per element: the strings and hashes the members name (s0..., h0...).
    private string[] SortRead() => random.Next(4) switch
    {
        0 => [Pick(["SORT", "SORT_RO"]), Key(), "ALPHA"],
        1 => [Pick(["SORT", "SORT_RO"]), Pick(Lists), "BY", "nosort", "GET", "#", "GET", "s*", "GET", "h*->a"],
        2 => ["SORT", Pick(Lists), "BY", "h*->b", "ALPHA", "GET", "s*"],
        _ => ["SORT", Key(), "BY", "nosort", "STORE", Pick(Lists)],
    };

    private string[] GenericRead() => random.Next(12) switch
    {
        0 => ["EXISTS", Key(), Key(), Key()],
        1 => ["TOUCH", Key(), Key()],
        2 => ["TYPE", Key()],
        3 => [Pick(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]), Key()],
        4 => ["OBJECT", Pick(["ENCODING", "REFCOUNT"]), Key()],
        5 => ["DUMP", Key()],
        6 => ["COPY", Key(), "c0", "DB", "1", "REPLACE"],
        7 => random.Next(2) == 0 ? ["KEYS", "*"] : ["SCAN", "0", "COUNT", "1000"],
        8 => ["MEMORY", "USAGE", Key()],
        9 => ["MIGRATE", "127.0.0.1", "1", "", "0", "10", "KEYS", .. Never], // NOKEY: none ever exists
        10 => ["EVAL", "return redis.call('exists', KEYS[1]) + redis.call('exists', KEYS[2])", "2", Key(), Key()],
        _ => random.Next(2) == 0 ? ["EXPIRE", Key(), "1000"] : ["PERSIST", Key()], // writes' lookups
    };
}
