using System.Text;
using Loop.Protocols.Resp;

namespace Loop.UnitTests.Resp;

/// <summary>Drives <see cref="RespParser"/> the way a connection does: parse what has arrived, keep the rest.</summary>
internal static class ParserFeed
{
    /// <summary>One parse of <paramref name="input"/> with fresh, deliberately tiny buffers (so growth is exercised too).</summary>
    public static (RespParseStatus Status, string[] Arguments, int Consumed, string? Error) ParseOne(byte[] input, RespLimits? limits = null)
    {
        var progress = default(RespParseProgress);
        var arguments = new RespArgument[1];
        var scratch = new byte[1];
        var status = RespParser.TryParse(input, limits ?? new RespLimits(), ref progress, ref arguments, ref scratch, out var count, out var consumed, out var error);
        var command = new RespCommand(input, scratch, arguments.AsSpan(0, count));
        return (status, Texts(command), consumed, error);
    }

    /// <summary>
    /// The non-empty commands found when <paramref name="data"/> arrives in chunks cut at <paramref name="cuts"/>; an
    /// incomplete command resumes from the progress of the call before.
    /// </summary>
    public static List<string[]> Commands(byte[] data, params int[] cuts)
    {
        var commands = new List<string[]>();
        var progress = default(RespParseProgress);
        var arguments = new RespArgument[1];
        var scratch = new byte[1];
        var carry = Array.Empty<byte>();
        var from = 0;
        foreach (var to in cuts.Append(data.Length))
        {
            var buffer = carry.Concat(data[from..to]).ToArray();
            from = to;
            var offset = 0;
            while (true)
            {
                var status = RespParser.TryParse(buffer.AsSpan(offset), new RespLimits(), ref progress, ref arguments, ref scratch, out var count, out var consumed, out var error);
                Assert.True(status != RespParseStatus.Error, error);
                if (status == RespParseStatus.Incomplete) { break; }
                if (count > 0) { commands.Add(Texts(new RespCommand(buffer.AsSpan(offset), scratch, arguments.AsSpan(0, count)))); }
                offset += consumed;
            }
            carry = buffer[offset..];
        }
        Assert.Empty(carry);
        return commands;
    }

    // Latin-1 maps every byte to one char, so escapes like \xff survive the round trip.
    private static string[] Texts(RespCommand command)
    {
        var texts = new string[command.Count];
        for (var i = 0; i < command.Count; i++) { texts[i] = Encoding.Latin1.GetString(command[i]); }
        return texts;
    }
}
