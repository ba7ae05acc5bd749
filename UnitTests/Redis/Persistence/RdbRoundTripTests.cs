using Loop.Samples.Redis.Persistence;
using static Loop.UnitTests.Redis.Persistence.StoreValues;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>What <see cref="RdbEncoder"/> writes, <see cref="RdbDecoder"/> reads back the same, for every type.</summary>
public sealed class RdbRoundTripTests
{
    private const long Deadline = 4_102_444_800_000;

    public static TheoryData<string, object> Values => new()
    {
        { "text", Bytes("hello world") },
        { "empty string", Bytes("") },
        { "binary", Bytes("\0\x01\xfe\xff\r\n") },
        { "int8", Bytes("-128") },
        { "int16", Bytes("32767") },
        { "int32", Bytes("-2147483648") },
        { "beyond int32", Bytes("2147483648") },
        { "leading zero", Bytes("0123") },
        { "minus zero", Bytes("-0") },
        { "plus sign", Bytes("+5") },
        { "compressible", Bytes(string.Concat(Enumerable.Repeat("abc", 100))) },
        { "list", List("a", "", "1", "-77", "a", new string('x', 300)) },
        { "set", Set("1", "2", "-3", "member", "", "\xff") },
        { "hash", Hash(("field", "value"), ("", "empty field"), ("n", "12"), ("long", new string('v', 500))) },
        { "sorted set", SortedSet(("a", 1), ("b", -2.5), ("c", double.PositiveInfinity), ("d", double.NegativeInfinity), ("e", 0),
            ("f", double.MaxValue), ("g", double.Epsilon), ("h", -0.1), ("i", 1e-300), ("j", 12345678901234567890.0)) },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void A_value_round_trips_with_and_without_a_deadline(string name, object value)
    {
        var loaded = CollectingSink.Load(File((0, name, value, null), (3, name + " expiring", value, Deadline)));
        Assert.Equal([(0, name, null), (3, name + " expiring", (long?)Deadline)], loaded.Entries.Select(e => (e.Db, e.Key, e.ExpireAt)));
        Assert.All(loaded.Entries, e => Assert.Equal(CollectingSink.Describe(value), CollectingSink.Describe(e.Value)));
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void A_serialized_value_reads_back_the_same(string name, object value)
    {
        var serialized = Serialized(value);
        Assert.Equal(CollectingSink.Describe(value), CollectingSink.Describe(RdbDecoder.ReadValue(serialized.AsSpan(1), serialized[0])));
        Assert.NotNull(name);
    }

    [Fact]
    public void Large_values_round_trip()
    {
        var random = new Random(5);
        var noise = new byte[3_000_000];
        random.NextBytes(noise);
        var items = Enumerable.Range(0, 20_000).Select(i => $"item-{i}").ToArray();
        var values = new object[]
        {
            noise,
            Bytes(string.Concat(Enumerable.Repeat("0123456789", 300_000))),
            List(items),
            Set(items),
            Hash(items.Select(i => (i, i + " value")).ToArray()),
            SortedSet(items.Select((i, n) => (i, n * 0.5 - 1000)).ToArray()),
        };
        var loaded = CollectingSink.Load(File(values.Select((v, i) => (0, $"key{i}", v, (long?)null)).ToArray()));
        Assert.Equal(values.Select(CollectingSink.Describe), loaded.Entries.Select(e => CollectingSink.Describe(e.Value)));
    }

    [Fact]
    public void Large_values_round_trip_through_a_stream_that_cannot_tell_its_length()
    {
        var noise = new byte[5_000_000];
        new Random(9).NextBytes(noise);
        var file = File((0, "big", noise, null), (0, "list", List("a", "b"), null));
        var sink = new CollectingSink();
        RdbDecoder.Load(new UnseekableStream(file), sink);
        Assert.Equal(noise, (byte[])sink.Entries[0].Value);
        Assert.Equal("list a|b", CollectingSink.Describe(sink.Entries[1].Value));
    }

    [Theory]
    [InlineData("7", "00c007")]
    [InlineData("-128", "00c080")]
    [InlineData("128", "00c18000")]
    [InlineData("-32769", "00c2ff7fffff")]
    [InlineData("2147483647", "00c2ffffff7f")]
    [InlineData("2147483648", "000a32313437343833363438")]
    [InlineData("007", "0003303037")]
    [InlineData("", "0000")]
    public void Strings_take_the_encoding_redis_gives_them(string text, string hex) =>
        Assert.Equal(hex, Convert.ToHexString(Serialized(Bytes(text))).ToLowerInvariant());

    [Fact]
    public void Compressible_strings_over_20_bytes_are_stored_with_lzf_and_others_raw()
    {
        Assert.Equal(0xC3, Serialized(Bytes(new string('a', 21)))[1]);
        Assert.Equal(20, Serialized(Bytes(new string('a', 20)))[1]);
        var noise = new byte[100];
        new Random(1).NextBytes(noise);
        Assert.Equal([0, 0x40, 100], Serialized(noise)[..3]);
    }

    [Fact]
    public void The_header_names_version_10_and_the_aux_fields_redis_writes()
    {
        var file = File();
        Assert.Equal("REDIS0010"u8.ToArray(), file[..9]);
        var text = System.Text.Encoding.Latin1.GetString(file);
        foreach (var aux in new[] { "redis-ver\u00067.0.15", "redis-bits", "ctime", "used-mem", "aof-base" }) { Assert.Contains(aux, text); }
        Assert.Empty(CollectingSink.Load(file).Entries);
    }

    [Fact]
    public void Load_says_where_the_file_ends_when_commands_follow_it()
    {
        var file = File((0, "key", Bytes("value"), null));
        byte[] withTail = [.. file, .. "*1\r\n$4\r\nPING\r\n"u8];
        foreach (var stream in new Stream[] { new MemoryStream(withTail), new UnseekableStream(withTail) })
        {
            Assert.Equal(file.Length, RdbDecoder.Load(stream, new CollectingSink()));
        }
    }
}
