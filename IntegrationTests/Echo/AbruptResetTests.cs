using System.Net.Sockets;
using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Infrastructure.Polling;

namespace Loop.IntegrationTests.Echo;

/// <summary>Clients that vanish with a reset mid-stream cost the server nothing but those connections.</summary>
public sealed class AbruptResetTests
{
    private const int Clients = 8, Peek = 1024;
    // Bounds each writer; far more than the kernel buffers plus the server's output pause limit.
    private const int MaxChunks = 256;

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task ResetClientsAreReleasedAndServerKeepsEchoing(Backend backend)
    {
        await using var server = await TestServer.StartEchoAsync(backend);
        var chunk = Payloads.Random(64 * 1024, seed: 5);
        // A small receive window, and a client that reads almost nothing: the echo piles up in the server.
        var clients = await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => server.ConnectAsync(s => s.ReceiveBufferSize = 4096)));

        var writers = clients.Select(client => WriteUntilResetAsync(client, chunk)).ToArray();
        foreach (var client in clients) { Assert.Equal(chunk[..Peek], await client.ReceiveExactlyAsync(Peek)); }
        // The premise: the echo backs up until the server stops reading (a pause per connection's worth), so the
        // resets land on unsent output and on sends stuck in flight, not on idle connections.
        Assert.True(await Eventually(() => server.ReceivePauses >= Clients), $"Only {server.ReceivePauses} receive pauses for {Clients} connections: the echo never backed up.");
        foreach (var client in clients) { client.Reset(); }
        await Task.WhenAll(writers);

        // A loop that died (an exception escaped it) ends the wait early and is reported with its exception.
        var released = await Eventually(() => server.ConnectionCount == 0 || server.Server.Loops.Any(l => l.Stopped.IsCompleted));
        Assert.All(server.Server.Loops, loop => Assert.False(loop.Stopped.IsCompleted, $"Loop {loop.Id} ended: {loop.Stopped.Exception?.InnerException}"));
        Assert.True(released, $"{server.ConnectionCount} connections still held after their clients reset.");
        var fresh = await server.ConnectAsync();
        var probe = Payloads.Random(64 * 1024, seed: 99);
        Assert.Equal(probe, await fresh.EchoAsync(probe));
    }

    private static async Task WriteUntilResetAsync(TestClient client, byte[] chunk)
    {
        try
        {
            for (var i = 0; i < MaxChunks; i++) { await client.SendAsync(chunk); }
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException { SocketErrorCode: SocketError.OperationAborted })
        {
            // The reset closed the socket under the pending send: the end this writer waits for.
        }
    }
}
