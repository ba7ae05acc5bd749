using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Infrastructure.Polling;

namespace Loop.IntegrationTests.Echo;

/// <summary>Many connections open at once, each getting back exactly its own bytes.</summary>
public sealed class ConcurrentConnectionTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public Task OneConnectionEchoes(Backend backend) => EachConnectionEchoesItsOwnPayload(backend, 1);

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public Task HundredConcurrentConnectionsEcho(Backend backend) => EachConnectionEchoesItsOwnPayload(backend, 100);

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public Task ThousandConcurrentConnectionsEcho(Backend backend) => EachConnectionEchoesItsOwnPayload(backend, 1000);

    private static async Task EachConnectionEchoesItsOwnPayload(Backend backend, int count)
    {
        await using var server = await TestServer.StartEchoAsync(backend);

        // Every connection is open on the server before any byte moves, so the exchanges really overlap.
        var clients = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => server.ConnectAsync()));
        Assert.True(await Eventually(() => server.ConnectionCount == count), $"The server holds {server.ConnectionCount} of {count} connections.");

        // Distinct lengths make every payload distinct: a reply delivered to the wrong connection cannot pass.
        var payloads = Enumerable.Range(0, count).Select(i => Payloads.Random(1000 + i, seed: i)).ToArray();
        var echoes = await Task.WhenAll(clients.Select((client, i) => client.EchoAsync(payloads[i])));

        for (var i = 0; i < count; i++) { Assert.Equal(payloads[i], echoes[i]); }
    }
}
