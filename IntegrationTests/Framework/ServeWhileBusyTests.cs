using System.Text;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Framework;

/// <summary>
/// <see cref="EventLoop.ServeWhileBusy"/>: a handler that keeps its loop busy lets the loop's other connections be
/// accepted and answered meanwhile, while its own input, its output so far and posted work wait until it returns.
/// </summary>
public sealed class ServeWhileBusyTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Other_connections_are_answered_while_a_handler_keeps_the_loop_busy(Backend backend)
    {
        var log = new CloseLog();
        var shared = new BusyHandler.Shared();
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new BusyHandler(log, shared));
        using var busy = await TestClient.ConnectAsync(server.EndPoint);

        // The handler spins with "next" and half a line still to read in the data it was given.
        await busy.SendAsync("spin\nnext\npart"u8.ToArray());
        await Wait.Until(() => shared.Spinning, "the handler to start spinning");
        var postedRan = false;
        server.Loops[0].Post(() => postedRan = true);
        // Accepted and answered by the busy loop.
        using var other = await TestClient.ConnectAsync(server.EndPoint);
        Assert.Equal("busy:hello\n", await LineAsync(other, "hello\n"));
        await busy.SendAsync("ial\n"u8.ToArray());
        Assert.Equal("busy:ping\n", await LineAsync(other, "ping\n"));
        // What the busy handler wrote before it spun waits for the loop's turn, as the loop's hooks before sends do.
        Assert.Equal(0, busy.Socket.Available);
        Assert.False(Volatile.Read(ref postedRan));

        Assert.Equal("released\n", await LineAsync(other, "release\n"));
        // The data the handler was given is intact, and the input taken in while it spun follows what it left, in order.
        Assert.Equal("start\nspun\nok:next\nok:partial\n", Encoding.ASCII.GetString(await busy.ReceiveExactlyAsync(30)));
        Assert.Equal("ok:again\n", await LineAsync(other, "again\n"));
        Assert.True(Volatile.Read(ref postedRan));
        Assert.Empty(log.All);
    }

    // The managed backend reads a connection only after its handler returns: while busy, the input waits in the socket.
    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Input_held_while_busy_counts_against_MaxUnconsumedBytes(Backend backend)
    {
        var log = new CloseLog();
        var shared = new BusyHandler.Shared();
        var options = new ServerOptions { Backend = backend, LoopCount = 1, MaxUnconsumedBytes = 4096 };
        await using var server = Server.Start(options, () => new BusyHandler(log, shared));
        using var busy = await TestClient.ConnectAsync(server.EndPoint);

        await busy.SendAsync("spin\n"u8.ToArray());
        await Wait.Until(() => shared.Spinning, "the handler to start spinning");
        await busy.SendAsync(new byte[8192]);
        // The handler stops spinning once its connection closes: it is released when the handler returns.
        await Wait.Until(() => log.All.Count == 1, "the busy connection to be closed");
        Assert.Equal(CloseReason.InputLimit, Assert.Single(log.All).Reason);
        using var other = await TestClient.ConnectAsync(server.EndPoint);
        Assert.Equal("ok:hello\n", await LineAsync(other, "hello\n"));
    }

    private static async Task<string> LineAsync(TestClient client, string line)
    {
        await client.SendAsync(Encoding.ASCII.GetBytes(line));
        var reply = new List<byte>();
        var one = new byte[1];
        do
        {
            await client.ReceiveExactlyAsync(one);
            reply.Add(one[0]);
        }
        while (one[0] != '\n');
        return Encoding.ASCII.GetString(reply.ToArray());
    }

    /// <summary>
    /// Lines: "spin" writes "start", then serves while busy until another connection sends "release" (or its own
    /// connection closes), then writes "spun"; a line taken in while busy is answered "busy:", any other "ok:".
    /// </summary>
    private sealed class BusyHandler(CloseLog log, BusyHandler.Shared shared) : TextLineHandler
    {
        public sealed class Shared
        {
            private volatile bool _spinning;
            public bool Spinning { get => _spinning; set => _spinning = value; }
            public bool Released;
        }

        protected override void OnLine(Connection connection, string line)
        {
            if (line == "spin")
            {
                connection.Write("start\n"u8);
                var deadline = DateTime.UtcNow.AddSeconds(20); // bounded, so a broken loop fails the test instead of hanging
                shared.Spinning = true;
                while (!shared.Released && !connection.IsClosing && DateTime.UtcNow < deadline) { connection.Loop.ServeWhileBusy(); }
                shared.Spinning = false;
                connection.Write("spun\n"u8);
                return;
            }
            if (line == "release") { shared.Released = true; }
            var answer = line == "release" ? "released" : (connection.Loop.IsServingWhileBusy ? "busy:" : "ok:") + line;
            connection.Write(Encoding.ASCII.GetBytes(answer + "\n"));
        }

        public override void OnClose(Connection connection, CloseReason reason) => log.Add(connection, reason);
    }
}
