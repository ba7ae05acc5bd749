using System.Globalization;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>
/// One key as Redis described it (Fixtures/describe-keys.lua): "db type encoding key-hex deadline items...", items in
/// hex (a hash's as field=value, a sorted set's as member:score with Redis's spelling of the score).
/// </summary>
internal sealed record ExpectedKey(int Db, string Type, string Key, long? Deadline, string[] Items)
{
    /// <summary>Asserts that <paramref name="sink"/> holds exactly the keys described in <paramref name="path"/>, each with its deadline and value.</summary>
    public static void AssertLoaded(string path, CollectingSink sink)
    {
        var expected = File.ReadAllLines(path).Select(Parse).ToList();
        var loaded = sink.Entries.ToDictionary(e => (e.Db, e.Key));
        Assert.Equal(expected.Count, loaded.Count);
        foreach (var key in expected)
        {
            Assert.True(loaded.TryGetValue((key.Db, key.Key), out var entry), $"db {key.Db} key {key.Key} was not loaded");
            Assert.Equal(key.Deadline, entry.ExpireAt);
            Assert.Equal(key.Describe(), CollectingSink.Describe(entry.Value));
        }
    }

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
