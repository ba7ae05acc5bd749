namespace Loop.IntegrationTests.Redis;

/// <summary>
/// Random write commands of every family that notifies, over a few keys per type, from a seeded generator: the same
/// seed, the same script. Replies must not depend on the clock or on chance (explicit stream IDs, TTLs far away or
/// already past, SPOP of whole sets), so both servers end each command in the same state. With
/// <paramref name="reads"/>, half the commands are reads of every family (KeyspaceEventScript.Reads.cs), of the keys
/// above, of keys that never exist, and of a string whose deadline has passed (the servers' active expiry off).
/// </summary>
internal sealed partial class KeyspaceEventScript(Random random, bool reads = false)
{
    private static readonly string[] Strings = ["s0", "s1", "s2"];
    private static readonly string[] Lists = ["l0", "l1", "l2"];
    private static readonly string[] Hashes = ["h0", "h1"];
    private static readonly string[] Sets = ["t0", "t1", "t2"];
    private static readonly string[] SortedSets = ["z0", "z1", "z2"];
    private static readonly string[] Streams = ["x0", "x1"];
    private static readonly string[] Logs = ["p0", "p1"];
    private static readonly string[] AnyKey = [.. Strings, .. Lists, .. Hashes, .. Sets, .. SortedSets, .. Streams, .. Logs];
    private static readonly string[] Members = ["a", "b", "c", "d", "7", "12"];

    // DUMP payloads of redis-server 7.0.15: the string "v" and the list [a, b].
    private static readonly string[] Payloads =
    [
        "\u0000\u0001v\u000a\u0000\u0091\u0008\u00ce\u00b2\u00198\u008a\u00ce",
        "\u0012\u0001\u0002\u000d\u000d\u0000\u0000\u0000\u0002\u0000\u0081a\u0002\u0081b\u0002\u00ff\u000a\u0000h\u00eb\u000a\u0089\u0013A\u00bb\u00b1",
    ];

    // A TTL far away or already past: none expires while the script runs.
    private static readonly string[][] GetExOptions = [["PERSIST"], ["EX", "1000"], ["PXAT", "1"]];
    // RESTORE's TTL, then its options: none, a deadline already past (nothing restored, the old value deleted), an idle time.
    private static readonly string[][] RestoreOptions = [["0"], ["0", "REPLACE"], ["1", "REPLACE", "ABSTTL"], ["0", "REPLACE", "IDLETIME", "5"]];

    private readonly Dictionary<string, long> _lastId = Streams.ToDictionary(key => key, _ => 0L);

    /// <summary>
    /// Commands whose reply depends on chance, or on an order or encoding the servers may differ in
    /// (docs/redis-compatibility.md): only their notifications are compared.
    /// </summary>
    public static bool RandomReply(string[] command) => command[0] is "SPOP" || UnorderedRead(command);

