using System.Net.Sockets;
using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Infrastructure.Polling;

namespace Loop.IntegrationTests.Echo;

/// <summary>A client that shuts down its sending side still gets every reply, then the server's close.</summary>
public sealed class HalfCloseTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task HalfClosedClientReceivesEveryByteThenEof(Backend backend)
    {
        const int PayloadLength = 8 * 1024 * 1024;
        // Nothing is read before the shutdown, and the payload is more than the kernel's socket buffers hold
        // (tcp_wmem allows 4 MiB by default): the server sees EOF with megabytes of echo still in its own output.
        // The pause limit is raised so that the server keeps reading meanwhile and the client's send completes.
        await using var server = await TestServer.StartEchoAsync(backend, options => options.OutputPauseBytes = 2L * PayloadLength);
        var client = await server.ConnectAsync();
        var payload = Payloads.Random(PayloadLength, seed: 3);

        await client.SendAsync(payload);
        client.Socket.Shutdown(SocketShutdown.Send);

        // ReceiveToEndAsync returns only at EOF: the server flushed all it owed, then closed its side.
        Assert.Equal(payload, await client.ReceiveToEndAsync());
        Assert.True(await Eventually(() => server.ConnectionCount == 0), $"{server.ConnectionCount} connections still open after EOF.");
    }
}
