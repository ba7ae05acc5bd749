using System.Collections.Concurrent;
using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;
using Loop.Protocols.Http;

namespace Loop.IntegrationTests.Http;

/// <summary>
/// <see cref="HttpResponse.Defer"/>: a response completed later from another thread keeps pipelined responses in
/// order, leaves the loop's other connections served, and is dropped when its connection closed first.
/// </summary>
public sealed class DeferredResponseTests
{
    private readonly ConcurrentQueue<HttpDeferredResponse> _deferred = new();

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Pipelined_requests_behind_a_deferred_response_are_answered_after_it_in_order(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend, router: Router());
        using var connection = await RawHttpConnection.Open(server.EndPoint);
        await connection.Send(Get("/later") + Get("/now") + Get("/later") + Get("/now"));

        var first = await NextDeferred();
        // The second /later is behind the first: it is not even read until the first response is complete.
        Assert.Empty(_deferred);
        await Task.Run(() => Complete(first, "later 1"));
        var second = await NextDeferred();
        Complete(second, "later 2");

        Assert.Equal(["later 1", "now", "later 2", "now"], [
            (await connection.ReadResponse()).BodyText, (await connection.ReadResponse()).BodyText,
            (await connection.ReadResponse()).BodyText, (await connection.ReadResponse()).BodyText]);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Other_connections_are_served_while_a_response_is_deferred(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend, router: Router());
        using var waiting = await RawHttpConnection.Open(server.EndPoint);
        await waiting.Send(Get("/later"));
        var deferred = await NextDeferred();

        using var other = await RawHttpConnection.Open(server.EndPoint);
        await other.Send(Get("/now"));
        Assert.Equal("now", (await other.ReadResponse()).BodyText);

        Complete(deferred, "at last");
        var response = await waiting.ReadResponse();
        Assert.Equal(200, response.Status);
        Assert.Equal("at last", response.BodyText);
        Assert.NotNull(response.Header("Date"));
        Assert.Equal("Loop", response.Header("Server"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_completion_for_a_closed_connection_is_dropped_and_the_reused_slot_answers_its_own_client(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend, router: Router());
        HttpDeferredResponse stale;
        using (var gone = await RawHttpConnection.Open(server.EndPoint))
        {
            await gone.Send(Get("/later"));
            stale = await NextDeferred();
        }
        await Wait.Until(() => server.Statistics.Closed == 1, "the closed connection to be released");

        using var next = await RawHttpConnection.Open(server.EndPoint);
        await next.Send(Get("/later") + Get("/now"));
        var fresh = await NextDeferred();
        Complete(stale, "stale");
        Complete(fresh, "fresh");

        Assert.Equal("fresh", (await next.ReadResponse()).BodyText);
        Assert.Equal("now", (await next.ReadResponse()).BodyText);
        Assert.Equal(1, server.Statistics.Accepted - server.Statistics.Closed);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_completion_that_throws_is_answered_500(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend, router: Router());
        using var connection = await RawHttpConnection.Open(server.EndPoint);
        await connection.Send(Get("/later"));
        var deferred = await NextDeferred();
        deferred.Complete<string>((_, message) => throw new InvalidOperationException(message), "the query failed");

        Assert.Equal(500, (await connection.ReadResponse()).Status);
        Assert.True(await connection.ClosedByServer());
    }

    private HttpRouter Router() => new HttpRouter()
        .MapGet("/later", (_, response) => _deferred.Enqueue(response.Defer()))
        .MapGet("/now", (_, response) => response.Write("now"u8));

    private async Task<HttpDeferredResponse> NextDeferred()
    {
        HttpDeferredResponse deferred = default;
        await Wait.Until(() => _deferred.TryDequeue(out deferred), "a request to defer its response");
        return deferred;
    }

    private static void Complete(HttpDeferredResponse deferred, string body) =>
        deferred.Complete((response, text) => response.Write(System.Text.Encoding.ASCII.GetBytes(text)), body);

    private static string Get(string path) => $"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n";
}
