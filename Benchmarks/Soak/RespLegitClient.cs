namespace Loop.Benchmarks.Soak;

/// <summary>A legitimate client of the Redis sample: every reply must be byte for byte the one Redis gives.</summary>
internal abstract class RespLegitClient(SoakRun run, ClientKind kind, LegitTally tally) : LegitClient(run, kind, tally)
{
    protected async Task ExpectAsync(string request, byte[] expected)
    {
        var reply = await ReadAsync(request, Resp.ReadReplyAsync);
        if (!reply.AsSpan().SequenceEqual(expected)) { throw WrongReply(Printable(expected), Printable(reply)); }
        Succeeded();
    }
}
