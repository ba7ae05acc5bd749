using System.Text;
using Loop.IntegrationTests.Infrastructure;
using Loop.Protocols.Http;

namespace Loop.IntegrationTests.Http;

/// <summary>Bodies by Content-Length and chunked, arriving in pieces, and the limits on them.</summary>
public sealed class RequestBodyTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_chunked_upload_sent_in_pieces_is_echoed_whole(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var connection = await RawHttpConnection.Open(server.EndPoint);
        string[] pieces =
        [
            "POST / HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n",
            "6;note=\"first\"\r\nHello,", "\r\n7\r\n World!\r", "\n1000\r\n" + new string('x', 4096), "\r\n0\r\nX-Checksum: none\r\n", "\r\n",
        ];
        foreach (var piece in pieces)
        {
            await connection.Send(piece);
            await Task.Yield();
        }
        var response = await connection.ReadResponse();
        Assert.Equal("chunked", response.Header("Transfer-Encoding"));
        Assert.Equal("Hello, World!" + new string('x', 4096), response.BodyText);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_large_body_by_Content_Length_arriving_slowly_is_echoed_whole(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var connection = await RawHttpConnection.Open(server.EndPoint);
        var body = Enumerable.Range(0, 300_000).Select(i => (byte)('a' + i % 26)).ToArray();
        await connection.Send($"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: {body.Length}\r\n\r\n");
        for (var sent = 0; sent < body.Length; sent += 50_000) { await connection.Send(body[sent..(sent + 50_000)]); }
        Assert.Equal(body, (await connection.ReadResponse()).Body);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Expect_100_continue_is_answered_before_the_body_is_sent(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var connection = await RawHttpConnection.Open(server.EndPoint);
        await connection.Send("POST / HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        var interim = await connection.ReadResponse();
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", Encoding.ASCII.GetString(interim.Raw));
        await connection.Send("hello");
        Assert.Equal("hello", (await connection.ReadResponse()).BodyText);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_body_over_the_limit_is_refused_from_its_Content_Length_alone(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend, new HttpOptions { MaxRequestBodyBytes = 1024 });
        using (var atLimit = await RawHttpConnection.Open(server.EndPoint))
        {
            await atLimit.Send("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 1024\r\n\r\n" + new string('b', 1024));
            Assert.Equal(1024, (await atLimit.ReadResponse()).Body.Length);
        }
        using var over = await RawHttpConnection.Open(server.EndPoint);
        await over.Send("POST / HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 1025\r\n\r\n");
        var refused = await over.ReadResponse();
        Assert.Equal(413, refused.Status);
        Assert.Equal("close", refused.Header("Connection"));
        Assert.True(await over.ClosedByServer());
    }
}
