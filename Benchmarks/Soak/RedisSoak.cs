using System.Text;

namespace Loop.Benchmarks.Soak;

/// <summary>The clients of a soak against the Redis sample.</summary>
internal static class RedisSoak
{
    private const int BulkTrickleChunks = 40;

    // Framing a RESP parser must refuse (or wait on, for the unterminated ones) without harm.
    private static readonly byte[][] BadFraming =
    [
        Ascii("*abc\r\n"),
        Ascii("$-5\r\n"),
        Ascii("*+1\r\n"),
        Ascii("*1\r\n$5\r\nab"),                          // unterminated bulk
        Ascii("*2\r\n$3\r\nGET\r\n$3\r\nkeyx\r\n"),       // bulk longer than declared
        Ascii("*1\r\n:5\r\n"),                            // an integer where a bulk must be
        Ascii("*99999999999999999999\r\n"),               // count overflows
        Ascii("*2000000\r\n"),                            // more arguments than Redis allows
        Ascii("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$-1\r\n"),   // null bulk as an argument
        [0, 1, 0xff, 0xfe, (byte)'\r', (byte)'\n'],       // binary inline command
        Ascii("PING " + new string('a', 100 * 1024)),     // inline line over the 64 KiB limit, unterminated
    ];

    private static readonly byte[] SlowSet = Ascii("*3\r\n$3\r\nSET\r\n$9\r\nsoak:slow\r\n$1000\r\n" + new string('s', 1000) + "\r\n");

    private static readonly byte[] NeverReadLranges = [.. Enumerable.Repeat(Resp.Array("LRANGE", RedisBigList.Key, "0", "-1"), 16).SelectMany(c => c)];

    private static readonly byte[] Pings = [.. Enumerable.Repeat(Resp.Array("PING"), 64 * 1024 / 14).SelectMany(c => c)];

    public static SoakPlan Plan(SoakRun run, LegitTally tally) => new(
        Setup: new("setup: a 4 MiB list", Role.Legitimate, 1, k => new RedisBigList(run, k, tally).RunOnceAsync()),
        Clients:
        [
            new("SET, GET, INCR, LPUSH+LRANGE, pipelined batches", Role.Legitimate, SoakPlan.LegitClients, k => new RedisLegitClient(run, k, tally).RunAsync()),
            new("random bytes", Role.Malformed, 1, k => Abuse.SendAndDrainAsync(run, k, Abuse.RandomBytes)),
            new("bad RESP framing", Role.Malformed, 1, k => Abuse.SendAndDrainAsync(run, k, round => BadFraming[round % BadFraming.Length])),
            new("slowloris (a byte per 100 ms)", Role.Abusive, SoakPlan.SlowlorisConnections, k => Abuse.SlowlorisAsync(run, k, SlowSet)),
            new("connection churn", Role.Abusive, 1, k => Abuse.ChurnAsync(run, k, Resp.Array("PING"))),
            new("16 × LRANGE of 4 MiB, never read", Role.Abusive, 2, k => Abuse.NeverReadsAsync(run, k, NeverReadLranges)),
            new("large bulk declared, part sent, closed", Role.Abusive, 1, k => Abuse.SendAndDrainAsync(run, k, PartialBulk)),
            new("BLPOP nokey 0, then streams PINGs", Role.Abusive, 1, k => Abuse.TrickleAsync(run, k, 1 + BulkTrickleChunks,
                TimeSpan.FromMilliseconds(50), i => i == 0 ? Resp.Array("BLPOP", "soak:nokey", "0") : Pings)),
            new("idle", Role.Abusive, SoakPlan.IdleConnections, k => Abuse.IdleAsync(run, k)),
        ],
        FinalCheck: new("final check, after the abuse", Role.Legitimate, 1, k => new RedisLegitClient(run, k, tally).RunOnceAsync()));

    // $100000000 (over any sane limit) with 256 KiB of it, or $1000000 (under the soak's 1 MiB limit) with half of it.
    private static byte[] PartialBulk(int round)
    {
        var (declared, sent) = round % 2 == 0 ? (100_000_000, 256 * 1024) : (1_000_000, 500_000);
        return [.. Ascii($"*3\r\n$3\r\nSET\r\n$9\r\nsoak:huge\r\n${declared}\r\n"), .. new byte[sent]];
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
