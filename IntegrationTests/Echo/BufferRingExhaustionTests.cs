using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Echo;

/// <summary>Receive buffers far fewer than busy connections: receives run dry and must lose nothing.</summary>
public sealed class BufferRingExhaustionTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task TinyBufferRingUnderLoadEchoesEveryByteInOrder(Backend backend)
    {
        const int Clients = 100, PayloadLength = 64 * 1024;
        await using var server = await TestServer.StartEchoAsync(backend, options =>
        {
            options.ReceiveBufferCount = 4;
            options.ReceiveBufferSize = 64;
        });
        var clients = await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => server.ConnectAsync()));
        var payloads = Enumerable.Range(0, Clients).Select(i => Payloads.Random(PayloadLength, seed: i)).ToArray();

        var echoes = await Task.WhenAll(clients.Select((client, i) => client.EchoAsync(payloads[i])));

        for (var i = 0; i < Clients; i++) { Assert.Equal(payloads[i], echoes[i]); }
        // Only io_uring shares a provided-buffer ring that can run dry; it must have, or this test proved nothing.
        if (server.Server.Backend == Backend.IoUring)
        {
            Assert.True(server.BufferRingEmpty > 0, "The buffer ring never ran dry (no ENOBUFS).");
        }
    }
}
