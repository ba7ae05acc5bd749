using System.Net;
using System.Net.Sockets;

namespace Loop.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback TCP client whose every operation is cancelled once <see cref="Timeouts.ClientLifetime"/> has passed
/// since it was created, so a server that stops answering fails the test instead of hanging it.
/// </summary>
internal sealed class TestClient : IDisposable
{
    private readonly CancellationTokenSource _lifetime = new(Timeouts.ClientLifetime);

    private TestClient(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public CancellationToken Timeout => _lifetime.Token;

    public static async Task<TestClient> ConnectAsync(IPEndPoint endPoint, Action<Socket>? configure = null)
    {
        // No Nagle: each send leaves at once as its own segment instead of waiting to be merged with the next.
        var client = new TestClient(new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
        try
        {
            configure?.Invoke(client.Socket);
            await client.Socket.ConnectAsync(endPoint, client.Timeout);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public async Task SendAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await Socket.SendAsync(data, SocketFlags.None, Timeout);
            data = data[sent..];
        }
    }

    /// <summary>Fills <paramref name="buffer"/>; throws <see cref="EndOfStreamException"/> if the server closes first.</summary>
    public async Task ReceiveExactlyAsync(Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var received = await Socket.ReceiveAsync(buffer, SocketFlags.None, Timeout);
            if (received == 0) { throw new EndOfStreamException($"The server closed with {buffer.Length} bytes still expected."); }
            buffer = buffer[received..];
        }
    }

    public async Task<byte[]> ReceiveExactlyAsync(int count)
    {
        var bytes = new byte[count];
        await ReceiveExactlyAsync(bytes);
        return bytes;
    }

    /// <summary>Everything the server sends until it closes its side (EOF).</summary>
    public async Task<byte[]> ReceiveToEndAsync()
    {
        using var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int received;
        while ((received = await Socket.ReceiveAsync(buffer, SocketFlags.None, Timeout)) > 0) { all.Write(buffer, 0, received); }
        return all.ToArray();
    }

    /// <summary>
    /// Sends <paramref name="payload"/> while receiving as many bytes back, concurrently: a payload larger than
    /// the socket buffers would otherwise stall both sides.
    /// </summary>
    public async Task<byte[]> EchoAsync(byte[] payload)
    {
        var receiving = ReceiveExactlyAsync(payload.Length);
        await Task.WhenAll(receiving, SendAsync(payload));
        return await receiving;
    }

    /// <summary>Closes with a reset instead of a FIN (SO_LINGER 0), as a killed client's kernel would.</summary>
    public void Reset()
    {
        Socket.LingerState = new LingerOption(true, 0);
        Socket.Close();
    }

    public void Dispose()
    {
        Socket.Dispose();
        _lifetime.Dispose();
    }
}
