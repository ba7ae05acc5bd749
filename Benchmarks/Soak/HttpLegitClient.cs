namespace Loop.Benchmarks.Soak;

/// <summary>
/// A legitimate HTTP client on one keep-alive connection: GET /plaintext, GET /json, and 16 of them pipelined, every
/// response's status and body checked, and the connection expected to stay open.
/// </summary>
internal sealed class HttpLegitClient(SoakRun run, ClientKind kind, LegitTally tally) : LegitClient(run, kind, tally)
{
    private const int PipelineDepth = 16;
    private static readonly byte[] Plaintext = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray();
    private static readonly byte[] Json = "GET /json HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray();
    private static readonly byte[] PlaintextBody = "Hello, World!"u8.ToArray();
    private static readonly byte[] JsonBody = """{"message":"Hello, World!"}"""u8.ToArray();

    protected override async Task RoundAsync(int round)
    {
        await SendAsync(Plaintext);
        await ExpectAsync("GET /plaintext", PlaintextBody);
        await SendAsync(Json);
        await ExpectAsync("GET /json", JsonBody);
        await SendAsync([.. Enumerable.Range(0, PipelineDepth).Select(i => i % 2 == 0 ? Plaintext : Json)]);
        for (var i = 0; i < PipelineDepth; i++)
        {
            await ExpectAsync(i % 2 == 0 ? $"pipelined GET /plaintext {i}" : $"pipelined GET /json {i}", i % 2 == 0 ? PlaintextBody : JsonBody);
        }
    }

    private async Task ExpectAsync(string request, byte[] body)
    {
        var reply = await ReadAsync(request, HttpReply.ReadAsync);
        if (reply.Status != 200 || !reply.Body.AsSpan().SequenceEqual(body) || reply.Closes)
        {
            var got = $"{reply.Status} {Printable(reply.Body)}{(reply.Closes ? " with Connection: close" : "")}";
            throw WrongReply($"200 {Printable(body)}", got);
        }
        Succeeded();
    }
}
