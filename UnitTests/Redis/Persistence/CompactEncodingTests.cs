using Loop.Samples.Redis.Persistence;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>
/// Each encoding of Redis 2.x to 7.2 files that 7.0 no longer writes (or writes only sometimes), laid out by hand
/// from the format's description (see <see cref="SpecBytes"/>), read into the store's types.
/// </summary>
public sealed class CompactEncodingTests
{
    private static readonly string Long100 = new('l', 100);
    private static readonly string Long300 = new('m', 300);
    private static readonly string Long5000 = new('w', 5000);

    // Every ziplist encoding: 6, 14 and 32-bit string lengths, 0..12 in the encoding byte, 8, 16, 24, 32 and 64-bit
    // integers, and an entry of 254 bytes or more, after which the next entry's back link takes 5 bytes.
    private static readonly object[] ZiplistItems =
        ["short", Long100, 0L, 12L, 13L, -128L, 300L, -32768L, 40000L, -8388608L, 8388608L, (long)int.MinValue, (long)int.MaxValue + 1, long.MinValue, Long300, "after"];

    private static readonly string ZiplistText =
        $"short|{Long100}|0|12|13|-128|300|-32768|40000|-8388608|8388608|{int.MinValue}|{(long)int.MaxValue + 1}|{long.MinValue}|{Long300}|after";

    // Every listpack encoding: 7-bit unsigned, 6-bit string, 13-bit signed, 12-bit string, 16, 24, 32 and 64-bit
    // integers, 32-bit string length; the 5000-byte entry needs a 2-byte back length.
    private static readonly object[] ListpackItems =
        ["a", 127L, -4096L, 4095L, Long100, -32768L, 8388607L, -8388609L, long.MaxValue, Long5000, ""];

    private static readonly string ListpackText = $"a|127|-4096|4095|{Long100}|-32768|8388607|-8388609|{long.MaxValue}|{Long5000}|";

    [Fact]
    public void List_as_a_ziplist()
    {
        Assert.Equal($"list {ZiplistText}", LoadOne(Key(RdbType.ListZiplist).String(SpecBytes.Ziplist(ZiplistItems))));
        Assert.Equal("list long", LoadOne(Key(RdbType.ListZiplist).String(SpecBytes.Ziplist(wideStrings: true, "long"))));
    }

    [Fact]
    public void List_as_a_quicklist_of_ziplists_one_compressed() =>
        Assert.Equal($"list a|b|{ZiplistText}|c", LoadOne(Key(RdbType.ListQuicklist).Length(3)
            .String(SpecBytes.Ziplist("a", "b")).LzfString(SpecBytes.Ziplist(ZiplistItems)).String(SpecBytes.Ziplist("c"))));

    [Fact]
    public void List_as_a_quicklist_of_listpacks_and_plain_nodes() =>
        Assert.Equal($"list {ListpackText}|plain node|x|{Long300}", LoadOne(Key(RdbType.ListQuicklist2).Length(4)
            .Length(2).String(SpecBytes.Listpack(ListpackItems))
            .Length(1).String("plain node")
            .Length(2).LzfString(SpecBytes.Listpack("x"))
            .Length(1).LzfString(System.Text.Encoding.ASCII.GetBytes(Long300))));

    [Fact]
    public void Set_as_an_intset_of_each_width()
    {
        Assert.Equal("set -5|1|300", LoadOne(Key(RdbType.SetIntset).String(SpecBytes.Intset(2, -5, 1, 300))));
        Assert.Equal("set -70000|70000", LoadOne(Key(RdbType.SetIntset).String(SpecBytes.Intset(4, -70000, 70000))));
        Assert.Equal($"set {long.MinValue}|0|{long.MaxValue}", LoadOne(Key(RdbType.SetIntset).String(SpecBytes.Intset(8, long.MinValue, 0, long.MaxValue))));
    }

    [Fact]
    public void Set_as_a_listpack() =>
        Assert.Equal("set -4096|127|a|member", LoadOne(Key(RdbType.SetListpack).String(SpecBytes.Listpack("member", 127L, -4096L, "a"))));

    [Fact]
    public void Hash_as_a_zipmap_with_unused_bytes_and_long_lengths() =>
        Assert.Equal($"hash a=1|field=value|long={Long300}", LoadOne(Key(RdbType.HashZipmap)
            .String(SpecBytes.Zipmap(unused: 3, ("field", "value"), ("a", "1"), ("long", Long300)))));

    [Fact]
    public void Hash_as_a_ziplist() =>
        Assert.Equal("hash 12=-128|f=v|n=300", LoadOne(Key(RdbType.HashZiplist).String(SpecBytes.Ziplist("f", "v", "n", 300L, 12L, -128L))));

    [Fact]
    public void Hash_as_a_listpack() =>
        Assert.Equal($"hash 127={Long5000}|f=v|n=-8388609", LoadOne(Key(RdbType.HashListpack).String(SpecBytes.Listpack("f", "v", "n", -8388609L, 127L, Long5000))));

