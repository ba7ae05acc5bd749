using System.Numerics;

namespace Loop.Benchmarks.EchoLoad;

/// <summary>
/// Log-linear histogram of nanosecond latencies: 128 linear sub-buckets per power of two, so every
/// value is kept within 1% at a fixed 64 KiB, and recording is a shift and an increment.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;

    private readonly long[] _counts = new long[64 * SubBuckets];

    public long Count { get; private set; }

    public void Record(long nanoseconds)
    {
        _counts[Index(Math.Max(nanoseconds, 0))]++;
        Count++;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++) { _counts[i] += other._counts[i]; }
        Count += other.Count;
    }

    /// <summary>The smallest recorded value (to bucket precision) at or above the given fraction of all values.</summary>
    public long Percentile(double fraction)
    {
        var rank = Math.Max(1, (long)Math.Ceiling(fraction * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) { return LowestValue(i); }
        }
        return 0;
    }

    private static int Index(long value)
    {
        if (value < SubBuckets) { return (int)value; }
        var shift = 63 - BitOperations.LeadingZeroCount((ulong)value) - SubBucketBits;
        return ((shift + 1) << SubBucketBits) + (int)(value >> shift) - SubBuckets;
    }

    private static long LowestValue(int index)
    {
        if (index < SubBuckets) { return index; }
        var shift = (index >> SubBucketBits) - 1;
        return (long)((index & (SubBuckets - 1)) + SubBuckets) << shift;
    }
}
