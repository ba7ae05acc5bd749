using Loop.Protocols.Http;

namespace Loop.UnitTests.Http;

/// <summary>Every request RFC 9112 / 9110 does not allow is refused, with the status to answer it.</summary>
public sealed class RequestRejectionTests
{
    private const string Get = "GET / HTTP/1.1\r\nHost: a\r\n";
    private const string Post = "POST / HTTP/1.1\r\nHost: a\r\n";

    [Theory]
    // Framing: both lengths, duplicate or malformed Content-Length, and transfer codings that do not end in chunked.
    [InlineData(Post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400)]
    [InlineData(Post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400)]
    [InlineData(Post + "Content-Length: 5, 5\r\n\r\nhello", 400)]
    [InlineData(Post + "Content-Length: +5\r\n\r\nhello", 400)]
    [InlineData(Post + "Content-Length: -5\r\n\r\n", 400)]
    [InlineData(Post + "Content-Length: -0\r\n\r\n", 400)]
    [InlineData(Post + "Content-Length: 0x5\r\n\r\nhello", 400)]
    [InlineData(Post + "Content-Length: 5 5\r\n\r\nhello", 400)]
    [InlineData(Post + "Content-Length: \r\n\r\n", 400)]
    [InlineData(Post + "Content-Length: 99999999999999999999\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: gzip\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked, gzip\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: \r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: ,\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501)]
    [InlineData(Post + "Transfer-Encoding: x-custom, chunked\r\n\r\n0\r\n\r\n", 501)]
    // Chunk sizes and extensions.
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\nx\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n-1\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n5;a=\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n5;a=\"open\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n5;a b\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n", 400)]
    // Line endings, field syntax and values.
    [InlineData("GET / HTTP/1.1\nHost: a\n\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\n\r\n", 400)]
    [InlineData("GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData(Get + "X: a\rb\r\n\r\n", 400)]
    [InlineData(Get + "X : a\r\n\r\n", 400)]
    [InlineData(Get + "X\t: a\r\n\r\n", 400)]
    [InlineData(Get + ": a\r\n\r\n", 400)]
    [InlineData(Get + "No colon\r\n\r\n", 400)]
    [InlineData(Get + "X(y): a\r\n\r\n", 400)]
    [InlineData(Get + "X@y: a\r\n\r\n", 400)]
    [InlineData(Get + "X: a\u0001b\r\n\r\n", 400)]
    [InlineData(Get + "X: a\u0000b\r\n\r\n", 400)]
    [InlineData(Get + "X: a\u007fb\r\n\r\n", 400)]
    [InlineData(Get + "X: a\r\n folded\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400)]
    // Host.
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400)]
    [InlineData(Get + "Host: b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost:\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400)]
    // An absolute-form target whose authority is not the Host (RFC 9112 §3.2.2).
    [InlineData("GET http://other.example/path HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET http://a:8080/ HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET http://a/ HTTP/1.1\r\nHost: a:8080\r\n\r\n", 400)]
    [InlineData("GET https://b?q HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET http://user@a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET http://b/ HTTP/1.0\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET http://a/ HTTP/1.1\r\n\r\n", 400)]
    // A path that decodes to a NUL, and raw controls in the target.
    [InlineData("GET /%00 HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a%00b?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a/%00 HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET http://a/%00 HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a\u0000b HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a\u007fb HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    // Request line: version, target, method, spacing.
    [InlineData("GET / http/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/11\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505)]
    [InlineData("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505)]
    [InlineData("GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505)]
    public void Is_refused_with_its_status(string request, int status)
    {
        Assert.Equal($"error {status}", Assert.Single(RequestFeed.Run(request)));
    }

    [Fact]
    public void A_refusal_ends_the_pipeline_after_the_requests_before_it()
    {
        var outcomes = RequestFeed.Run(Get + "\r\n" + "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx" + Get + "\r\n");
        Assert.Equal(2, outcomes.Count);
        Assert.StartsWith("GET / ", outcomes[0]);
        Assert.Equal("error 400", outcomes[1]);
    }
}
