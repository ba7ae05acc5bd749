using System.Net.Sockets;
using System.Text;
using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Http;

/// <summary>Many connections at once, and what steady state costs the loop thread.</summary>
public sealed class LoadTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_thousand_keep_alive_connections_are_served_at_once(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        var connections = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => RawHttpConnection.Open(server.EndPoint)));
        try
        {
            for (var round = 0; round < 2; round++)
            {
                await Task.WhenAll(connections.Select((c, i) => c.Send($"GET /echo HTTP/1.1\r\nHost: t\r\nX-Id: {i}\r\n\r\n")));
                var responses = await Task.WhenAll(connections.Select(c => c.ReadResponse()));
                for (var i = 0; i < responses.Length; i++) { Assert.Contains($"X-Id: {i}\n", responses[i].BodyText); }
                Assert.Equal(1000, server.Loops[0].ConnectionCount);
            }
        }
        finally
        {
            foreach (var connection in connections) { connection.Dispose(); }
        }
        await Wait.Until(() => server.Loops[0].ConnectionCount == 0, "every connection to be released");
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Pipelined_plaintext_and_json_allocate_nothing_per_request_on_the_loop_thread(Backend backend)
    {
        await using var server = HttpTestServer.Start(backend);
        var loop = server.Loops[0];
        var clients = new Socket[4];
        for (var i = 0; i < clients.Length; i++)
        {
            clients[i] = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await clients[i].ConnectAsync(server.EndPoint).WaitAsync(TimeSpan.FromSeconds(10));
        }
        var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(
            "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\nGET /json HTTP/1.1\r\nHost: t\r\n\r\n", 8)));
        var responseBytes = await ResponseBytes(server, batch);
        await Exchange(clients, batch, responseBytes, rounds: 200); // warm up: pools, JIT tiers, the Date tick

        var before = await Wait.AllocatedOnLoopThread(loop);
        const int rounds = 500;
        await Exchange(clients, batch, responseBytes, rounds);
        var allocated = await Wait.AllocatedOnLoopThread(loop) - before;

        // Less than a byte per request: no request allocates (the once-a-second tick may, a few dozen bytes).
        const int requests = rounds * 16 * 4;
        Assert.True(allocated < requests, $"{allocated} bytes allocated on the loop thread for {requests} requests");
        foreach (var client in clients) { client.Dispose(); }
    }

    // How many bytes a batch's responses take (fixed: the Date line has a fixed length).
    private static async Task<int> ResponseBytes(Server server, byte[] batch)
    {
        using var connection = await RawHttpConnection.Open(server.EndPoint);
        await connection.Send(batch);
        var total = 0;
        for (var i = 0; i < 16; i++) { total += (await connection.ReadResponse()).Raw.Length; }
        return total;
    }

    private static async Task Exchange(Socket[] clients, byte[] batch, int responseBytes, int rounds)
    {
        var reply = new byte[responseBytes];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var r = 0; r < rounds; r++)
        {
            foreach (var client in clients) { await client.SendAsync(batch, timeout.Token); }
            foreach (var client in clients)
            {
                for (var read = 0; read < reply.Length;)
                {
                    var n = await client.ReceiveAsync(reply.AsMemory(read), timeout.Token);
                    if (n == 0) { throw new IOException("server closed the connection"); }
                    read += n;
                }
            }
        }
    }

}
