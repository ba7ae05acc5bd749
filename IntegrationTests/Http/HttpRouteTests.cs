using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Http;

/// <summary>The sample's routes as HttpClient sees them.</summary>
public sealed class HttpRouteTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Plaintext_and_json_answer_as_the_benchmark_expects(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var client = HttpTestServer.Client(server);

        using var plaintext = await client.GetAsync("/plaintext");
        Assert.Equal(HttpStatusCode.OK, plaintext.StatusCode);
        Assert.Equal("text/plain", plaintext.Content.Headers.ContentType?.MediaType);
        Assert.Equal(13, plaintext.Content.Headers.ContentLength);
        Assert.Equal("Hello, World!", await plaintext.Content.ReadAsStringAsync());
        Assert.Equal("Loop", plaintext.Headers.Server.ToString());
        Assert.NotNull(plaintext.Headers.Date);

        using var json = await client.GetAsync("/json");
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"message":"Hello, World!"}""", await json.Content.ReadAsStringAsync());
        Assert.Equal("Hello, World!", JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_application_sees_the_clients_address(Backend backend)
    {
        var router = new Loop.Protocols.Http.HttpRouter()
            .MapGet("/whoami", (request, response) => response.Write(Encoding.ASCII.GetBytes($"{request.RemoteEndPoint}")));
        await using var server = HttpTestServer.Start(backend, router: router);
        using var client = await RawHttpConnection.Open(server.EndPoint);
        await client.Send("GET /whoami HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(client.LocalEndPoint.ToString(), (await client.ReadResponse()).BodyText);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Root_answers_GET_HEAD_OPTIONS_and_echoes_POST(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var client = HttpTestServer.Client(server);

        Assert.Equal("OK", await client.GetStringAsync("/"));

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(2, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var options = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/"));
        Assert.Equal(HttpStatusCode.NoContent, options.StatusCode);
        Assert.Equal(["GET", "POST", "HEAD", "OPTIONS"], options.Content.Headers.Allow);

        var payload = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        using var byLength = await client.PostAsync("/", new ByteArrayContent(payload));
        Assert.Equal(payload, await byLength.Content.ReadAsByteArrayAsync());

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("sent in chunks") };
        chunked.Headers.TransferEncodingChunked = true;
        using var echoed = await client.SendAsync(chunked);
        Assert.True(echoed.Headers.TransferEncodingChunked);
        Assert.Equal("sent in chunks", await echoed.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", echoed.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Echo_lists_the_request_headers_one_per_line(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var client = HttpTestServer.Client(server);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Add("X-Custom", "forty two");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));

        var lines = (await (await client.SendAsync(request)).Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("X-Custom: forty two", lines);
        Assert.Contains("Accept: text/plain", lines);
        Assert.Contains($"Host: {server.EndPoint}", lines);

        using var post = await client.PostAsync("/echo", new StringContent("ignored", Encoding.ASCII));
        Assert.Contains("Content-Length: 7", await post.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Unknown_paths_are_404_and_wrong_methods_405_with_Allow(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var client = HttpTestServer.Client(server);

        using var missing = await client.GetAsync("/missing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var wrong = await client.DeleteAsync("/plaintext");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrong.StatusCode);
        Assert.Equal(["GET", "HEAD", "OPTIONS"], wrong.Content.Headers.Allow);

        using var post = await client.PostAsync("/json", new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }
}
