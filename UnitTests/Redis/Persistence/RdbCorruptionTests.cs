using System.Buffers;
using Loop.Samples.Redis.Persistence;
using static Loop.UnitTests.Redis.Persistence.StoreValues;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>
/// Whatever is wrong with a file, loading it ends in an <see cref="RdbFormatException"/> with an offset: never
/// another exception, a hang, an allocation sized by a corrupt length, or a silent partial load.
/// </summary>
public sealed class RdbCorruptionTests
{
    // A file with every encoding in it: plain values as the encoder writes them, compact ones laid out by hand.
    private static readonly byte[] EveryEncoding = SpecBytes.File()
        .Raw(Entries(("string", Bytes("text")), ("int", Bytes("123456")), ("lzf", Bytes(new string('z', 80))),
            ("list", List("a", "1")), ("set", Set("a", "b")), ("hash", Hash(("f", "v"))), ("zset", SortedSet(("m", 1.5)))))
        .Key(RdbType.ListZiplist, "ziplist").String(SpecBytes.Ziplist("a", 5L, 300L, new string('x', 300), "b"))
        .Key(RdbType.HashZipmap, "zipmap").String(SpecBytes.Zipmap(2, ("f", "v"), ("g", "w")))
        .Key(RdbType.SetIntset, "intset").String(SpecBytes.Intset(4, -1, 70000))
        .Key(RdbType.HashListpack, "listpack").String(SpecBytes.Listpack("f", 1000L, "g", "w"))
        .Key(RdbType.SortedSetZiplist, "zset ziplist").String(SpecBytes.Ziplist("m", "2.5"))
        .Key(RdbType.ListQuicklist2, "quicklist").Length(2).Length(2).LzfString(SpecBytes.Listpack("p", 7L)).Length(1).String("plain")
        .Key(RdbType.SortedSet, "old zset").Length(1).String("m").Raw(3).Ascii("1.5")
        .End();

    [Fact]
    public void The_file_with_every_encoding_loads()
    {
        Assert.Equal(14, CollectingSink.Load(EveryEncoding).Entries.Count);
    }

    [Fact]
    public void Every_truncation_is_refused()
    {
        for (var length = 0; length < EveryEncoding.Length; length++)
        {
            var error = Assert.Throws<RdbFormatException>(() => CollectingSink.Load(EveryEncoding[..length]));
            Assert.InRange(error.Offset, 0, length);
        }
    }

    [Fact]
    public void Every_changed_byte_is_refused_when_the_file_has_a_checksum()
    {
        for (var position = 0; position < EveryEncoding.Length; position++)
        {
            foreach (var mask in new byte[] { 0x01, 0x80, 0xFF })
            {
                var file = (byte[])EveryEncoding.Clone();
                file[position] ^= mask;
                Assert.Throws<RdbFormatException>(() => CollectingSink.Load(file));
            }
        }
    }

    [Fact]
    public void Changed_bytes_without_a_checksum_load_or_are_refused_but_nothing_else()
    {
        var unchecked_ = (byte[])EveryEncoding.Clone();
        unchecked_.AsSpan(^8).Clear();
        var random = new Random(17);
        for (var attempt = 0; attempt < 5000; attempt++)
        {
            var file = (byte[])unchecked_.Clone();
            for (var changes = random.Next(1, 4); changes > 0; changes--) { file[random.Next(9, file.Length - 9)] = (byte)random.Next(256); }
            try { CollectingSink.Load(file); }
            catch (RdbFormatException) { }
        }
    }

    [Fact]
    public void Corrupt_compact_encodings_are_refused_by_their_own_checks()
    {
        // Each blob is damaged where only its own structure can tell: the file around it stays valid.
        var ziplist = SpecBytes.Ziplist("a", "b");
        ziplist[10 + 3] = 9; // the second entry's back link says 9 bytes
        var listpack = SpecBytes.Listpack("a", "b");
        listpack[6 + 2] = 9; // the first entry's back length says 9
        var intset = SpecBytes.Intset(2, 5, 3);
        var zipmap = SpecBytes.Zipmap(0, ("f", "v"));
        zipmap[0] = 2; // counts 2 pairs
        foreach (var (type, blob, complaint) in new[]
        {
            (RdbType.ListZiplist, ziplist, "ziplist"),
            (RdbType.HashListpack, listpack, "listpack"),
            (RdbType.SetIntset, intset, "ascending"),
            (RdbType.HashZipmap, zipmap, "zipmap"),
            (RdbType.ListZiplist, SpecBytes.Ziplist("a")[..^1], "ziplist"),
        })
        {
            var error = Assert.Throws<RdbFormatException>(() => CollectingSink.Load(SpecBytes.File().Key(type, "key").String(blob).End()));
            Assert.Contains(complaint, error.Message);
            Assert.Contains("key 'key' of database 0", error.Message);
        }
    }

    [Theory]
    [InlineData("REDIS0011", "RDB version 11 is newer than this server reads")]
    [InlineData("REDIS0000", "RDB version 0 does not exist")]
    [InlineData("REDIS00x9", "is not a number")]
    [InlineData("RDB000010", "not an RDB file")]
    public void Headers_it_cannot_read_are_refused_clearly(string header, string complaint)
    {
        var error = Assert.Throws<RdbFormatException>(() => CollectingSink.Load(new SpecBytes().Ascii(header).End()));
        Assert.Contains(complaint, error.Message);
    }

