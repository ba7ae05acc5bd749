using System.Text;
using Loop.Protocols.Http;

namespace Loop.UnitTests.Http;

public sealed class RequestSplitTests
{
    public static TheoryData<string> Requests => new(
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b?x=1 HTTP/1.1\r\nHost: a\r\n\r\nHEAD /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        "POST /submit?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world",
        "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value ; q=\"quoted \\\" str\"\r\nhello\r\n6\r\n world\r\n0\r\nTrailer-One: x\r\n\r\n",
        "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip-not, chunked\r\n\r\n0\r\n\r\n",
        "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /old HTTP/1.0\r\n\r\n",
        "\r\n\r\nGET /after-empty-lines HTTP/1.1\r\nHost: a\r\n\r\n",
        "PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        "GET http://example.com:8080/abs?q HTTP/1.1\r\nHost: example.com:8080\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Spaces:   padded value \t \r\nX-Empty:\r\nX-Obs-Text: caf\u00e9\r\n\r\n",
        "GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/1.1\r\nHost : a\r\n\r\n",
        "POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhel");

    // Whether "100 Continue" is due depends on where the body starts arriving, so only the requests compare.
    [Theory]
    [MemberData(nameof(Requests))]
    public void Every_split_position_gives_the_same_result(string request)
    {
        var options = new HttpOptions();
        var bytes = Encoding.Latin1.GetBytes(request);
        var whole = WithoutInterim(RequestFeed.Run(options, [bytes]));
        Assert.NotEmpty(whole);
        for (var at = 0; at <= bytes.Length; at++)
        {
            Assert.Equal(whole, WithoutInterim(RequestFeed.RunSplit(options, bytes, at)));
        }
        Assert.Equal(whole, WithoutInterim(RequestFeed.RunBytewise(options, bytes)));
    }

    private static List<string> WithoutInterim(List<string> outcomes) => outcomes.Where(o => o != "100-continue").ToList();

    [Fact]
    public void A_request_is_read_into_method_target_path_query_headers_and_body()
    {
        var outcome = Assert.Single(RequestFeed.Run(
            "POST /submit?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 11\r\nX-Pad:  v  \r\n\r\nhello world"));
        Assert.Equal("POST /submit?x=1&y=2 path=/submit query=x=1&y=2 Http11 [Host: example.com] [Content-Length: 11] [X-Pad: v] body=hello world keep-alive=True", outcome);
    }

    [Theory]
    [InlineData("GET http://localhost:8080/plaintext HTTP/1.1\r\nHost: localhost:8080\r\n\r\n", "/plaintext")]
    [InlineData("GET HTTP://LocalHost:8080/plaintext?x HTTP/1.1\r\nHost: localhost:8080\r\n\r\n", "/plaintext")]
    [InlineData("GET https://[::1]:8443?x HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n", "/")]
    [InlineData("GET http://a/old HTTP/1.0\r\n\r\n", "/old")]
    public void An_absolute_form_target_naming_the_host_is_read_with_its_path(string request, string path)
    {
        Assert.Contains($" path={path} query=", Assert.Single(RequestFeed.Run(request)));
    }

    [Theory]
    [InlineData("/a%2Fb")]
    [InlineData("/%2f%20%41")]
    [InlineData("/%2500")]
    [InlineData("/%0")]
    [InlineData("/caf%C3%A9")]
    public void Percent_escapes_other_than_a_nul_are_kept_as_sent(string path)
    {
        Assert.Contains($" path={path} query=", Assert.Single(RequestFeed.Run($"GET {path} HTTP/1.1\r\nHost: a\r\n\r\n")));
    }

    [Fact]
    public void A_nul_escaped_in_the_query_is_left_to_the_application()
    {
        Assert.Contains(" path=/ query=a=%00 ", Assert.Single(RequestFeed.Run("GET /?a=%00 HTTP/1.1\r\nHost: a\r\n\r\n")));
    }

    [Fact]
    public void A_chunked_body_is_decoded_and_its_extensions_and_trailers_dropped()
    {
        var outcome = Assert.Single(RequestFeed.Run(
            "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n00005\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n"));
        Assert.EndsWith("body=hello world keep-alive=True", outcome);
        Assert.DoesNotContain("X-Trailer", outcome);
    }

    [Fact]
    public void A_chunked_body_keeps_every_chunk_as_it_grows()
    {
        var chunks = new[] { 3, 20, 200, 2000, 5000 }.Select((n, i) => new string((char)('a' + i), n)).ToArray();
        var request = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + string.Concat(chunks.Select(c => $"{c.Length:x}\r\n{c}\r\n")) + "0\r\n\r\n";
        Assert.EndsWith($"body={string.Concat(chunks)} keep-alive=True", Assert.Single(RequestFeed.Run(request)));
    }

    [Fact]
    public void Pipelined_requests_are_read_in_order()
    {
        var outcomes = RequestFeed.Run(string.Concat(Enumerable.Range(0, 16).Select(i => $"GET /{i} HTTP/1.1\r\nHost: a\r\n\r\n")));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"/{i}"), outcomes.Select(o => o.Split(' ')[1]));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true)]
    public void Keep_alive_follows_the_version_and_the_connection_header(string request, bool keepAlive)
    {
        Assert.EndsWith($"keep-alive={keepAlive}", Assert.Single(RequestFeed.Run(request)));
    }

    [Fact]
    public void Expect_100_continue_is_announced_only_while_the_body_is_missing()
    {
        const string head = "PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
        var options = new HttpOptions();
        Assert.Equal(["100-continue", "incomplete"], RequestFeed.Run(options, head));
        var inPieces = RequestFeed.Run(options, [Encoding.ASCII.GetBytes(head), "ab"u8.ToArray(), "c"u8.ToArray()]);
        Assert.Equal(2, inPieces.Count);
        Assert.Equal("100-continue", inPieces[0]);
        Assert.EndsWith("body=abc keep-alive=True", inPieces[1]);
        Assert.Single(RequestFeed.Run(options, head + "abc"));
        Assert.Single(RequestFeed.Run(options, head.Replace("HTTP/1.1", "HTTP/1.0") + "abc"));
    }
}
