using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Loop.Protocols.Echo;

namespace Loop.IntegrationTests.Infrastructure;

/// <summary>
/// An echo server on an ephemeral loopback port with two loops, and the clients connected to it: disposing
/// closes the clients, then stops the server within <see cref="Timeouts.StartStop"/>.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly ConcurrentBag<TestClient> _clients = [];

    private TestServer(Server server) => Server = server;

    public Server Server { get; }

    /// <summary>Connections open on all loops.</summary>
    public int ConnectionCount => Server.Loops.Sum(l => l.ConnectionCount);

    /// <summary>Receives that found a loop's provided-buffer ring empty (ENOBUFS), on all loops.</summary>
    public long BufferRingEmpty => Server.Loops.Sum(l => l.Counters.BufferRingEmpty);

    /// <summary>Times a connection stopped reading because its peer was not reading its output, on all loops.</summary>
    public long ReceivePauses => Server.Loops.Sum(l => l.Counters.ReceivePauses);

    public static async Task<TestServer> StartEchoAsync(Backend backend, Action<ServerOptions>? configure = null)
    {
        var options = new ServerOptions { BindAddress = IPAddress.Loopback, Port = 0, LoopCount = 2, Backend = backend };
        configure?.Invoke(options);
        // Start blocks until every loop is up; run it aside so a loop that never starts fails the test.
        var server = await Task.Run(() => Server.Start(options, () => new EchoHandler())).WaitAsync(Timeouts.StartStop);
        return new TestServer(server);
    }

    /// <summary>Connects a client that this server closes when disposed.</summary>
    public async Task<TestClient> ConnectAsync(Action<Socket>? configure = null)
    {
        var client = await TestClient.ConnectAsync(Server.EndPoint, configure);
        _clients.Add(client);
        return client;
    }

    public async Task StopAsync()
    {
        try
        {
            await Server.StopAsync().WaitAsync(Timeouts.StartStop);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"The server did not stop within {Timeouts.StartStop.TotalSeconds} s; {ConnectionCount} connections still open.", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) { client.Dispose(); }
        await StopAsync();
    }
}
