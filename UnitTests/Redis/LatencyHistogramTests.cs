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
}
