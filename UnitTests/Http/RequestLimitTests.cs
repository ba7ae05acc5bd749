using System.Text;
using Loop.Protocols.Http;

namespace Loop.UnitTests.Http;

/// <summary>Each limit lets a request exactly at it pass and refuses one byte (or field) more.</summary>
public sealed class RequestLimitTests
{
    private static readonly HttpOptions Defaults = new();

    [Theory]
    [InlineData(0, "GET")]
    [InlineData(1, "error 414")]
    public void Request_line_of_8_KiB_passes_and_one_byte_more_is_414(int over, string outcome)
    {
        var line = RequestLine(Defaults.MaxRequestLineBytes + over);
        Assert.StartsWith(outcome, Assert.Single(RequestFeed.Run(line + "\r\nHost: a\r\n\r\n")));
    }

    [Fact]
    public void A_request_line_past_the_limit_is_refused_before_it_ends()
    {
        Assert.Equal(["incomplete"], RequestFeed.Run(RequestLine(Defaults.MaxRequestLineBytes) + "\r"));
        Assert.Equal(["error 414"], RequestFeed.Run(RequestLine(Defaults.MaxRequestLineBytes + 2)));
    }

    [Theory]
    [InlineData(0, "GET")]
    [InlineData(1, "error 431")]
    public void Header_block_of_32_KiB_passes_and_one_byte_more_is_431(int over, string outcome)
    {
        Assert.StartsWith(outcome, Assert.Single(RequestFeed.Run("GET / HTTP/1.1\r\n" + HeaderLines(Defaults.MaxHeaderBytes + over) + "\r\n")));
    }

    [Fact]
    public void A_header_block_past_the_limit_is_refused_before_it_ends()
    {
        var head = "GET / HTTP/1.1\r\n" + HeaderLines(Defaults.MaxHeaderBytes);
        Assert.Equal(["incomplete"], RequestFeed.Run(head + "\r"));
        Assert.Equal(["error 431"], RequestFeed.Run(head + "X:"));
    }

    [Theory]
    [InlineData(0, "GET")]
    [InlineData(1, "error 431")]
    public void A_hundred_fields_pass_and_one_more_is_431(int over, string outcome)
    {
        var fields = string.Concat(Enumerable.Range(1, Defaults.MaxHeaderCount - 1 + over).Select(i => $"X-{i}: {i}\r\n"));
        Assert.StartsWith(outcome, Assert.Single(RequestFeed.Run($"GET / HTTP/1.1\r\nHost: a\r\n{fields}\r\n")));
    }

    [Fact]
    public void Trailers_count_against_the_field_limit()
    {
        var fields = string.Concat(Enumerable.Range(1, Defaults.MaxHeaderCount - 3).Select(i => $"X-{i}: {i}\r\n")); // 99 with Host and Transfer-Encoding
        var request = $"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n{fields}\r\n0\r\n";
        Assert.Equal(["error 431"], RequestFeed.Run(request + "T-1: x\r\nT-2: x\r\n\r\n"));
        Assert.StartsWith("POST", Assert.Single(RequestFeed.Run(request + "T-1: x\r\n\r\n")));
    }

    [Theory]
    [InlineData(0, "POST")]
    [InlineData(1, "error 413")]
    public void Body_at_the_limit_passes_and_a_longer_Content_Length_is_413_before_the_body(int over, string outcome)
    {
        var options = new HttpOptions { MaxRequestBodyBytes = 1000 };
        var head = $"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {1000 + over}\r\n\r\n";
        var outcomes = RequestFeed.Run(options, [Encoding.ASCII.GetBytes(head), new byte[1000 + over]]);
        Assert.StartsWith(outcome, Assert.Single(outcomes));
        // Decided from the head alone: the body never has to arrive.
        Assert.Equal(over == 0 ? ["incomplete"] : ["error 413"], RequestFeed.Run(options, head));
    }

    [Theory]
    [InlineData(0, "POST")]
    [InlineData(1, "error 413")]
    public void Chunked_body_at_the_limit_passes_and_a_chunk_past_it_is_413(int over, string outcome)
    {
        var options = new HttpOptions { MaxRequestBodyBytes = 1000 };
        var last = 1000 - 600 + over;
        var request = $"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n{new string('a', 600)}\r\n{last:x}\r\n{new string('b', last)}\r\n0\r\n\r\n";
        Assert.StartsWith(outcome, Assert.Single(RequestFeed.Run(options, request)));
    }

    // "GET /aaa… HTTP/1.1" of exactly `length` bytes.
    private static string RequestLine(int length) => "GET /" + new string('a', length - "GET / HTTP/1.1".Length) + " HTTP/1.1";

    // Host plus filler fields whose lines, CRLFs included, add up to exactly `bytes`.
    private static string HeaderLines(int bytes)
    {
        var lines = new StringBuilder("Host: a\r\n");
        while (bytes - lines.Length > 0)
        {
            var left = bytes - lines.Length;
            var length = Math.Min(left, 1000);
            if (left - length is > 0 and < 8) { length -= 8; } // leave room for one more valid line
            lines.Append("X: ").Append('v', length - 5).Append("\r\n");
        }
        Assert.Equal(bytes, lines.Length);
        return lines.ToString();
    }
}
