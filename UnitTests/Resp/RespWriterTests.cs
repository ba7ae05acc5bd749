using System.Buffers;
using System.Text;
using Loop.Protocols.Resp;

namespace Loop.UnitTests.Resp;

/// <summary>Each reply type, byte for byte, as Redis spells it in RESP2 and after HELLO 3.</summary>
public sealed class RespWriterTests
{
    [Theory]
    [InlineData(2, "$-1\r\n")]
    [InlineData(3, "_\r\n")]
    public void Null(int protocol, string expected) => Assert.Equal(expected, Write(protocol, w => w.Null()));

    [Theory]
    [InlineData(2, "*-1\r\n")]
    [InlineData(3, "_\r\n")]
    public void NullArray(int protocol, string expected) => Assert.Equal(expected, Write(protocol, w => w.NullArray()));

    [Theory]
    [InlineData(2, "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n")]
    [InlineData(3, "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n")]
    public void Map_counts_pairs_in_resp3_and_elements_in_resp2(int protocol, string expected) =>
        Assert.Equal(expected, Write(protocol, w => { w.Map(2); w.Bulk("a"); w.Integer(1); w.Bulk("b"); w.Integer(2); }));

    [Theory]
    [InlineData(2, "*2\r\n$1\r\nx\r\n$1\r\ny\r\n")]
    [InlineData(3, "~2\r\n$1\r\nx\r\n$1\r\ny\r\n")]
    public void Set(int protocol, string expected) => Assert.Equal(expected, Write(protocol, w => { w.Set(2); w.Bulk("x"); w.Bulk("y"); }));

    // A recorded RESP3 reply: the bulk string holding "%2\r\n~1" is data, not headers.
    private const string Recorded = "*3\r\n$8\r\n%2\r\n~1\r\n\r\n%2\r\n$1\r\na\r\n~2\r\n+x\r\n+y\r\n$1\r\nb\r\n:-3\r\n~0\r\n";

    [Theory]
    [InlineData(2, "*3\r\n$8\r\n%2\r\n~1\r\n\r\n*4\r\n$1\r\na\r\n*2\r\n+x\r\n+y\r\n$1\r\nb\r\n:-3\r\n*0\r\n")]
    [InlineData(3, Recorded)]
    public void Resp3_is_written_as_is_or_with_maps_and_sets_as_arrays(int protocol, string expected) =>
        Assert.Equal(expected, Write(protocol, w => w.Resp3(Encoding.ASCII.GetBytes(Recorded))));