    /// <summary><paramref name="count"/> commands, now and then two of them in MULTI ... EXEC (they notify when EXEC runs them).</summary>
    public IEnumerable<string[]> Commands(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (random.Next(20) != 0) { yield return Next(); continue; }
            yield return ["MULTI"];
            yield return String();
            yield return List();
            yield return ["EXEC"];
        }
    }

    private string[] Next() => reads && random.Next(2) == 0 ? Read() : random.Next(9) switch
    {
        0 => String(),
        1 => List(),
        2 => Hash(),
        3 => Set(),
        4 => SortedSet(),
        5 => Stream(),
        6 => Bits(),
        _ => Generic(),
    };

    private T Pick<T>(T[] from) => from[random.Next(from.Length)];
    private string Member() => Pick(Members);
    private string Number() => random.Next(-3, 20).ToString();

    private string[] String() => random.Next(14) switch
    {
        0 => ["SET", Pick(Strings), Member()],
        1 => ["SET", Pick(Strings), Member(), Pick(["NX", "XX", "KEEPTTL", "GET"])],
        2 => ["SET", Pick(Strings), Member(), "EX", "1000"],
        3 => ["SETNX", Pick(Strings), Member()],
        4 => ["SETEX", Pick(Strings), "1000", Member()],
        5 => ["GETSET", Pick(Strings), Member()],
        6 => ["GETDEL", Pick(Strings)],
        7 => ["GETEX", Pick(Strings), .. Pick(GetExOptions)],
        8 => ["MSET", Pick(Strings), Member(), Pick(Strings), Member()],
        9 => ["MSETNX", Pick(Strings), Member(), Pick(Strings), Member()],
        10 => [Pick(["INCR", "DECR"]), Pick(Strings)],
        11 => [Pick(["INCRBY", "DECRBY", "INCRBYFLOAT"]), Pick(Strings), Number()],
        12 => ["APPEND", Pick(Strings), Member()],
        _ => ["SETRANGE", Pick(Strings), random.Next(4).ToString(), random.Next(3) == 0 ? "" : Member()],
    };

    private string[] Generic() => random.Next(15) switch
    {
        12 => Restore(Pick(RestoreOptions)),
        13 => random.Next(10) == 0 ? ["FLUSHDB"] : ["SWAPDB", "0", "1"],
        14 => ["XCLAIM", Pick(Streams), "g1", Pick(["c1", "c6"]), "0", $"{random.Next(1, 6)}-1", "FORCE", "JUSTID"],
        0 => ["DEL", Pick(AnyKey), Pick(AnyKey)],
        1 => ["UNLINK", Pick(AnyKey)],
        2 => [Pick(["EXPIRE", "PEXPIRE"]), Pick(AnyKey), random.Next(4) == 0 ? "-1" : "100000000", .. random.Next(3) == 0 ? [Pick(["NX", "XX", "GT", "LT"])] : Array.Empty<string>()],
        3 => ["EXPIREAT", Pick(AnyKey), random.Next(3) == 0 ? "1" : "4000000000"],
        4 => ["PERSIST", Pick(AnyKey)],
        5 => [Pick(["RENAME", "RENAMENX"]), Pick(AnyKey), Pick(AnyKey)],
        6 => ["MOVE", Pick(AnyKey), "1"],
        7 => ["COPY", Pick(AnyKey), Pick(AnyKey), .. random.Next(2) == 0 ? ["REPLACE"] : Array.Empty<string>()],
        8 => ["COPY", Pick(AnyKey), Pick(AnyKey), "DB", "1", "REPLACE"],
        9 => ["SORT", Pick(Lists), "ALPHA", "STORE", Pick(Lists)],
        10 => ["PFADD", Pick(Logs), Member(), Member()],
        _ => ["PFMERGE", Pick(Logs), Pick(Logs)],
    };

    private string[] Restore(string[] options) => ["RESTORE", Pick(AnyKey), options[0], Pick(Payloads), .. options[1..]];

    private string[] List() => random.Next(13) switch
    {
        0 or 1 => [Pick(["LPUSH", "RPUSH"]), Pick(Lists), Member(), Member()],
        2 => [Pick(["LPUSHX", "RPUSHX"]), Pick(Lists), Member()],
        3 => [Pick(["LPOP", "RPOP"]), Pick(Lists), .. random.Next(2) == 0 ? [random.Next(3).ToString()] : Array.Empty<string>()],
        4 => ["LSET", Pick(Lists), random.Next(-2, 3).ToString(), Member()],
        5 => ["LREM", Pick(Lists), random.Next(-1, 2).ToString(), Member()],
        6 => ["LTRIM", Pick(Lists), random.Next(-1, 2).ToString(), random.Next(-2, 3).ToString()],
        7 => ["LINSERT", Pick(Lists), Pick(["BEFORE", "AFTER"]), Member(), Member()],
        8 => ["LMOVE", Pick(Lists), Pick(Lists), Pick(["LEFT", "RIGHT"]), Pick(["LEFT", "RIGHT"])],
        9 => ["RPOPLPUSH", Pick(Lists), Pick(Lists)],
        10 => ["LMPOP", "2", Pick(Lists), Pick(Lists), Pick(["LEFT", "RIGHT"]), "COUNT", "2"],
        11 => [Pick(["BLPOP", "BRPOP"]), Pick(Lists), Pick(Lists), "0.01"],
        _ => ["BLMOVE", Pick(Lists), Pick(Lists), "LEFT", "RIGHT", "0.01"],
    };

    private string[] Hash() => random.Next(6) switch
    {
        0 or 1 => [Pick(["HSET", "HMSET"]), Pick(Hashes), Member(), Member(), Member(), Member()],
        2 => ["HSETNX", Pick(Hashes), Member(), Member()],
        3 => ["HDEL", Pick(Hashes), Member(), Member()],
        4 => ["HINCRBY", Pick(Hashes), Member(), Number()],
        _ => ["HINCRBYFLOAT", Pick(Hashes), Member(), Number()],
    };

    private string[] Set() => random.Next(7) switch
    {
        0 or 1 => ["SADD", Pick(Sets), Member(), Member()],
        2 => ["SREM", Pick(Sets), Member(), Member()],
        3 => random.Next(2) == 0 ? ["SPOP", Pick(Sets), "100"] : ["SPOP", Pick(Sets), "0"],
        4 => ["SMOVE", Pick(Sets), Pick(Sets), Member()],
        5 => [Pick(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), Pick(Sets), Pick(Sets), Pick(Sets)],
        _ => ["SCARD", Pick(Sets)],
    };

    private string[] SortedSet() => random.Next(11) switch
    {
        0 or 1 => ["ZADD", Pick(SortedSets), .. random.Next(3) == 0 ? [Pick(["NX", "XX", "GT", "LT", "CH"])] : Array.Empty<string>(), Number(), Member(), Number(), Member()],
        2 => ["ZINCRBY", Pick(SortedSets), Number(), Member()],
        3 => ["ZREM", Pick(SortedSets), Member(), Member()],
        4 => [Pick(["ZPOPMIN", "ZPOPMAX"]), Pick(SortedSets), .. random.Next(2) == 0 ? [random.Next(3).ToString()] : Array.Empty<string>()],
        5 => ["ZREMRANGEBYRANK", Pick(SortedSets), "0", random.Next(-1, 2).ToString()],
        6 => ["ZREMRANGEBYSCORE", Pick(SortedSets), Number(), Number()],
        7 => ["ZREMRANGEBYLEX", Pick(SortedSets), "-", "+"], // all: a lex range over mixed scores is unspecified
        8 => [Pick(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]), Pick(SortedSets), "2", Pick(SortedSets), Pick(SortedSets)],
        9 => ["ZRANGESTORE", Pick(SortedSets), Pick(SortedSets), "0", random.Next(-1, 2).ToString()],
        _ => ["ZMPOP", "2", Pick(SortedSets), Pick(SortedSets), Pick(["MIN", "MAX"])],
    };

    private string[] Stream()
    {
        var key = Pick(Streams);
        switch (random.Next(11))
        {
            case 0 or 1 or 2:
                var id = ++_lastId[key];
                return random.Next(3) == 0 ? ["XADD", key, "MAXLEN", "2", $"{id}-1", "f", Member()] : ["XADD", key, $"{id}-1", "f", Member()];
            case 3: return ["XDEL", key, $"{random.Next(1, (int)_lastId[key] + 2)}-1"];
            case 4: return ["XTRIM", key, "MAXLEN", random.Next(3).ToString()];
            case 5:
                _lastId[key] += 5;
                return ["XSETID", key, $"{_lastId[key]}-1"];
            case 6: return ["XGROUP", "CREATE", key, Pick(["g1", "g2"]), "0", "MKSTREAM"];
            case 7: return ["XGROUP", Pick(["CREATECONSUMER", "DELCONSUMER"]), key, "g1", Pick(["c1", "c2"])];
            case 8: return random.Next(2) == 0 ? ["XGROUP", "DESTROY", key, "g2"] : ["XGROUP", "SETID", key, "g1", "0"];
            case 9: return ["XREADGROUP", "GROUP", "g1", Pick(["c1", "c2", "c3"]), "COUNT", "1", "STREAMS", key, ">"];
            default: return ["XAUTOCLAIM", key, "g1", Pick(["c4", "c5"]), "0", "0", "COUNT", "1", "JUSTID"];
        }
    }

    private string[] Bits() => random.Next(6) switch
    {
        0 or 1 => ["SETBIT", Pick(Strings), random.Next(20).ToString(), random.Next(2).ToString()],
        2 => ["BITOP", Pick(["AND", "OR", "XOR"]), Pick(Strings), Pick(Strings), Pick(Strings)],
        3 => ["BITFIELD", Pick(Strings), "SET", "u8", random.Next(16).ToString(), random.Next(256).ToString()],
        4 => ["GEOADD", Pick(SortedSets), "13.36", "38.11", Member()],
        _ => random.Next(2) == 0
            ? ["GEOSEARCHSTORE", Pick(SortedSets), Pick(SortedSets), "FROMLONLAT", "13.3", "38.1", "BYRADIUS", "500", "km"]
            : ["GEORADIUS", Pick(SortedSets), "13.3", "38.1", "500", "km", "STORE", Pick(SortedSets)],
    };
}
