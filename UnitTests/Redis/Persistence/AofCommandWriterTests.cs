using System.Buffers;
using System.Text;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Persistence;
using static Loop.UnitTests.Redis.Persistence.StoreValues;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>Commands are written as Redis's AOF holds them (the fixture tests compare with a file redis-server wrote).</summary>
public sealed class AofCommandWriterTests
{
    [Fact]
    public void A_command_is_a_count_then_each_argument_as_a_bulk_string()
    {
        var output = new ArrayBufferWriter<byte>();
        AofCommandWriter.Command(output, [Bytes("SET"), Bytes("key"), [], Bytes("a\r\nb")]);
        Assert.Equal("*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n$0\r\n\r\n$4\r\na\r\nb\r\n", Encoding.Latin1.GetString(output.WrittenSpan));
    }

    [Fact]
    public void A_received_command_is_written_as_its_arguments_are()
    {
        var input = Bytes("RPUSH list value");
        RespArgument[] arguments = [new(0, 5, false), new(6, 4, false), new(11, 5, false)];
        var received = new ArrayBufferWriter<byte>();
        AofCommandWriter.Command(received, new RespCommand(input, [], arguments));
        var built = new ArrayBufferWriter<byte>();
        AofCommandWriter.Command(built, [Bytes("RPUSH"), Bytes("list"), Bytes("value")]);
        Assert.Equal(built.WrittenSpan.ToArray(), received.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$4\r\na\r\nb\r\n")]
    [InlineData("SET key \"a\\r\\nb\"\r\n")]
    public void A_parsed_command_is_written_as_its_arguments_are_whether_it_came_as_an_array_or_inline(string sent)
    {
        var input = Encoding.Latin1.GetBytes(sent);
        var (arguments, scratch, progress) = (new RespArgument[4], new byte[64], default(RespParseProgress));
        RespParser.TryParse(input, new RespLimits(), ref progress, ref arguments, ref scratch, out var count, out _, out _);
        var received = new ArrayBufferWriter<byte>();
        AofCommandWriter.Command(received, new RespCommand(input, scratch, arguments.AsSpan(0, count)));
        Assert.Equal("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$4\r\na\r\nb\r\n", Encoding.Latin1.GetString(received.WrittenSpan));
    }

    [Theory]
    [InlineData(0, "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n")]
    [InlineData(15, "*2\r\n$6\r\nSELECT\r\n$2\r\n15\r\n")]
    [InlineData(int.MaxValue, "*2\r\n$6\r\nSELECT\r\n$10\r\n2147483647\r\n")]
    public void Select_is_spelled_as_redis_spells_it(int db, string expected)
    {
        var output = new ArrayBufferWriter<byte>();
        AofCommandWriter.Select(output, db);
        Assert.Equal(expected, Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void What_is_written_reads_back_the_same_even_across_the_reader_buffer()
    {
        var output = new ArrayBufferWriter<byte>();
        var big = new byte[200_000];
        Random.Shared.NextBytes(big);
        List<byte[][]> commands = [[Bytes("SET"), Bytes("big"), big]];
        for (var i = 0; i < 5000; i++) { commands.Add([Bytes("INCR"), Bytes($"counter:{i}")]); }
        commands.Add([Bytes("APPEND"), Bytes("big"), big]);
        foreach (var command in commands) { AofCommandWriter.Command(output, command); }

        foreach (var seekable in new[] { true, false })
        {
            var (sink, result) = CollectingCommandSink.Read(output.WrittenSpan.ToArray(), seekable: seekable);
            Assert.Equal(commands.Select(c => string.Join(' ', c.Select(Encoding.Latin1.GetString))), sink.Texts);
            Assert.Equal(new AofReadResult(output.WrittenCount, Truncated: false), result);
        }
    }
}