    [Theory]
    [InlineData(2, "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n")]
    [InlineData(3, ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n")]
    public void Push(int protocol, string expected) =>
        Assert.Equal(expected, Write(protocol, w => { w.Push(3); w.Bulk("message"); w.Bulk("ch"); w.Bulk("hi"); }));

    [Theory]
    [InlineData(2, 1.5, "$3\r\n1.5\r\n")]
    [InlineData(3, 1.5, ",1.5\r\n")]
    [InlineData(3, 3.0, ",3\r\n")]
    [InlineData(3, -0.1, ",-0.10000000000000001\r\n")]
    [InlineData(2, double.PositiveInfinity, "$3\r\ninf\r\n")]
    [InlineData(3, double.PositiveInfinity, ",inf\r\n")]
    [InlineData(2, double.NegativeInfinity, "$4\r\n-inf\r\n")]
    [InlineData(3, double.NegativeInfinity, ",-inf\r\n")]
    [InlineData(2, 1e20, "$5\r\n1e+20\r\n")]
    [InlineData(3, 1e20, ",1e+20\r\n")]
    [InlineData(3, 0.1 + 0.2, ",0.30000000000000004\r\n")]
    [InlineData(3, -0.0, ",-0\r\n")]
    [InlineData(3, 1e15, ",1000000000000000\r\n")]
    [InlineData(3, -4611686018427387904.0, ",-4.6116860184273879e+18\r\n")]
    [InlineData(3, 9223372036854775807.0, ",9.2233720368547758e+18\r\n")]
    [InlineData(3, 1e25, ",1.0000000000000001e+25\r\n")]
    [InlineData(3, 1.5e300, ",1.5000000000000001e+300\r\n")]
    [InlineData(3, 0.00001, ",1.0000000000000001e-05\r\n")]
    [InlineData(3, -0.00012, ",-0.00012\r\n")]
    [InlineData(3, 1.5e-7, ",1.4999999999999999e-07\r\n")]
    [InlineData(3, 1e-100, ",1e-100\r\n")]
    [InlineData(3, 1234.5678901, ",1234.5678901000001\r\n")]
    [InlineData(3, 1e16, ",10000000000000000\r\n")]
    [InlineData(3, 1e17, ",1e+17\r\n")]
    [InlineData(3, 0.0012345678901, ",0.0012345678901\r\n")]
    public void Double(int protocol, double value, string expected) => Assert.Equal(expected, Write(protocol, w => w.Double(value)));

    [Theory]
    [InlineData(2, true, ":1\r\n")]
    [InlineData(2, false, ":0\r\n")]
    [InlineData(3, true, "#t\r\n")]
    [InlineData(3, false, "#f\r\n")]
    public void Boolean(int protocol, bool value, string expected) => Assert.Equal(expected, Write(protocol, w => w.Boolean(value)));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Protocol_independent_replies_are_the_same_in_both(int protocol)
    {
        Assert.Equal("$5\r\nhello\r\n", Write(protocol, w => w.Bulk("hello"u8)));
        Assert.Equal("$0\r\n\r\n", Write(protocol, w => w.Bulk(ReadOnlySpan<byte>.Empty)));
        Assert.Equal("$4\r\na\r\nb\r\n", Write(protocol, w => w.Bulk("a\r\nb")));
        Assert.Equal("$2\r\n\u00c3\u00a9\r\n", Write(protocol, w => w.Bulk("é")));
        Assert.Equal("$3\r\n-42\r\n", Write(protocol, w => w.BulkInteger(-42)));
        Assert.Equal(":0\r\n", Write(protocol, w => w.Integer(0)));
        Assert.Equal(":-9223372036854775808\r\n", Write(protocol, w => w.Integer(long.MinValue)));
        Assert.Equal("*0\r\n", Write(protocol, w => w.Array(0)));
        Assert.Equal("+OK\r\n", Write(protocol, w => w.Ok()));
        Assert.Equal("+PONG\r\n", Write(protocol, w => w.SimpleString("PONG")));
        Assert.Equal("-ERR syntax error\r\n", Write(protocol, w => w.Error("ERR syntax error")));
    }

    // A CR or LF inside a line would end the reply early (a client then reads the rest as another reply): as Redis,
    // they are written as spaces, and an error's trailing ones are left out (addReplyErrorFormat).
    [Fact]
    public void Lines_never_break_inside()
    {
        Assert.Equal("-ERR unknown subcommand 'a  -x  b'. Try CLIENT HELP.\r\n", Write(2, w => w.Error("ERR unknown subcommand 'a\r\n-x\r\nb'. Try CLIENT HELP.")));
        Assert.Equal("-ERR Unsupported option x\r\n", Write(2, w => w.Error("ERR Unsupported option x\r\n")));
        Assert.Equal("+a b c\r\n", Write(2, w => w.SimpleString("a\rb\nc")));
        Assert.Equal("+a b\r\n", Write(2, w => w.SimpleString("a\nb"u8)));
    }

    // Text decoded by RespText is written back as the bytes it came from, valid UTF-8 or not.
    [Theory]
    [InlineData(new byte[] { 0x61, 0xff, 0x62 })]
    [InlineData(new byte[] { 0xc3, 0xa9, 0xc3 })]
    [InlineData(new byte[] { 0xf0, 0x90, 0x82, 0x80, 0x80 })] // U+10080, whose low surrogate is DC80, then a lone continuation byte
    [InlineData(new byte[] { 0xed, 0xb2, 0x80 })] // a surrogate spelled in UTF-8, which is not valid UTF-8
    public void Text_keeps_the_bytes_it_was_made_from(byte[] bytes)
    {
        var text = RespText.Decode(bytes);
        Assert.Equal(bytes.Length, RespText.ByteCount(text));
        Assert.Equal(bytes, Encoding.Latin1.GetBytes(Write(2, w => w.SimpleString(text)))[1..^2]);
        Assert.Equal("$" + bytes.Length + "\r\n" + Encoding.Latin1.GetString(bytes) + "\r\n", Write(2, w => w.Bulk(text)));
    }

    // Latin-1 shows each written byte as one char (é is written as its two UTF-8 bytes, C3 A9).
    private static string Write(int protocol, Action<RespWriter> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(new RespWriter(output) { Protocol = protocol });
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }
}
