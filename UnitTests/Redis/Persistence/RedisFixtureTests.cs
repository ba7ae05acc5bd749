using System.Globalization;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Store;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>
/// A file written by redis-server 7.0.15 (Fixtures/make-fixtures.sh) loads key for key as Redis itself described
/// its keys: every string, list, set, sorted set and hash encoding 7.0 writes, deadlines, two databases.
/// </summary>
public sealed class RedisFixtureTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Redis", "Persistence", "Fixtures");

    [Fact]
    public void Every_key_loads_as_redis_described_it()
    {
        var expected = File.ReadAllLines(Path.Combine(Fixtures, "redis-7.0.expected.txt")).Select(ExpectedKey.Parse).ToList();
        var loaded = Load().Entries.ToDictionary(e => (e.Db, e.Key));
        Assert.Equal(expected.Count, loaded.Count);
        foreach (var key in expected)
        {
            Assert.True(loaded.TryGetValue((key.Db, key.Key), out var entry), $"db {key.Db} key {key.Key} was not loaded");
            Assert.Equal(key.Deadline, entry.ExpireAt);
            Assert.Equal(key.Describe(), CollectingSink.Describe(entry.Value));
        }
    }

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

    /// <summary>
    /// One line of the expected file: "db type encoding key-hex deadline items...", items in hex (a hash's as
    /// field=value, a sorted set's as member:score with Redis's spelling of the score).
    /// </summary>
    private sealed record ExpectedKey(int Db, string Type, string Key, long? Deadline, string[] Items)
    {
        public static ExpectedKey Parse(string line)
        {
            var fields = line.Split(' ', 6);
            var deadline = long.Parse(fields[4], CultureInfo.InvariantCulture);
            return new(int.Parse(fields[0], CultureInfo.InvariantCulture), fields[1], Text(fields[3]), deadline < 0 ? null : deadline, fields[5].Split(' '));
        }

        // In the form CollectingSink.Describe gives, built from Redis's reading.
        public string Describe() => Type switch
        {
            "string" => CollectingSink.Describe(Bytes(Items[0])),
            "list" => CollectingSink.Describe(StoreValues.List(Items.Select(Text).ToArray())),
            "set" => CollectingSink.Describe(StoreValues.Set(Items.Select(Text).ToArray())),
            "hash" => CollectingSink.Describe(StoreValues.Hash(Items.Select(i => i.Split('=')).Select(p => (Text(p[0]), Text(p[1]))).ToArray())),
            "zset" => CollectingSink.Describe(StoreValues.SortedSet(Items.Select(i => i.Split(':')).Select(p => (Text(p[0]), Score(p[1]))).ToArray())),
            _ => throw new InvalidDataException(Type),
        };

        private static double Score(string text) => text switch
        {
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            _ => double.Parse(text, CultureInfo.InvariantCulture),
        };

        private static byte[] Bytes(string hex) => Convert.FromHexString(hex);

        private static string Text(string hex) => System.Text.Encoding.Latin1.GetString(Bytes(hex));
    }
}
