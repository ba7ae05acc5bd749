using System.Collections.Concurrent;
using System.Diagnostics;

namespace Loop.Benchmarks.Soak;

/// <summary>Legitimate requests answered exactly as expected, those that were not, and what the first failures were.</summary>
internal sealed class LegitTally
{
    private const int FailuresKept = 10;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly ConcurrentQueue<string> _firstFailures = new();
    private long _ok;
    private long _failed;

    public long Ok => Interlocked.Read(ref _ok);
    public long Failed => Interlocked.Read(ref _failed);
    public IEnumerable<string> FirstFailures => _firstFailures;

    public void Succeeded() => Interlocked.Increment(ref _ok);

    public void Fail(string what)
    {
        if (Interlocked.Increment(ref _failed) <= FailuresKept)
        {
            _firstFailures.Enqueue($"at {Stopwatch.GetElapsedTime(_start).TotalSeconds:F1} s: {what}");
        }
    }
}