    [Theory]
    [InlineData(RdbType.ModulePreGa, "module values (RDB type 6) are not supported")]
    [InlineData(RdbType.Module2, "module values (RDB type 7) are not supported")]
    [InlineData(RdbType.StreamListpacks3, "streams of Redis 7.2 (RDB type 21) are not supported")]
    [InlineData(8, "unknown value type 8")]
    [InlineData(22, "unknown value type 22")]
    public void Values_it_does_not_hold_are_refused_with_the_key_and_offset(byte type, string complaint)
    {
        var before = SpecBytes.File().Key(RdbType.String, "first").String("1").ToArray();
        var error = Assert.Throws<RdbFormatException>(() => CollectingSink.Load(SpecBytes.File().Key(RdbType.String, "first").String("1")
            .Key(type, "unsupported").Raw(new byte[20]).End()));
        Assert.Contains(complaint, error.Message);
        Assert.Contains("key 'unsupported'", error.Message);
        Assert.Equal(before.Length + 1 + 12, error.Offset);
    }

    [Fact]
    public void Module_aux_data_is_refused()
    {
        var error = Assert.Throws<RdbFormatException>(() => CollectingSink.Load(SpecBytes.File().Raw(RdbOpcode.ModuleAux).Raw(new byte[20]).End()));
        Assert.Contains("MODULE_AUX", error.Message);
        Assert.Equal(9, error.Offset);
    }

    [Fact]
    public void A_checksum_that_does_not_match_is_refused_with_its_offset()
    {
        var file = SpecBytes.File().Key(RdbType.String, "k").String("v").End();
        file[^1] ^= 1;
        var error = Assert.Throws<RdbFormatException>(() => CollectingSink.Load(file));
        Assert.Contains("checksum mismatch", error.Message);
        Assert.Equal(file.Length - 8, error.Offset);
    }

    [Fact]
    public void Lengths_beyond_the_data_are_refused_before_allocating()
    {
        var huge = new byte[] { 0x80, 0x3F, 0xFF, 0xFF, 0xFF }; // 1 GiB
        var cases = new[]
        {
            SpecBytes.File().Raw(RdbType.String).Raw(huge).End(),                                  // a key of 1 GiB
            SpecBytes.File().Key(RdbType.String, "k").Raw(huge).End(),                             // a value of 1 GiB
            SpecBytes.File().Key(RdbType.String, "k").Raw(0xC3).Length(5).Raw(huge).Raw(new byte[5]).End(), // LZF claiming 1 GiB from 5 bytes
            SpecBytes.File().Key(RdbType.List, "k").Raw(0x81, 0, 0, 0, 1, 0, 0, 0, 0).End(),      // 2^32 elements
            SpecBytes.File().Key(RdbType.String, "k").Raw(0x81, 0xFF, 0, 0, 0, 0, 0, 0, 0).End(), // beyond any array
        };
        foreach (var file in cases)
        {
            foreach (var stream in new Stream[] { new MemoryStream(file), new UnseekableStream(file) })
            {
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                Assert.Throws<RdbFormatException>(() => RdbDecoder.Load(stream, new CollectingSink()));
                Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocated, 0, 8 << 20);
            }
        }
    }

    [Fact]
    public void Duplicates_and_nan_scores_are_refused()
    {
        foreach (var file in new[]
        {
            SpecBytes.File().Key(RdbType.Set, "k").Length(2).String("a").String("a").End(),
            SpecBytes.File().Key(RdbType.Hash, "k").Length(2).String("f").String("1").String("f").String("2").End(),
            SpecBytes.File().Key(RdbType.SortedSet2, "k").Length(2).String("m").Int64(0).String("m").Int64(0).End(),
            SpecBytes.File().Key(RdbType.SortedSet2, "k").Length(1).String("m").Int64(BitConverter.DoubleToInt64Bits(double.NaN)).End(),
            SpecBytes.File().Key(RdbType.SortedSet, "k").Length(1).String("m").Raw(253).End(),
            SpecBytes.File().Key(RdbType.SortedSetListpack, "k").String(SpecBytes.Listpack("m", "not a number")).End(),
            SpecBytes.File().Key(RdbType.HashListpack, "k").String(SpecBytes.Listpack("f", "v", "odd")).End(),
            SpecBytes.File().Key(RdbType.ListQuicklist2, "k").Length(1).Length(3).String("x").End(),
        })
        {
            Assert.Throws<RdbFormatException>(() => CollectingSink.Load(file));
        }
    }

    [Fact]
    public void A_serialized_value_that_is_not_one_is_refused()
    {
        Assert.Throws<RdbFormatException>(() => RdbDecoder.ReadValue([], RdbType.String));
        Assert.Throws<RdbFormatException>(() => RdbDecoder.ReadValue([0x05, 1, 2], RdbType.String));
        Assert.Throws<RdbFormatException>(() => RdbDecoder.ReadValue([0x00], RdbType.List));
        Assert.Throws<RdbFormatException>(() => RdbDecoder.ReadValue([0x00], 99));
    }

    private static byte[] Entries(params (string Key, object Value)[] entries)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (key, value) in entries) { RdbEncoder.WriteEntry(output, Bytes(key), value, null); }
        return output.WrittenSpan.ToArray();
    }
}
