using Loop.Samples.Redis.Server;

namespace Loop.UnitTests.Redis;

public sealed class LatencyHistogramTests
{
    // What redis-server 7.0 prints for a command that always took this many microseconds: its HDR histogram's highest
    // value equivalent to micros * 1000 ns (0 µs is recorded as its 1 ns minimum).
    [Theory]
    [InlineData(0, 0.001)]
    [InlineData(1, 1.003)]
    [InlineData(3, 3.007)]
    [InlineData(7, 7.007)]
    [InlineData(10, 10.047)]
    [InlineData(36, 36.095)]
    [InlineData(255, 255.999)]
    public void A_single_duration_reads_back_as_redis_prints_it(long micros, double expected)
    {
        var histogram = new LatencyHistogram();
        histogram.Record(micros);
        Assert.Equal(expected, histogram.ValueAtPercentile(50), 3);
        Assert.Equal(expected, histogram.ValueAtPercentile(99.9), 3);
    }

    [Fact]
    public void Percentiles_pick_the_value_below_which_that_share_of_calls_fell()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 98; i++) { histogram.Record(2); }
        histogram.Record(100);
        histogram.Record(5000);
        Assert.Equal(2.007, histogram.ValueAtPercentile(50), 3);
        Assert.Equal(100.351, histogram.ValueAtPercentile(99), 3);
        // Beyond 255 µs within two significant digits: 5000 µs falls in a 32 µs bucket.
        Assert.InRange(histogram.ValueAtPercentile(99.9), 5000, 5000 * 1.01);
    }

    [Fact]
    public void Durations_beyond_a_second_count_as_a_second()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(5_000_000);
        Assert.InRange(histogram.ValueAtPercentile(50), 1_000_000, 1_000_000 * 1.01);
    }

    // LATENCY HISTOGRAM's steps as redis-server 7.0 prints them: 0 µs (1 ns) by the first step (1 µs), 4 µs by the 4 µs step,
    // 12 µs by the 16 µs one, and 700 ms only when the iteration runs off the histogram's end (2^30 - 1 ns).
    [Fact]
    public void The_cumulative_distribution_steps_as_redis_prints_it()
    {
        var histogram = new LatencyHistogram();
        foreach (var micros in new long[] { 4, 0, 700_000, 12 }) { histogram.Record(micros); }
        Assert.Equal([(1L, 1L), (4L, 2L), (16L, 3L), (1073741L, 4L)], histogram.Cumulative());
        Assert.Empty(new LatencyHistogram().Cumulative());
    }

    [Fact]
    public void A_step_counts_the_calls_up_to_its_buckets_end()
    {
        var histogram = new LatencyHistogram();
        foreach (var micros in new long[] { 33, 34, 132, 133 }) { histogram.Record(micros); }
        // 33 µs = 33000 ns falls under the 32768 ns step (its bucket ends at 33023 ns), 34 µs under the next.
        Assert.Equal([(33L, 1L), (66L, 2L), (132L, 3L), (264L, 4L)], histogram.Cumulative());
    }

    [Fact]
    public void Values_past_255_microseconds_read_as_redis_buckets_them() =>
        Assert.Equal(5013.503, Single(5000).ValueAtPercentile(50), 3);

    private static LatencyHistogram Single(long micros)
    {
        var histogram = new LatencyHistogram();
        histogram.Record(micros);
        return histogram;
    }
}
