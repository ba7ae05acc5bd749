namespace Loop.IntegrationTests.Redis;

/// <summary>
/// Every argument that is a double, against the real redis-server 7.0: each spelling below goes to each command family
/// that reads one, through the parser Redis gives it (string2d for scores, weights, GEO's numbers and the latency
/// percentiles; zslParseRange's strtod for score ranges; string2ld for INCRBYFLOAT, HINCRBYFLOAT and the blocking
/// commands' timeouts; SORT's strtod), and every reply must be the same.
/// </summary>
public sealed class DoubleArgumentDifferentialTests
{
    /// <summary>Hexadecimal, infinities, NaN, denormals, overflow and underflow, blanks, NUL, and the spellings strtod stops short of.</summary>
    public static readonly string[] Spellings =
    [
        "0x1p3", "0X1.8P1", "-0x10", "+0x.8", "0x1P+2", "0x1p-1", "0xA.8p-2", "0x1p-1074", "0x1p-1075", "0x1.8p-1074", "0x1p-1080",
        "0x1p1023", "0x1p1024", "0x1.fffffffffffffp1023", "0x1.fffffffffffff8p1023", "0x", "0x1p", "0xg", "0x.", "-0x",
        "inf", "-inf", "+inf", "Infinity", "-INFINITY", "infinit", "infx", "nan", "-nan", "NaN(1)", "nan()",
        "1e400", "-1e400", "1e-400", "1e-310", "4.9e-324", "2.5e-324", "2.2250738585072011e-308", "1.7976931348623157e308",
        ".5", "5.", ".", "-.5e1", "+5", "-0", "0", "1e", "1e+", "1_0", "1,5", "12abc", "",
        " 5", "5 ", "\t5", " 0x10", "5\u0000", "5\u00007",
    ];

    [Fact]
    public Task Sorted_set_scores_weights_and_ranges_read_what_redis_reads() => SameAsRealRedis.RepliesAsync(
    [
        ["ZADD", "z", "1", "one", "2", "two", "8", "eight"],
        .. Spellings.SelectMany(n => new string[][]
        {
            ["ZADD", "scores", n, "m"],
            ["ZADD", "scores", "INCR", n, "m"],
            ["ZINCRBY", "scores", n, "m"],
            ["ZSCORE", "scores", "m"],
            ["ZUNIONSTORE", "union", "1", "z", "WEIGHTS", n],
            ["ZRANGE", "union", "0", "-1", "WITHSCORES"],
            ["ZRANGEBYSCORE", "z", n, "+inf"],
            ["ZRANGEBYSCORE", "z", "(" + n, "+inf", "WITHSCORES"],
            ["ZREVRANGEBYSCORE", "z", "+inf", n],
            ["ZCOUNT", "z", "-inf", n],
            ["ZRANGE", "z", n, "+inf", "BYSCORE"],
            ["ZRANGESTORE", "stored", "z", "-inf", "(" + n, "BYSCORE"],
            ["DEL", "scores"],
        }),
    ]);

    [Fact]
    public Task Geo_coordinates_radius_and_box_read_what_redis_reads() => SameAsRealRedis.RepliesAsync(
    [
        ["GEOADD", "g", "13.361389", "38.115556", "Palermo"],
        .. Spellings.SelectMany(n => new string[][]
        {
            ["GEOADD", "points", n, "10", "a"],
            ["GEOADD", "points", "10", n, "b"],
            ["GEOPOS", "points", "a", "b"],
            ["GEORADIUS", "g", n, "38", "500", "km"],
            ["GEOSEARCH", "g", "FROMLONLAT", "13", "38", "BYRADIUS", n, "km"],
            ["GEOSEARCH", "g", "FROMLONLAT", "13", "38", "BYBOX", n, "1000", "km"],
            ["GEOSEARCH", "g", "FROMLONLAT", "13", "38", "BYBOX", "1000", n, "km"],
            ["DEL", "points"],
        }),
    ]);

    [Fact]
    public Task Long_double_increments_values_and_timeouts_read_what_redis_reads() => SameAsRealRedis.RepliesAsync(
    [
        .. Spellings.SelectMany(n => new string[][]
        {
            ["SET", "f", "1"],
            ["INCRBYFLOAT", "f", n],
            ["SET", "f", n],
            ["INCRBYFLOAT", "f", "0"],
            ["HINCRBYFLOAT", "h", "f", n],
            ["HSET", "h", "g", n],
            ["HINCRBYFLOAT", "h", "g", "0"],
            // The list holds an element: a valid timeout pops at once, an invalid one is refused first.
            ["RPUSH", "l", "x"],
            ["BLPOP", "l", n],
            ["DEL", "l"],
        }),
        // A tiny timeout is rounded up to a millisecond, not down to 0 (forever).
        ["BLPOP", "empty", "1e-400"],
        ["BLPOP", "empty", "0x1p-16440"],
        ["BLPOP", "empty", "0x1p-12"],
    ]);

    [Fact]
    public Task Sort_scores_and_latency_percentiles_read_what_redis_reads() => SameAsRealRedis.RepliesAsync(
    [
        .. Spellings.SelectMany(n => new string[][]
        {
            ["RPUSH", "sorted", "3", n, "-1"],
            // Redis's SORT tests errno after strtod without clearing it first, so an ERANGE left by an earlier command
            // would fail it whatever it reads: a ZADD (string2d clears errno) comes first.
            ["ZADD", "clears-errno", "1", "x"],
            ["SORT", "sorted"],
            ["DEL", "sorted"],
            ["CONFIG", "SET", "latency-tracking-info-percentiles", $"50 {n}"],
            ["CONFIG", "SET", "latency-tracking-info-percentiles", n],
        }),
    ]);
}
