using System.Text;
using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Http;

/// <summary>Keep-alive, pipelining and the ways a connection ends, on raw sockets.</summary>
public sealed class ConnectionReuseTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Sixteen_pipelined_requests_are_answered_in_order_byte_exact(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var connection = await RawHttpConnection.Open(server.EndPoint);
        var requests = new StringBuilder();
        for (var i = 0; i < 16; i++)
        {
            requests.Append((i % 3) switch
            {
                0 => "GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n",
                1 => "GET /json HTTP/1.1\r\nHost: test\r\n\r\n",
                _ => $"POST / HTTP/1.1\r\nHost: test\r\nContent-Type: text/x-seq\r\nContent-Length: {$"request {i}".Length}\r\n\r\nrequest {i}",
            });
        }
        await connection.Send(requests.ToString());

        for (var i = 0; i < 16; i++)
        {
            var response = await connection.ReadResponse();
            var (type, body) = (i % 3) switch
            {
                0 => ("text/plain", "Hello, World!"),
                1 => ("application/json", """{"message":"Hello, World!"}"""),
                _ => ("text/x-seq", $"request {i}"),
            };
            var expected = $"HTTP/1.1 200 OK\r\nServer: Loop\r\nDate: {response.Header("Date")}\r\nContent-Type: {type}\r\nContent-Length: {body.Length}\r\n\r\n{body}";
            Assert.Equal(expected, Encoding.ASCII.GetString(response.Raw));
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_keep_alive_connection_serves_request_after_request(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var connection = await RawHttpConnection.Open(server.EndPoint);
        for (var i = 0; i < 5; i++)
        {
            await connection.Send("GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
            var response = await connection.ReadResponse();
            Assert.Equal("Hello, World!", response.BodyText);
            Assert.Null(response.Header("Connection"));
        }
        Assert.Equal(1, server.Loops[0].ConnectionCount);

        using var client = HttpTestServer.Client(server, maxConnections: 1);
        for (var i = 0; i < 5; i++) { Assert.Equal("OK", await client.GetStringAsync("/")); }
        Assert.Equal(2, server.Loops[0].ConnectionCount);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Connection_close_is_answered_then_the_connection_ends(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var connection = await RawHttpConnection.Open(server.EndPoint);
        await connection.Send("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
        var response = await connection.ReadResponse();
        Assert.Equal("OK", response.BodyText);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await connection.ClosedByServer(), "the request after Connection: close was answered");
        await Wait.Until(() => server.Loops[0].ConnectionCount == 0, "the closed connection to be released");
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Http_1_0_closes_unless_keep_alive_is_asked(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using (var keepAlive = await RawHttpConnection.Open(server.EndPoint))
        {
            await keepAlive.Send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal("keep-alive", (await keepAlive.ReadResponse()).Header("Connection"));
            await keepAlive.Send("GET / HTTP/1.0\r\n\r\n");
            var last = await keepAlive.ReadResponse();
            Assert.Equal("close", last.Header("Connection"));
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", Encoding.ASCII.GetString(last.Raw));
            Assert.True(await keepAlive.ClosedByServer());
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task HEAD_gets_the_GET_head_without_a_body_even_when_pipelined(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var connection = await RawHttpConnection.Open(server.EndPoint);
        await connection.Send("HEAD /plaintext HTTP/1.1\r\nHost: test\r\n\r\nGET /json HTTP/1.1\r\nHost: test\r\n\r\n");
        var head = await connection.ReadResponse(toHead: true);
        Assert.Equal("13", head.Header("Content-Length"));
        Assert.Empty(head.Body);
        Assert.Equal("""{"message":"Hello, World!"}""", (await connection.ReadResponse()).BodyText);
    }
}
