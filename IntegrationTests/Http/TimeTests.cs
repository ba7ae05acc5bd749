using Loop.IntegrationTests.Infrastructure;
using Loop.Protocols.Http;

namespace Loop.IntegrationTests.Http;

/// <summary>What the loop's once-a-second tick does: refresh the Date header and end connections that stall.</summary>
public sealed class TimeTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_Date_header_follows_the_clock(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var client = HttpTestServer.Client(server);
        using var firstResponse = await client.GetAsync("/");
        var first = firstResponse.Headers.Date!.Value;
        Assert.True((first - DateTimeOffset.UtcNow).Duration() < TimeSpan.FromSeconds(5), $"Date {first} is not now");

        // Poll: the loop's tick rewrites the Date line once a second.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        DateTimeOffset later;
        do
        {
            await Task.Delay(50, timeout.Token);
            using var response = await client.GetAsync("/", timeout.Token);
            later = response.Headers.Date!.Value;
        }
        while (later == first);
        Assert.InRange(later - first, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_half_sent_request_is_answered_408_when_its_headers_take_too_long(Backend backend)
    {
        var options = new HttpOptions { RequestHeadersTimeout = TimeSpan.FromMilliseconds(200) };
        await using var server = HttpTestServer.Start(backend, options);
        using var slow = await RawHttpConnection.Open(server.EndPoint);
        using var idle = await RawHttpConnection.Open(server.EndPoint);
        await slow.Send("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ");

        var response = await slow.ReadResponse();
        Assert.Equal(408, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await slow.ClosedByServer());

        // A connection between requests is not held to the headers timeout.
        await idle.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("OK", (await idle.ReadResponse()).BodyText);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task An_idle_keep_alive_connection_is_closed_silently(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend, new HttpOptions { IdleTimeout = TimeSpan.FromMilliseconds(200) });
        using var connection = await RawHttpConnection.Open(server.EndPoint);
        await connection.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("OK", (await connection.ReadResponse()).BodyText);
        Assert.True(await connection.ClosedByServer());
    }
}
