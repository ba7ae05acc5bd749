namespace Loop.Samples.Redis.Server;

/// <summary>
/// INFO commandstats, errorstats and latencystats as one loop counts them: arrays indexed by the command's id (given at
/// registration), written only by the loop's thread, so a command costs a few increments and no shared cache line;
/// <see cref="RedisServer.CommandStatisticsTotal"/> sums the loops when asked. Error replies are counted by their
/// first word, as Redis's afterErrorReply counts them.
/// </summary>
internal sealed class CommandStatistics
{
    public readonly long[] Calls;
    public readonly long[] Micros;
    public readonly long[] RejectedCalls;
    public readonly long[] FailedCalls;

    /// <summary>Each command's durations, made on its first call (as Redis makes its histograms).</summary>
    public readonly LatencyHistogram?[] Latencies;

    /// <summary>Error replies by prefix (errorstat_ERR); only its loop writes it, INFO reads it under <see cref="ErrorsGate"/>.</summary>
    public readonly Dictionary<string, long> Errors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _errorsBySpan;

    public long ErrorReplies;

    public CommandStatistics(int commands)
    {
        Calls = new long[commands];
        Micros = new long[commands];
        RejectedCalls = new long[commands];
        FailedCalls = new long[commands];
        Latencies = new LatencyHistogram?[commands];
        _errorsBySpan = Errors.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public object ErrorsGate => Errors;

    public void Record(int command, long micros, bool failed)
    {
        Calls[command]++;
        Micros[command] += micros;
        if (failed) { FailedCalls[command]++; }
        (Latencies[command] ??= new LatencyHistogram()).Record(micros);
    }

    /// <summary>An error reply: counted under its first word when a space ends it within 32 characters, else under ERR.</summary>
    public void CountError(string message)
    {
        ErrorReplies++;
        var space = message.AsSpan(0, Math.Min(message.Length, 32)).IndexOf(' ');
        var prefix = space < 0 ? "ERR" : message.AsSpan(0, space);
        lock (ErrorsGate)
        {
            _errorsBySpan.TryGetValue(prefix, out var count);
            _errorsBySpan[prefix] = count + 1;
        }
    }

    /// <summary>CONFIG RESETSTAT, from any loop: a count racing with it may keep an increment or lose one.</summary>
    public void Reset()
    {
        Array.Clear(Calls);
        Array.Clear(Micros);
        Array.Clear(RejectedCalls);
        Array.Clear(FailedCalls);
        Array.Clear(Latencies);
        ErrorReplies = 0;
        lock (ErrorsGate) { Errors.Clear(); }
    }

    /// <summary>Adds another loop's counts into these (summing for INFO).</summary>
    public void Add(CommandStatistics other)
    {
        for (var i = 0; i < Calls.Length; i++)
        {
            Calls[i] += other.Calls[i];
            Micros[i] += other.Micros[i];
            RejectedCalls[i] += other.RejectedCalls[i];
            FailedCalls[i] += other.FailedCalls[i];
            if (other.Latencies[i] is { } latency) { (Latencies[i] ??= new LatencyHistogram()).Add(latency); }
        }
        ErrorReplies += other.ErrorReplies;
        lock (other.ErrorsGate)
        {
            foreach (var (prefix, count) in other.Errors) { Errors[prefix] = Errors.GetValueOrDefault(prefix) + count; }
        }
    }
}
