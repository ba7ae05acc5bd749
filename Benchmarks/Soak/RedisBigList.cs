namespace Loop.Benchmarks.Soak;

/// <summary>
/// Setup for the Redis abuse: a list of 4 MiB (2048 elements of 2 KiB) whose LRANGE is a large reply, written
/// with checked replies like any legitimate request.
/// </summary>
internal sealed class RedisBigList(SoakRun run, ClientKind kind, LegitTally tally) : RespLegitClient(run, kind, tally)
{
    public const string Key = "soak:big";
    private const int Batches = 32;
    private const int ElementsPerBatch = 64;
    private const int ElementBytes = 2048;

    protected override async Task RoundAsync(int round)
    {
        await SendAsync(Resp.Array("LTRIM", Key, "1", "0"));
        await ExpectAsync("LTRIM", Resp.Ok);
        string[] push = ["RPUSH", Key, .. Enumerable.Repeat(new string('x', ElementBytes), ElementsPerBatch)];
        for (var batch = 1; batch <= Batches; batch++)
        {
            await SendAsync(Resp.Array(push));
            await ExpectAsync("RPUSH", Resp.Integer(batch * ElementsPerBatch));
        }
    }
}
