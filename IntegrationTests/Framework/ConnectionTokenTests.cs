using System.Collections.Concurrent;
using System.Text;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Framework;

/// <summary>
/// <see cref="ConnectionToken"/>: work finished on another thread comes back to the connection on its loop, and is
/// dropped when the connection it was for closed, even when its slot (the same Connection object) serves a new client.
/// </summary>
public sealed class ConnectionTokenTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_result_posted_from_another_thread_is_written_on_the_loop(Backend backend)
    {
        var started = new ConcurrentQueue<(ConnectionToken Token, Connection Connection)>();
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new LaterHandler(started));
        using var client = await TestClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("work\n"u8.ToArray());
        await Wait.Until(() => !started.IsEmpty, "the handler to start its work");
        Assert.True(started.TryDequeue(out var work));
        var ranOnLoop = false;
        await Task.Run(() => work.Token.Post((connection, text) =>
        {
            ranOnLoop = connection.Loop.IsLoopThread;
            connection.Write(Encoding.ASCII.GetBytes(text));
        }, "done\n"));

        Assert.Equal("done\n", Encoding.ASCII.GetString(await client.ReceiveExactlyAsync(5)));
        Assert.True(ranOnLoop);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_result_for_a_closed_connection_is_dropped_and_never_reaches_the_next_client(Backend backend)
    {
        var started = new ConcurrentQueue<(ConnectionToken Token, Connection Connection)>();
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new LaterHandler(started));
        (ConnectionToken Token, Connection Connection) first = default;
        using (var gone = await TestClient.ConnectAsync(server.EndPoint))
        {
            await gone.SendAsync("work\n"u8.ToArray());
            await Wait.Until(() => started.TryDequeue(out first), "the first client's work to start");
        }
        await Wait.Until(() => server.Statistics.Closed == 1, "the first connection to be released");

        using var next = await TestClient.ConnectAsync(server.EndPoint);
        await next.SendAsync("work\n"u8.ToArray());
        (ConnectionToken Token, Connection Connection) second = default;
        await Wait.Until(() => started.TryDequeue(out second), "the second client's work to start");
        // The test means something only if the freed slot was reused.
        Assert.Same(first.Connection, second.Connection);

        var staleRan = false;
        first.Token.Post((connection, _) => { staleRan = true; connection.Write("stale\n"u8); }, 0);
        // Posts run in order: once this reply is here, the stale one was handled.
        second.Token.Post((connection, _) => connection.Write("fresh\n"u8), 0);

        Assert.Equal("fresh\n", Encoding.ASCII.GetString(await next.ReceiveExactlyAsync(6)));
        Assert.False(staleRan);
    }

    /// <summary>Consumes each line and hands out a token for the work it would start.</summary>
    private sealed class LaterHandler(ConcurrentQueue<(ConnectionToken, Connection)> started) : IConnectionHandler
    {
        public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
        {
            var consumed = data.LastIndexOf((byte)'\n') + 1;
            if (consumed > 0) { started.Enqueue((connection.Token, connection)); }
            return consumed;
        }
    }
}
