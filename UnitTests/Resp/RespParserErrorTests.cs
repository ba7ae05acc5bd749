using System.Text;
using Loop.Protocols.Resp;

namespace Loop.UnitTests.Resp;

/// <summary>Malformed requests are errors worded as Redis words them (the connection then answers and closes).</summary>
public sealed class RespParserErrorTests
{
    [Theory]
    [InlineData("*abc\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*1x\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*1\r\nxyz\r\n", "Protocol error: expected '$', got 'x'")]
    [InlineData("*2\r\n$4\r\nECHO\r\n:1\r\n", "Protocol error: expected '$', got ':'")]
    [InlineData("*1\r\n$abc\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$-1\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$3\r\nabcXY", "Protocol error: bulk string not terminated by CRLF")]
    // Lengths are read as Redis's string2ll reads them: no '+', no leading zero, no "-0", no space, no overflow.
    [InlineData("*+1\r\n$4\r\nPING\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*01\r\n$4\r\nPING\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*-0\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("* 1\r\n$4\r\nPING\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*1\r\n$+4\r\nPING\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$04\r\nPING\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$-0\r\n\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$4 \r\nPING\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$99999999999999999999\r\n", "Protocol error: invalid bulk length")]
    [InlineData("SET k \"a b\r\n", "Protocol error: unbalanced quotes in request")]
    [InlineData("SET k 'a b\r\n", "Protocol error: unbalanced quotes in request")]
    [InlineData("SET k \"a\"b\r\n", "Protocol error: unbalanced quotes in request")]
    public void Malformed_framing_is_a_protocol_error(string request, string expected)
    {
        var result = ParserFeed.ParseOne(Encoding.Latin1.GetBytes(request));
        Assert.Equal(RespParseStatus.Error, result.Status);
        Assert.Equal(expected, result.Error);
    }

    [Fact]
    public void An_inline_request_longer_than_the_limit_without_a_newline_is_too_big()
    {
        var limit = new RespLimits().MaxInlineLength;
        Assert.Equal(RespParseStatus.Incomplete, ParserFeed.ParseOne(Filled((byte)'a', limit)).Status);
        var result = ParserFeed.ParseOne(Filled((byte)'a', limit + 1));
        Assert.Equal(RespParseStatus.Error, result.Status);
        Assert.Equal("Protocol error: too big inline request", result.Error);
    }

    [Theory]
    [InlineData("*", "Protocol error: too big mbulk count string")]
    [InlineData("*1\r\n$", "Protocol error: too big bulk count string")]
    public void A_length_line_longer_than_the_limit_without_a_newline_is_too_big(string prefix, string expected)
    {
        var limit = new RespLimits().MaxInlineLength;
        var input = Encoding.ASCII.GetBytes(prefix).Concat(Filled((byte)'1', limit + 1)).ToArray();
        var result = ParserFeed.ParseOne(input);
        Assert.Equal(RespParseStatus.Error, result.Status);
        Assert.Equal(expected, result.Error);
    }

    [Theory]
    [InlineData("*1\r\n$16\r\n", "*1\r\n$17\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*4\r\n", "*5\r\n", "Protocol error: invalid multibulk length")]
    public void A_bulk_or_array_past_its_configured_limit_is_an_invalid_length(string atLimit, string pastLimit, string expected)
    {
        var limits = new RespLimits { MaxBulkLength = 16, MaxArrayLength = 4 };
        Assert.Equal(RespParseStatus.Incomplete, ParserFeed.ParseOne(Encoding.ASCII.GetBytes(atLimit), limits).Status);
        var result = ParserFeed.ParseOne(Encoding.ASCII.GetBytes(pastLimit), limits);
        Assert.Equal(RespParseStatus.Error, result.Status);
        Assert.Equal(expected, result.Error);
    }

    private static byte[] Filled(byte value, int length) => Enumerable.Repeat(value, length).ToArray();
}
