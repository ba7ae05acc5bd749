using Loop.Samples.Redis.Server;

namespace Loop.UnitTests.Redis;

/// <summary>Config-file lines split as Redis's sdssplitargs splits them, and values quoted so that they split back.</summary>
public sealed class ConfigArgsTests
{
    [Theory]
    [InlineData("save 900 1", new[] { "save", "900", "1" })]
    [InlineData("  maxmemory \t 1gb  ", new[] { "maxmemory", "1gb" })]
    [InlineData("requirepass \"a b\\\"c\"", new[] { "requirepass", "a b\"c" })]
    [InlineData("x \"\\x41\\x7a\\n\\r\\t\\b\\a\\\\\\q\"", new[] { "x", "Az\n\r\t\b\a\\q" })]
    [InlineData("x 'it\\'s' 'a\\nb'", new[] { "x", "it's", "a\\nb" })]
    [InlineData("save \"\"", new[] { "save", "" })]
    [InlineData("x a\"b c\"", new[] { "x", "ab c" })]
    [InlineData("", new string[0])]
    public void Lines_split_as_redis_splits_them(string line, string[] expected) => Assert.Equal(expected, ConfigArgs.Split(line));

    [Theory]
    [InlineData(new[] { "--replicaof", "127.0.0.1", "6379", "--port", "7000" }, new[] { "--replicaof", "127.0.0.1 6379", "--port", "7000" })]
    [InlineData(new[] { "--save", "900", "1", "300", "10" }, new[] { "--save", "900 1 300 10" })]
    [InlineData(new[] { "--save", "--appendonly", "yes" }, new[] { "--save", "", "--appendonly", "yes" })]
    [InlineData(new[] { "--save", "" }, new[] { "--save", "" })]
    [InlineData(new[] { "--verbose", "--maxmemory", "-1" }, new[] { "--verbose", "--maxmemory", "-1" })]
    [InlineData(new[] { "--save" }, new[] { "--save", "" })]
    public void Command_line_values_are_joined_up_to_the_next_option_as_redis_joins_them(string[] args, string[] expected) =>
        Assert.Equal(expected, ConfigArgs.CommandLine(args));

    [Theory]
    [InlineData("save \"900 1")]
    [InlineData("save '900 1")]
    [InlineData("save \"900\"1")]
    [InlineData("save '900'1")]
    public void Unbalanced_or_glued_quotes_are_refused(string line) => Assert.Null(ConfigArgs.Split(line));

    [Theory]
    [InlineData("plain")]
    [InlineData("a b\"c\\d")]
    [InlineData("line\nbreak\ttab\u0001\u007f")]
    [InlineData("")]
    public void A_quoted_value_splits_back_to_itself(string value) =>
        Assert.Equal(["x", value], ConfigArgs.Split("x " + ConfigArgs.Quote(value)));

    [Fact]
    public void Memory_values_read_as_memtoull_reads_them()
    {
        Assert.True(ConfigMemory.TryParse("1GB", out var gigabyte));
        Assert.Equal(1UL << 30, gigabyte);
        Assert.True(ConfigMemory.TryParse("", out var none));
        Assert.Equal(0UL, none);
        Assert.True(ConfigMemory.TryParse("17179869185gb", out var wrapped));
        Assert.Equal(1UL << 30, wrapped);
        Assert.False(ConfigMemory.TryParse("-1", out _));
        Assert.False(ConfigMemory.TryParse("1.5gb", out _));
        Assert.False(ConfigMemory.TryParse("1tb", out _));
    }
}
