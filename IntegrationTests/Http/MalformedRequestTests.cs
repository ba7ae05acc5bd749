using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Http;

/// <summary>Smuggling attempts and broken requests: a 4xx, a closed connection, and no harm to anyone else.</summary>
public sealed class MalformedRequestTests
{
    // Each tries to make a front-end and this server disagree on where a request ends; the smuggled request
    // behind it must never be answered.
    private static readonly string[] Attacks =
    [
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 38\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: +0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3;x\n\r\nabc\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF3\r\nabc\r\n0\r\n\r\n",
        "GET / HTTP/1.1\nHost: t\n\n",
        "GET / HTTP/1.1\r\nHost: t\rX: y\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n",
        "GET /#frag HTTP/1.1\r\nHost: t\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ];

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Smuggling_attempts_are_answered_400_and_the_connection_closed(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        foreach (var attack in Attacks)
        {
            using var connection = await RawHttpConnection.Open(server.EndPoint);
            await connection.Send(attack + "GET /echo HTTP/1.1\r\nHost: smuggled\r\n\r\n");
            var response = await connection.ReadResponse();
            Assert.True(response.Status == 400, $"{response.Status} for {attack}");
            Assert.Equal("close", response.Header("Connection"));
            Assert.True(await connection.ClosedByServer(), $"connection left open after {attack}");
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Errors_carry_their_status_over_the_wire(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        (string Request, int Status)[] cases =
        [
            ($"GET /{new string('a', 8 * 1024)} HTTP/1.1\r\nHost: t\r\n\r\n", 414),
            ($"GET / HTTP/1.1\r\nHost: t\r\nX: {new string('a', 32 * 1024)}\r\n\r\n", 431),
            ("GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
            ("get / HTTP/1.1\r\nHost: t\r\n\r\n", 405),
        ];
        foreach (var (request, status) in cases)
        {
            using var connection = await RawHttpConnection.Open(server.EndPoint);
            await connection.Send(request);
            Assert.Equal(status, (await connection.ReadResponse()).Status);
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task An_absolute_form_target_for_another_host_is_answered_400_and_the_connection_closed(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var connection = await RawHttpConnection.Open(server.EndPoint);
        await connection.Send("GET http://other.example/plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var response = await connection.ReadResponse();
        Assert.Equal(400, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await connection.ClosedByServer());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task An_absolute_form_target_for_its_host_is_routed_by_its_path(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var connection = await RawHttpConnection.Open(server.EndPoint);
        await connection.Send("GET http://LocalHost:8080/plaintext HTTP/1.1\r\nHost: localhost:8080\r\n\r\n");
        var response = await connection.ReadResponse();
        Assert.Equal(200, response.Status);
        Assert.Equal("Hello, World!", response.BodyText);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_percent_encoded_nul_in_the_path_is_answered_400_and_the_connection_closed(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        foreach (var target in new[] { "/%00", "/a%00b", "/plaintext%00" })
        {
            using var connection = await RawHttpConnection.Open(server.EndPoint);
            await connection.Send($"GET {target} HTTP/1.1\r\nHost: t\r\n\r\n");
            var response = await connection.ReadResponse();
            Assert.True(response.Status == 400, $"{response.Status} for {target}");
            Assert.True(await connection.ClosedByServer(), $"connection left open after {target}");
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_refused_connection_does_not_disturb_another(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        using var bystander = await RawHttpConnection.Open(server.EndPoint);
        await bystander.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhalf ");
        using (var attacker = await RawHttpConnection.Open(server.EndPoint))
        {
            await attacker.Send("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
            Assert.Equal(400, (await attacker.ReadResponse()).Status);
        }
        await bystander.Send("body!");
        Assert.Equal("half body!", (await bystander.ReadResponse()).BodyText);
        await Wait.Until(() => server.Loops[0].ConnectionCount == 1, "only the refused connection to be released");
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_failing_application_answers_500_and_closes_only_that_connection(Backend backend)
    {
        var log = new CapturingLogger();
        var router = new Loop.Protocols.Http.HttpRouter()
            .MapGet("/boom", (_, _) => throw new InvalidOperationException("application bug"))
            .MapGet("/fine", (_, response) => response.Write("fine"u8));
        await using var server = HttpTestServer.Start(backend, router: router, log: log);
        using var victim = await RawHttpConnection.Open(server.EndPoint);
        using var bystander = await RawHttpConnection.Open(server.EndPoint);

        await victim.Send("GET /fine HTTP/1.1\r\nHost: t\r\n\r\nGET /boom HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("fine", (await victim.ReadResponse()).BodyText);
        var failed = await victim.ReadResponse();
        Assert.Equal(500, failed.Status);
        Assert.True(await victim.ClosedByServer());

        await bystander.Send("GET /fine HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("fine", (await bystander.ReadResponse()).BodyText);
        Assert.Contains(log.Lines, l => l.Contains("HTTP request handler failed"));
    }
}