    [Fact]
    public void Sorted_set_as_a_ziplist_with_text_and_integer_scores() =>
        Assert.Equal("zset low:-Infinity|n:-3|half:1.5|big:1E+300|high:Infinity", LoadOne(Key(RdbType.SortedSetZiplist)
            .String(SpecBytes.Ziplist("half", "1.5", "n", -3L, "high", "inf", "low", "-inf", "big", "1e300"))));

    [Fact]
    public void Sorted_set_as_a_listpack() =>
        Assert.Equal("zset b:-4096|a:0.25|c:9.223372036854776E+18", LoadOne(Key(RdbType.SortedSetListpack)
            .String(SpecBytes.Listpack("a", "0.25", "b", -4096L, "c", long.MaxValue))));

    [Fact]
    public void Sorted_set_with_text_scores_of_old_files() =>
        Assert.Equal("zset low:-Infinity|a:-1.5|b:3|high:Infinity", LoadOne(Key(RdbType.SortedSet).Length(4)
            .String("a").Raw(4).Ascii("-1.5").String("b").Raw(1).Ascii("3").String("high").Raw(254).String("low").Raw(255)));

    [Fact]
    public void Strings_stored_as_integers_and_keys_too()
    {
        var file = SpecBytes.File().Raw(RdbType.String, 0xC0, 0x7B).Raw(0xC1, 0x00, 0x80) // key 123, value -32768
            .Raw(RdbType.String).String("int32").Raw(0xC2, 0x00, 0x00, 0x00, 0x80)
            .Raw(RdbType.String).String("wide length").Raw(0x81, 0, 0, 0, 0, 0, 0, 0, 2).Ascii("ok")
            .Raw(RdbType.String).String("lzf").LzfString("compressed"u8.ToArray()).End();
        var loaded = CollectingSink.Load(file);
        Assert.Equal(["123 string -32768", "int32 string -2147483648", "wide length string ok", "lzf string compressed"],
            loaded.Entries.Select(e => $"{e.Key} {CollectingSink.Describe(e.Value)}"));
    }

    [Fact]
    public void Opcodes_between_keys_are_read_and_deadlines_kept_for_the_next_key_only()
    {
        var file = SpecBytes.File(9)
            .Raw(RdbOpcode.Aux).String("redis-ver").String("5.0.0")
            .Raw(RdbOpcode.SelectDb).Length(2).Raw(RdbOpcode.ResizeDb).Length(3).Length(2)
            .Raw(RdbOpcode.ExpireTime, 0x00, 0xE1, 0xF5, 0x05) // 100,000,000 s
            .Raw(RdbOpcode.Idle).Length(1000).Raw(RdbOpcode.Freq, 5)
            .Key(RdbType.String, "a").String("1")
            .Raw(RdbOpcode.Function2).String("#!lua name=lib\nredis.register_function('f', function() return 1 end)")
            .Key(RdbType.String, "b").String("2")
            .Raw(RdbOpcode.ExpireTimeMs).Int64(4_102_444_800_000)
            .Key(RdbType.String, "c").String("3")
            .End();
        var loaded = CollectingSink.Load(file);
        Assert.Equal([(2, "a", 100_000_000_000L), (2, "b", null), (2, "c", (long?)4_102_444_800_000)], loaded.Entries.Select(e => (e.Db, e.Key, e.ExpireAt)));
        Assert.Equal("#!lua name=lib\nredis.register_function('f', function() return 1 end)", Assert.Single(loaded.Libraries));
        Assert.Empty(loaded.Skips);
    }

    [Fact]
    public void Files_before_version_5_have_no_checksum()
    {
        var file = SpecBytes.File(4).Key(RdbType.String, "k").String("v").Raw(RdbOpcode.Eof).ToArray();
        Assert.Equal("k", Assert.Single(CollectingSink.Load(file).Entries).Key);
    }

    [Fact]
    public void A_checksum_of_zero_means_none_was_computed()
    {
        var file = SpecBytes.File().Key(RdbType.String, "k").String("v").Raw(RdbOpcode.Eof).Raw(new byte[8]).ToArray();
        Assert.Equal("k", Assert.Single(CollectingSink.Load(file).Entries).Key);
    }

    [Fact]
    public void Empty_collections_are_skipped_and_told()
    {
        var file = SpecBytes.File().Key(RdbType.ListZiplist, "empty").String(SpecBytes.Ziplist())
            .Key(RdbType.Set, "empty set").Length(0).Key(RdbType.String, "k").String("v").End();
        var loaded = CollectingSink.Load(file);
        Assert.Equal("k", Assert.Single(loaded.Entries).Key);
        Assert.Equal(2, loaded.Skips.Count);
        Assert.All(loaded.Skips, skip => Assert.Contains("empty", skip));
    }

    private static SpecBytes Key(byte type) => SpecBytes.File().Key(type, "key");

    private static string LoadOne(SpecBytes file) => CollectingSink.Describe(Assert.Single(CollectingSink.Load(file.End()).Entries).Value);
}
