namespace Loop.Samples.Redis.Server;

/// <summary>
/// One command's durations on one loop, for INFO latencystats: whole microseconds (what call() measures) up to a
/// second, counted as an HDR histogram of two significant digits counts them: exact up to 255 µs, then 128 buckets
/// per power of two (within 0.8%). Redis keeps nanoseconds (its microseconds times 1000) in an HDR histogram of the
/// same precision; <see cref="ValueAtPercentile"/> answers in its units, so below 256 µs the figures are Redis's.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 8; // 256 sub-buckets: two significant digits
    private const int HalfCount = 1 << (SubBucketBits - 1);
    private const long MaxMicros = 1_000_000; // Redis's LATENCY_HISTOGRAM_MAX_VALUE, a second

    private readonly long[] _counts = new long[IndexOf(MaxMicros) + 1];

    public long Count { get; private set; }

    public void Record(long micros)
    {
        _counts[IndexOf(Math.Clamp(micros, 0, MaxMicros))]++;
        Count++;
    }

    /// <summary>Adds another loop's counts (summing for INFO).</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++) { _counts[i] += other._counts[i]; }
        Count += other.Count;
    }

    /// <summary>As hdr_value_at_percentile over Redis's histogram, divided by 1000: the microseconds INFO prints.</summary>
    public double ValueAtPercentile(double percentile)
    {
        var wanted = Math.Max(1, (long)(Math.Min(percentile, 100) / 100 * Count + 0.5));
        long seen = 0;
        var index = 0;
        for (; index < _counts.Length - 1; index++)
        {
            seen += _counts[index];
            if (seen >= wanted) { break; }
        }
        return HighestEquivalentNanos(Math.Max(1, HighestMicrosAt(index) * 1000)) / 1000.0;
    }

    // The HDR layout: bucket b holds values of 2^(b+7) to 2^(b+8) in steps of 2^b (bucket 0: 0 to 255, step 1).
    private static int BucketOf(long value) => 63 - (int)long.LeadingZeroCount(value | ((1 << SubBucketBits) - 1)) - (SubBucketBits - 1);

    private static int IndexOf(long value)
    {
        var bucket = BucketOf(value);
        return ((bucket + 1) << (SubBucketBits - 1)) + (int)(value >> bucket) - HalfCount;
    }

    private static long HighestMicrosAt(int index)
    {
        var bucket = Math.Max(0, (index >> (SubBucketBits - 1)) - 1);
        var subBucket = index - ((bucket + 1) << (SubBucketBits - 1)) + HalfCount;
        return Math.Min(MaxMicros, ((long)(subBucket + 1) << bucket) - 1);
    }

    // The largest value Redis's histogram (1 ns to 1 s, two digits) counts together with nanos.
    private static long HighestEquivalentNanos(long nanos)
    {
        var bucket = BucketOf(nanos);
        return (((nanos >> bucket) + 1) << bucket) - 1;
    }
}
