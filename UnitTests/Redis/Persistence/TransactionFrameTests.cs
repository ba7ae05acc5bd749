using System.Buffers;
using System.Text;
using Loop.Samples.Redis.Persistence;
using static Loop.UnitTests.Redis.Persistence.StoreValues;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>
/// A transaction is framed as Redis 7.0 propagates one: one command as it is, two or more ending in EXEC, SELECT inside
/// wherever the database changes; the stream it joins puts its first database's SELECT and MULTI ahead of it.
/// </summary>
public sealed class TransactionFrameTests
{
    [Fact]
    public void A_transaction_that_logged_nothing_is_no_piece()
    {
        var (frame, output) = (new TransactionFrame(), new ArrayBufferWriter<byte>());
        frame.Begin(0);
        Assert.True(frame.IsOpen);
        Assert.False(frame.HasCommands);
        Assert.Null(frame.End(output));
        Assert.False(frame.IsOpen);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void One_command_goes_as_it_is_in_its_database()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write(Bytes("before"));
        var frame = new TransactionFrame();
        frame.Begin(output.WrittenCount);
        Command(ref frame, output, 3, "INCR", "n");
        Assert.True(frame.HasCommands);
        Assert.Equal(new TransactionPiece(6, 3, 3, Multi: false), frame.End(output));
        Assert.Equal("before*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n", Text(output));
    }

    [Fact]
    public void Two_commands_or_more_end_in_EXEC_with_a_SELECT_where_the_database_changes()
    {
        var (frame, output) = (new TransactionFrame(), new ArrayBufferWriter<byte>());
        frame.Begin(0);
        frame.Begin(0); // a script inside EXEC: still the one transaction
        Command(ref frame, output, 1, "SET", "a", "1");
        Command(ref frame, output, 2, "SET", "b", "2");
        Command(ref frame, output, 2, "INCR", "b");
        Assert.Equal(new TransactionPiece(0, 1, 2, Multi: true), frame.End(output));
        Assert.Equal("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n" +
            "*2\r\n$4\r\nINCR\r\n$1\r\nb\r\n*1\r\n$4\r\nEXEC\r\n", Text(output));
    }

    [Theory]
    [InlineData(-1, 0, false, "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n")]
    [InlineData(0, 0, false, "")]
    [InlineData(0, 0, true, "*1\r\n$5\r\nMULTI\r\n")]
    [InlineData(0, 5, true, "*2\r\n$6\r\nSELECT\r\n$1\r\n5\r\n*1\r\n$5\r\nMULTI\r\n")]
    public void Ahead_of_a_piece_go_its_databases_SELECT_when_the_stream_has_another_then_MULTI(int streamDb, int db, bool multi, string expected)
    {
        var output = new ArrayBufferWriter<byte>();
        AofCommandWriter.BeforePiece(output, streamDb, db, multi);
        Assert.Equal(expected, Text(output));
    }

    private static void Command(ref TransactionFrame frame, ArrayBufferWriter<byte> output, int db, params string[] arguments)
    {
        frame.BeforeCommand(output, db);
        AofCommandWriter.Command(output, [.. arguments.Select(Bytes)]);
    }

    private static string Text(ArrayBufferWriter<byte> output) => Encoding.Latin1.GetString(output.WrittenSpan);
}
