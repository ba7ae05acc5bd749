using System.Text;
using Loop.Protocols.Resp;

namespace Loop.UnitTests.Resp;

/// <summary>A parsed command's <see cref="RespCommand.Received"/>: its own bytes when it came as an array, else none.</summary>
public sealed class RespCommandTests
{
    [Theory]
    [InlineData("*1\r\n$4\r\nPING\r\n")]
    [InlineData("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\na\r\nb\r\n")]
    [InlineData("*12\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n8\r\n$1\r\n9\r\n$10\r\n0123456789\r\n")]
    public void An_array_command_was_received_as_its_bytes(string command)
    {
        var input = Encoding.Latin1.GetBytes(command + "*1\r\n$4\r\nPING\r\n"); // another command behind it
        Assert.Equal(command, Received(input, out _));
    }

    [Fact]
    public void An_inline_command_has_no_received_bytes()
    {
        Assert.Equal("", Received("SET key value\r\n"u8.ToArray(), out var count));
        Assert.Equal(3, count);
    }

    [Fact]
    public void A_skipped_command_has_no_received_bytes()
    {
        var input = "*4\r\n$7\r\nCOMMAND\r\n$7\r\nGETKEYS\r\n$3\r\nGET\r\n$1\r\nk\r\n"u8.ToArray();
        var arguments = new RespArgument[4];
        var (progress, scratch) = (default(RespParseProgress), Array.Empty<byte>());
        RespParser.TryParse(input, new RespLimits(), ref progress, ref arguments, ref scratch, out var count, out _, out _);
        var command = new RespCommand(input, scratch, arguments.AsSpan(0, count));
        Assert.False(command.Received.IsEmpty);
        Assert.True(command.Skip(2).Received.IsEmpty);
    }

    private static string Received(byte[] input, out int count)
    {
        var arguments = new RespArgument[1];
        var (progress, scratch) = (default(RespParseProgress), new byte[1]);
        Assert.Equal(RespParseStatus.Complete,
            RespParser.TryParse(input, new RespLimits(), ref progress, ref arguments, ref scratch, out count, out _, out _));
        return Encoding.Latin1.GetString(new RespCommand(input, scratch, arguments.AsSpan(0, count)).Received);
    }
}
