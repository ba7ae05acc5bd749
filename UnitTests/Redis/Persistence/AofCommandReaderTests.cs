using System.Text;
using Loop.Samples.Redis.Persistence;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>
/// Commands are read as Redis's loadSingleAppendOnlyFile reads them: annotations skipped, transactions handed over
/// whole, a file cut anywhere loaded up to its last complete command (or refused with aof-load-truncated no), and
/// anything malformed refused with an <see cref="AofFormatException"/> naming the offset: never another exception, an
/// allocation sized by a corrupt length, or a partial load that looks whole.
/// </summary>
public sealed class AofCommandReaderTests
{
    // A small file as records: the bytes of each, and the commands it hands over once it is complete.
    private static readonly (string Bytes, string[] Commands)[] Records =
    [
        ("#TS:1700000000\r\n", []),
        ("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n", ["SELECT 0"]),
        ("*3\r\n$3\r\nset\r\n$1\r\nk\r\n$5\r\nv\r\nxy\r\n", ["set k v\r\nxy"]),
        ("*1\r\n$5\r\nmulti\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n#TS:1700000001\r\n*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$0\r\n\r\n*1\r\n$4\r\nExec\r\n",
            ["multi", "INCR n", "RPUSH l a ", "Exec"]),
        ("*2\r\n$3\r\nDEL\r\n$10\r\n0123456789\r\n", ["DEL 0123456789"]),
    ];

    private static readonly byte[] File = Encoding.Latin1.GetBytes(string.Concat(Records.Select(r => r.Bytes)));

    [Fact]
    public void Commands_arrive_in_order_with_their_offsets_and_annotations_are_skipped()
    {
        var (sink, result) = CollectingCommandSink.Read(File);
        Assert.Equal(Records.SelectMany(r => r.Commands), sink.Texts);
        Assert.Equal([16, 39, 70, 85, 122, 157, 171], sink.Commands.Select(c => c.Offset));
        Assert.Equal(new AofReadResult(File.Length, Truncated: false), result);
    }

    [Fact]
    public void An_empty_file_has_no_commands()
    {
        var (sink, result) = CollectingCommandSink.Read([]);
        Assert.Empty(sink.Commands);
        Assert.Equal(new AofReadResult(0, Truncated: false), result);
    }

    [Fact]
    public void Offsets_are_positions_in_the_stream_from_where_reading_starts()
    {
        byte[] file = [.. "REDIS..."u8, .. "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI"u8];
        var sink = new CollectingCommandSink();
        var result = AofCommandReader.Read(new MemoryStream(file) { Position = 8 }, "test.aof", sink);
        Assert.Equal([("PING", 8L)], sink.Commands);
        Assert.Equal(new AofReadResult(22, Truncated: true), result);
    }

    [Fact]
    public void A_file_cut_at_any_byte_loads_what_precedes_the_cut_or_is_refused_without_load_truncated()
    {
        for (var length = 0; length <= File.Length; length++)
        {
            var complete = Records.TakeWhile((_, i) => Records.Take(i + 1).Sum(r => r.Bytes.Length) <= length).ToList();
            var validUpTo = complete.Sum(r => r.Bytes.Length);
            foreach (var seekable in new[] { true, false })
            {
                var (sink, result) = CollectingCommandSink.Read(File[..length], seekable: seekable);
                Assert.Equal(complete.SelectMany(r => r.Commands), sink.Texts);
                Assert.Equal(new AofReadResult(validUpTo, Truncated: validUpTo != length), result);
                if (validUpTo == length)
                {
                    Assert.Equal(result, CollectingCommandSink.Read(File[..length], loadTruncated: false, seekable).Result);
                }
                else
                {
                    var error = Assert.Throws<AofFormatException>(() => CollectingCommandSink.Read(File[..length], loadTruncated: false, seekable));
                    Assert.Equal(validUpTo, error.Offset);
                    Assert.Contains("aof-load-truncated is no", error.Message);
                }
            }
        }
    }

    [Fact]
    public void A_transaction_without_its_exec_is_a_truncated_tail_and_none_of_it_is_handed_over()
    {
        var file = Encoding.ASCII.GetBytes("*1\r\n$4\r\nPING\r\n*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n");
        var (sink, result) = CollectingCommandSink.Read(file);
        Assert.Equal(["PING"], sink.Texts);
        Assert.Equal(new AofReadResult(14, Truncated: true), result);
        var error = Assert.Throws<AofFormatException>(() => CollectingCommandSink.Read(file, loadTruncated: false));
        Assert.Equal(14, error.Offset);
        Assert.Contains("MULTI without its EXEC", error.Reason);
    }

