using System.Text;
using Loop.Protocols.Resp;

namespace Loop.UnitTests.Resp;

/// <summary>A multibulk command that arrives in pieces is parsed once: each call resumes where the one before stopped.</summary>
public sealed class RespParserResumeTests
{
    private static readonly RespLimits Limits = new();
    // Kept between calls, as the parser's caller must.
    private RespArgument[] _arguments = new RespArgument[16];
    private byte[] _scratch = [];

    [Fact]
    public void A_command_of_100k_arguments_in_16KB_pieces_resumes_and_never_reads_a_parsed_byte_again()
    {
        const int Arguments = 100_000;
        const int Piece = 16 * 1024;
        var data = Encoding.ASCII.GetBytes($"*{Arguments}\r\n" + string.Concat(Enumerable.Range(0, Arguments).Select(i => $"${i.ToString().Length}\r\n{i}\r\n")));
        // What the parser is shown: the received bytes with what it has parsed already overwritten, so that reading
        // any of it again would be a protocol error. The first byte stays: it is what says "multibulk".
        var wire = data.ToArray();
        var progress = default(RespParseProgress);

        for (var received = Piece; ; received = Math.Min(received + Piece, data.Length))
        {
            var before = progress;
            var status = RespParser.TryParse(wire.AsSpan(0, received), Limits, ref progress, ref _arguments, ref _scratch,
                out var count, out var consumed, out var error);
            if (status == RespParseStatus.Complete)
            {
                Assert.Equal(data.Length, received);
                Assert.Equal(data.Length, consumed);
                Assert.Equal(default, progress);
                var command = new RespCommand(data, _scratch, _arguments.AsSpan(0, count));
                Assert.Equal(Arguments, command.Count);
                for (var i = 0; i < Arguments; i++) { Assert.Equal(i.ToString(), Encoding.ASCII.GetString(command[i])); }
                return;
            }
            Assert.True(status == RespParseStatus.Incomplete, error);
            Assert.True(received < data.Length, "incomplete with the whole command there");
            Assert.Equal(Arguments, progress.ItemCount);
            Assert.True(progress.Parsed > before.Parsed, $"parsed {progress.Parsed} after {before.Parsed}");
            Assert.True(progress.Position > before.Position, $"position {progress.Position} after {before.Position}");
            wire.AsSpan(1, progress.Position - 1).Fill((byte)'?');
        }
    }

    [Fact]
    public void Progress_records_the_last_whole_argument_and_is_cleared_by_a_complete_command_or_an_error()
    {
        var progress = default(RespParseProgress);
        Assert.Equal(RespParseStatus.Incomplete, Parse("*2\r", ref progress));
        Assert.Equal(default, progress);

        Assert.Equal(RespParseStatus.Incomplete, Parse("*2\r\n$3\r\nGET\r\n$1\r\n", ref progress));
        Assert.Equal((2, 1, 13), (progress.ItemCount, progress.Parsed, progress.Position));
        Assert.Equal(RespParseStatus.Complete, Parse("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", ref progress));
        Assert.Equal(default, progress);

        Assert.Equal(RespParseStatus.Incomplete, Parse("*2\r\n$3\r\nGET\r\n", ref progress));
        Assert.Equal(RespParseStatus.Error, Parse("*2\r\n$3\r\nGET\r\n$+1\r\nk\r\n", ref progress));
        Assert.Equal(default, progress);
    }

    private RespParseStatus Parse(string input, ref RespParseProgress progress) =>
        RespParser.TryParse(Encoding.ASCII.GetBytes(input), Limits, ref progress, ref _arguments, ref _scratch, out _, out _, out _);
}
