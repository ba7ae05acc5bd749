using Loop.Samples.Redis.Persistence;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>
/// A file written by redis-server 7.0.15 (Fixtures/make-fixtures.sh) loads key for key as Redis itself described
/// its keys: every string, list, set, sorted set and hash encoding 7.0 writes, deadlines, two databases.
/// </summary>
public sealed class RedisFixtureTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Redis", "Persistence", "Fixtures");

    [Fact]
    public void Every_key_loads_as_redis_described_it() =>
        ExpectedKey.AssertLoaded(Path.Combine(Fixtures, "redis-7.0.expected.txt"), Load());

    [Fact]
    public void The_fixture_covers_every_in_memory_encoding_of_redis_7_0()
    {
        var encodings = File.ReadAllLines(Path.Combine(Fixtures, "redis-7.0.expected.txt")).Select(l => l.Split(' ')[1] + " " + l.Split(' ')[2]).ToHashSet();
        Assert.Superset(new HashSet<string> { "string int", "string embstr", "string raw", "list quicklist", "set intset", "set hashtable",
            "zset listpack", "zset skiplist", "hash listpack", "hash hashtable" }, encodings);
    }

    [Fact]
    public void Every_truncation_of_the_file_is_refused()
    {
        var file = File.ReadAllBytes(Path.Combine(Fixtures, "redis-7.0.rdb"));
        for (var length = 0; length < file.Length; length += 1 + length / 50)
        {
            Assert.Throws<RdbFormatException>(() => CollectingSink.Load(file[..length]));
        }
    }

    private static CollectingSink Load()
    {
        using var file = File.OpenRead(Path.Combine(Fixtures, "redis-7.0.rdb"));
        var sink = new CollectingSink();
        RdbDecoder.Load(file, sink);
        return sink;
    }
}