    public static TheoryData<string, long, string> Malformed => new()
    {
        { "+OK\r\n", 0, "expected '*' (a command's argument count), found '+'" },
        { "\r\n", 0, "expected '*' (a command's argument count), found 0x0d" },
        { "*1\r\n$4\r\nPING\r\n:5\r\n", 14, "expected '*'" },
        { "*x\r\n", 1, "a command's argument count: 'x' where a digit belongs" },
        { "*\r\n", 1, "a command's argument count: 0x0d where a digit belongs" },
        { "*0\r\n", 0, "a command of 0 arguments" },
        { "*1\rX", 3, "a command's argument count: \\r without \\n" },
        { "*1\r\n:5\r\n", 4, "expected '$' (an argument's length), found ':'" },
        { "*1\r\n$-1\r\n", 5, "an argument's length: '-' where a digit belongs" },
        { "*1\r\n$1a\r\n", 6, "an argument's length: 'a' where a digit belongs" },
        { "*1\r\n$3\r\nabcXY\r\n", 11, "no \\r\\n after an argument of 3 bytes" },
        { "*1\r\n$3\r\nabcd\r\n", 11, "no \\r\\n after an argument of 3 bytes" },
        { "*1\r\n$9999999999999999999\r\n", 4, "an argument's length of more than 18 digits" },
        { "*1\r\n$999999999999\r\nabc\r\n", 4, "an argument of 999999999999 bytes is longer than this server holds" },
        { "*1\r\n$4\r\nEXEC\r\n", 0, "EXEC without MULTI" },
        { "*1\r\n$5\r\nMULTI\r\n*1\r\n$5\r\nmulti\r\n*1\r\n$4\r\nEXEC\r\n", 15, "MULTI inside a transaction" },
        { "#" + new string('x', 1100) + "\r\n", 0, "an annotation ('#' line) longer than 1024 bytes" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_bytes_are_refused_with_the_file_and_offset(string content, long offset, string reason)
    {
        foreach (var seekable in new[] { true, false })
        {
            var error = Assert.Throws<AofFormatException>(() => CollectingCommandSink.Read(Encoding.Latin1.GetBytes(content), seekable: seekable));
            Assert.Equal((offset, reason), (error.Offset, error.Reason[..Math.Min(reason.Length, error.Reason.Length)]));
            Assert.Equal($"test.aof: {error.Reason} (at byte offset {offset})", error.Message);
        }
    }

    [Fact]
    public void An_annotation_of_1024_bytes_is_skipped()
    {
        var (sink, _) = CollectingCommandSink.Read(Encoding.ASCII.GetBytes("#" + new string('x', 1021) + "\r\n*1\r\n$4\r\nPING\r\n"));
        Assert.Equal(["PING"], sink.Texts);
    }

    [Fact]
    public void A_changed_byte_anywhere_is_refused_truncated_or_read_but_nothing_else_and_never_silently_where_it_is_framing()
    {
        var content = ContentPositions(File);
        for (var position = 0; position < File.Length; position++)
        {
            foreach (var mask in new byte[] { 0x01, 0x20, 0x80, 0xFF })
            {
                var file = (byte[])File.Clone();
                file[position] ^= mask;
                try
                {
                    var (_, result) = CollectingCommandSink.Read(file);
                    Assert.True(content.Contains(position) || result.Truncated, $"0x{mask:x2} at {position} went unnoticed");
                }
                catch (AofFormatException e)
                {
                    Assert.InRange(e.Offset!.Value, 0, file.Length);
                }
            }
        }
    }

    [Fact]
    public void Lengths_and_counts_beyond_the_data_are_a_truncated_tail_without_allocating_what_they_claim()
    {
        foreach (var tail in new[] { "*1\r\n$2147483000\r\nabc", "*2000000000\r\n$1\r\na\r\n", "*3\r\n$1\r\na\r\n$2147483000\r\n" })
        {
            var file = Encoding.ASCII.GetBytes("*1\r\n$4\r\nPING\r\n" + tail);
            foreach (var seekable in new[] { true, false })
            {
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var (sink, result) = CollectingCommandSink.Read(file, seekable: seekable);
                Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocated, 0, 8 << 20);
                Assert.Equal(["PING"], sink.Texts);
                Assert.Equal(new AofReadResult(14, Truncated: true), result);
            }
        }
    }

    // The bytes a change may go unnoticed in: arguments' bytes and annotations' text (all but the '#').
    private static HashSet<int> ContentPositions(byte[] file)
    {
        var positions = new HashSet<int>();
        for (var i = 0; i < file.Length;)
        {
            var lineEnd = Array.IndexOf(file, (byte)'\n', i) + 1;
            if (file[i] == '#') { positions.UnionWith(Enumerable.Range(i + 1, lineEnd - i - 1)); }
            if (file[i] == '$')
            {
                var length = int.Parse(Encoding.ASCII.GetString(file, i + 1, lineEnd - i - 3));
                positions.UnionWith(Enumerable.Range(lineEnd, length));
                lineEnd += length + 2;
            }
            i = lineEnd;
        }
        return positions;
    }
}
