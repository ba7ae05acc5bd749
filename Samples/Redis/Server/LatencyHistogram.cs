namespace Loop.Samples.Redis.Server;

/// <summary>
/// One command's durations on one loop (INFO latencystats, LATENCY HISTOGRAM), kept as Redis keeps them: each call's
/// whole microseconds as nanoseconds (at least 1, at most a second) in an HDR histogram of two significant digits over
/// 1 ns to 1 s, laid out as hdr_histogram lays it out (256 exact values, then 128 buckets per power of two), so every
/// figure read from it is Redis's.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketHalfCountMagnitude = 7; // 256 sub-buckets: two significant digits
    private const int SubBucketHalfCount = 1 << SubBucketHalfCountMagnitude;
    private const long SubBucketMask = 2 * SubBucketHalfCount - 1;
    private const long MinNanos = 1, MaxNanos = 1_000_000_000; // LATENCY_HISTOGRAM_MIN_VALUE and _MAX_VALUE
    private const int BucketCount = 23; // the buckets hdr_init gives 1 s

    private readonly long[] _counts = new long[(BucketCount + 1) * SubBucketHalfCount];

    public long Count { get; private set; }

    /// <summary>A call of <paramref name="micros"/> µs, as updateCommandLatencyHistogram records duration*1000.</summary>
    public void Record(long micros)
    {
        _counts[IndexOf(Math.Clamp(micros * 1000, MinNanos, MaxNanos))]++;
        Count++;
    }

    /// <summary>Adds another loop's counts (summing for INFO and LATENCY).</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++) { _counts[i] += other._counts[i]; }
        Count += other.Count;
    }

    /// <summary>hdr_value_at_percentile divided by 1000: the microseconds INFO latencystats prints.</summary>
    public double ValueAtPercentile(double percentile)
    {
        var wanted = Math.Max(1, (long)(Math.Min(percentile, 100) / 100 * Count + 0.5));
        long seen = 0, value = 0;
        for (var index = 0; index < _counts.Length; index++)
        {
            seen += _counts[index];
            if (seen >= wanted) { value = ValueAt(index); break; }
        }
        return (percentile == 0 ? LowestEquivalent(value) : HighestEquivalent(value)) / 1000.0;
    }

    /// <summary>
    /// LATENCY HISTOGRAM's histogram_usec (fillCommandCDF): hdr's logarithmic iteration from 1024 ns doubling, each step
    /// the microseconds its bucket reaches and how many calls took no longer, the steps that added none left out.
    /// </summary>
    public List<(long Micros, long Calls)> Cumulative()
    {
        var steps = new List<(long, long)>();
        long level = 1024, levelLowest = LowestEquivalent(level), value = 0, highest = 0, cumulative = 0, previous = 0;
        var index = -1;
        // log_iter_next: on while calls are left, or while the next bucket lies past the level (inside the counts).
        while (cumulative < Count || (index < _counts.Length && ValueAt(index + 1) > levelLowest))
        {
            while (value < levelLowest && ++index < _counts.Length)
            {
                cumulative += _counts[index];
                value = ValueAt(index);
                highest = HighestEquivalent(value);
            }
            if (value >= levelLowest) { levelLowest = LowestEquivalent(level *= 2); }
            if (cumulative > previous) { steps.Add((highest / 1000, cumulative)); }
            previous = cumulative;
        }
        return steps;
    }

    // hdr's get_bucket_index: bucket b holds values of 2^(b+7) to 2^(b+8) in steps of 2^b (bucket 0: 0 to 255, step 1).
    private static int BucketOf(long value) => 64 - (int)long.LeadingZeroCount(value | SubBucketMask) - (SubBucketHalfCountMagnitude + 1);

    private static int IndexOf(long value)
    {
        var bucket = BucketOf(value);
        return ((bucket + 1) << SubBucketHalfCountMagnitude) + (int)(value >> bucket) - SubBucketHalfCount;
    }

    // hdr_value_at_index, also for an index past the counts (the iteration peeks one ahead).
    private static long ValueAt(int index)
    {
        var bucket = (index >> SubBucketHalfCountMagnitude) - 1;
        var subBucket = (index & (SubBucketHalfCount - 1)) + SubBucketHalfCount;
        if (bucket < 0) { (bucket, subBucket) = (0, subBucket - SubBucketHalfCount); }
        return (long)subBucket << bucket;
    }

    private static long LowestEquivalent(long value)
    {
        var bucket = BucketOf(value);
        return value >> bucket << bucket;
    }

    private static long HighestEquivalent(long value)
    {
        var bucket = BucketOf(value);
        return ((value >> bucket) + 1 << bucket) - 1;
    }
}
