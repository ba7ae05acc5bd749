using System.Text;

namespace Loop.Benchmarks.Soak;

/// <summary>The clients of a soak against the HTTP sample.</summary>
internal static class HttpSoak
{
    private const string Plaintext = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n";

    // Requests RFC 9112 does not allow, or over the sample's limits: each is answered 4xx and closed, or waited on.
    private static readonly byte[][] BadRequests =
    [
        Ascii("GARBAGE\r\n\r\n"),
        Ascii("GET /plaintext\r\n\r\n"),
        Ascii("GET /plaintext HTTP/1.1\r\n\r\n"),                                    // no Host
        Ascii("GET /plaintext HTTP/7.0\r\nHost: x\r\n\r\n"),
        Ascii("GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n"),
        Ascii("GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n"),
        Ascii("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        Ascii("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
        Ascii("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"),
        Ascii("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
        Ascii("GET / HTTP/1.1\nHost: x\n\n"),                                        // bare LF
        Ascii("GET / HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n b\r\n\r\n"),               // obs-fold
        Ascii("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"),
        Ascii("GET /" + new string('a', 16 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n"), // request line over 8 KiB
        Ascii("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('a', 64 * 1024) + "\r\n\r\n"), // header block over 32 KiB
        Ascii("GET / HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"X-{i}: v\r\n")) + "\r\n"),
    ];

    private static readonly byte[] SlowRequest =
        Ascii("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"X-Slow-{i}: {i}\r\n")) + "\r\n");

    private static readonly byte[] NeverReadRequests = Ascii(string.Concat(Enumerable.Repeat(Plaintext, 50_000)));

    public static SoakPlan Plan(SoakRun run, LegitTally tally) => new(
        Setup: null,
        Clients:
        [
            new("GET /plaintext, /json, pipelined ×16 (keep-alive)", Role.Legitimate, SoakPlan.LegitClients, k => new HttpLegitClient(run, k, tally).RunAsync()),
            new("random bytes", Role.Malformed, 1, k => Abuse.SendAndDrainAsync(run, k, Abuse.RandomBytes)),
            new("bad requests", Role.Malformed, 1, k => Abuse.SendAndDrainAsync(run, k, round => BadRequests[round % BadRequests.Length])),
            new("slowloris (a byte per 100 ms)", Role.Abusive, SoakPlan.SlowlorisConnections, k => Abuse.SlowlorisAsync(run, k, SlowRequest)),
            new("connection churn", Role.Abusive, 1, k => Abuse.ChurnAsync(run, k, Ascii(Plaintext))),
            new("50000 pipelined requests, never read", Role.Abusive, 2, k => Abuse.NeverReadsAsync(run, k, NeverReadRequests)),
            new("large body declared, part sent, closed", Role.Abusive, 1, k => Abuse.SendAndDrainAsync(run, k, PartialBody)),
            new("idle", Role.Abusive, SoakPlan.IdleConnections, k => Abuse.IdleAsync(run, k)),
        ],
        FinalCheck: new("final check, after the abuse", Role.Legitimate, 1, k => new HttpLegitClient(run, k, tally).RunOnceAsync()));

    // Content-Length 100000000 (over the 1 MiB body limit) with 256 KiB of it, or 1000000 (under it) with half of it.
    private static byte[] PartialBody(int round)
    {
        var (declared, sent) = round % 2 == 0 ? (100_000_000, 256 * 1024) : (1_000_000, 500_000);
        return [.. Ascii($"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: {declared}\r\n\r\n"), .. new byte[sent]];
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
