using System.Text;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Store;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>Streams in the RDB format: the listpacks of their nodes, and the older type 15 that Redis 5 and 6 wrote.</summary>
public sealed class StreamEncodingTests
{
    [Fact]
    public void The_listpack_writer_encodes_as_the_format_says_and_as_large_as_ListpackSize_says()
    {
        object[] entries = [0L, 127L, 128L, -4096L, 4095L, -32768L, 8_000_000L, -2_000_000_000L, long.MaxValue, "", "text", new string('m', 63),
            new string('x', 64), new string('y', 4095), new string('z', 4096), "012", "-0", "+1", "18446744073709551616"];
        var writer = new ListpackWriter();
        var size = ListpackSize.Empty;
        foreach (var entry in entries)
        {
            if (entry is long integer) { writer.Add(integer); size += ListpackSize.Of(integer); }
            else { writer.Add(Encoding.ASCII.GetBytes((string)entry)); size += ListpackSize.Of(Encoding.ASCII.GetBytes((string)entry)); }
        }
        var listpack = writer.ToArray();
        Assert.Equal(SpecBytes.Listpack(entries), listpack);
        Assert.Equal(size, listpack.Length);
    }

    [Fact]
    public void Text_spelling_an_integer_is_stored_as_one()
    {
        var writer = new ListpackWriter();
        writer.Add("-4096"u8);
        Assert.Equal(SpecBytes.Listpack(-4096L), writer.ToArray());
    }

    [Fact]
    public void A_stream_of_type_15_loads_with_the_metadata_Redis_7_derives()
    {
        // One node keyed 5-0: the master entry (2 live, 1 deleted, field "f"), then 5-0 and the deleted 6-0 with the
        // master's field, and 7-1 with fields of its own.
        var node = SpecBytes.Listpack(2L, 1L, 1L, "f", 0L,
            2L, 0L, 0L, "v1", 4L,
            3L, 1L, 0L, "v2", 4L,
            0L, 2L, 1L, 2L, "a", "x", "b", "y", 8L);
        var key = new byte[16];
        new StreamId(5, 0).WriteBigEndian(key);
        var file = SpecBytes.File().Key(RdbType.StreamListpacks, "s").Length(1).String(key).String(node)
            .Length(2).Length(7).Length(1).Length(0).End();
        var stream = Assert.IsType<RedisStream>(Assert.Single(CollectingSink.Load(file).Entries).Value);
        Assert.Equal(2, stream.Length);
        Assert.Equal(new StreamId(7, 1), stream.LastId);
        Assert.Equal(new StreamId(5, 0), stream.FirstId);
        Assert.Equal(StreamId.Zero, stream.MaxDeletedId);
        Assert.Equal(2, stream.EntriesAdded);
        Assert.Equal(["5-0 f=v1", "7-1 a=x b=y"], stream.Range(StreamId.Zero, StreamId.Max).Select(Show));
        Assert.Equal(node.Length, Assert.Single(stream.Nodes).Bytes);
    }

    private static string Show(StreamEntry entry) =>
        $"{entry.Id} " + string.Join(' ', entry.Pairs.Chunk(2).Select(pair => $"{Encoding.ASCII.GetString(pair[0])}={Encoding.ASCII.GetString(pair[1])}"));
}
