using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Infrastructure.Polling;

namespace Loop.IntegrationTests.Echo;

/// <summary>Stopping a server that is busy echoing: bounded, and every client got only what it sent, in order.</summary>
public sealed class ServerStopTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task StopMidStreamEndsClientsAfterAnExactPrefix(Backend backend)
    {
        const int Clients = 6, FlowingBytes = 256 * 1024;
        await using var server = await TestServer.StartEchoAsync(backend);
        var clients = await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => server.ConnectAsync()));
        var streams = clients.Select((client, i) => StreamingEchoClient.Start(client, seed: i)).ToArray();

        // The stop must land mid-stream: wait until every client's echo is flowing.
        Assert.True(await Eventually(() => streams.All(s => s.Received >= FlowingBytes) || streams.Any(s => s.Reading.IsCompleted)),
            $"Echo not flowing to every client; received: {string.Join(", ", streams.Select(s => s.Received))}.");
        var ended = streams.FirstOrDefault(s => s.Reading.IsCompleted);
        if (ended is not null)
        {
            await ended.Reading;
            Assert.Fail("A client's echo ended before the server was stopped.");
        }

        await server.StopAsync();

        // Each stream ends at EOF or a reset, having checked every byte it received against what it sent.
        await Task.WhenAll(streams.SelectMany(s => new[] { s.Reading, s.Writing }));
        Assert.All(streams, s => Assert.True(s.Received <= s.Written, $"Received {s.Received} bytes but wrote only {s.Written}."));
    }
}
