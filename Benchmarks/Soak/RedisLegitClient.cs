namespace Loop.Benchmarks.Soak;

/// <summary>
/// A legitimate Redis client on keys of its own: SET and GET, INCR, LPUSH and LRANGE, and a pipelined batch of 16
/// SETs and 16 GETs, every reply compared byte for byte with what Redis answers.
/// </summary>
internal sealed class RedisLegitClient(SoakRun run, ClientKind kind, LegitTally tally) : RespLegitClient(run, kind, tally)
{
    private const int PipelineDepth = 16;
    private const string Letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static int s_lastId;

    private readonly string _prefix = $"soak:legit:{Interlocked.Increment(ref s_lastId)}:";
    private readonly Random _random = new();
    private long _counter;

    // What a failed round left behind is unknown: start from commands whose replies do not depend on it.
    protected override async Task OnConnectedAsync()
    {
        await SendAsync(Resp.Array("SET", _prefix + "counter", "0"), Resp.Array("LTRIM", _prefix + "list", "1", "0"));
        await ExpectAsync("SET counter 0", Resp.Ok);
        await ExpectAsync("LTRIM list 1 0", Resp.Ok);
        _counter = 0;
    }

    protected override async Task RoundAsync(int round)
    {
        var key = _prefix + "string";
        var value = RandomValue();
        await SendAsync(Resp.Array("SET", key, value));
        await ExpectAsync("SET", Resp.Ok);
        await SendAsync(Resp.Array("GET", key));
        await ExpectAsync("GET", Resp.Bulk(value));
        await SendAsync(Resp.Array("INCR", _prefix + "counter"));
        await ExpectAsync("INCR", Resp.Integer(++_counter));

        var list = _prefix + "list";
        await SendAsync(Resp.Array("LPUSH", list, "a", "b", value));
        await ExpectAsync("LPUSH", Resp.Integer(3));
        await SendAsync(Resp.Array("LRANGE", list, "0", "-1"));
        await ExpectAsync("LRANGE", Resp.Array(value, "b", "a"));
        await SendAsync(Resp.Array("DEL", list));
        await ExpectAsync("DEL", Resp.Integer(1));

        var values = Enumerable.Range(0, PipelineDepth).Select(_ => RandomValue()).ToArray();
        await SendAsync([
            .. values.Select((v, i) => Resp.Array("SET", $"{_prefix}pipelined:{i}", v)),
            .. values.Select((_, i) => Resp.Array("GET", $"{_prefix}pipelined:{i}")),
        ]);
        for (var i = 0; i < PipelineDepth; i++) { await ExpectAsync($"pipelined SET {i}", Resp.Ok); }
        for (var i = 0; i < PipelineDepth; i++) { await ExpectAsync($"pipelined GET {i}", Resp.Bulk(values[i])); }
    }

    // 1 to 2000 bytes: small values and ones that span more than one segment of a pipelined batch.
    private string RandomValue() => new(_random.GetItems(Letters.AsSpan(), _random.Next(1, 2001)));
}
