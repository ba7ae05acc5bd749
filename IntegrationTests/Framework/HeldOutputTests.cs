using System.Text;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Framework;

/// <summary>
/// <see cref="Connection.HoldOutput"/>: output held stays unsent until <see cref="Connection.ReleaseOutput"/>, also
/// when a send of earlier output could go on (the peer read, the socket is writable again), as a log's replies must
/// wait for its fsync.
/// </summary>
public sealed class HeldOutputTests
{
    private const int Big = 8 * 1024 * 1024;
    private const string Pong = "pong\n";

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Held_output_waits_for_its_release_though_the_socket_drains(Backend backend)
    {
        await using var held = await HeldAfterABigReplyAsync(backend);
        held.Received.AddRange(await held.DrainAsync());
        Assert.True(held.Received.Count <= Big, "the held X left before its release");
        await held.Other.SendAsync("release\n"u8.ToArray());
        held.Received.AddRange(await held.Client.ReceiveExactlyAsync(Big + 1 - held.Received.Count));
        Assert.Equal((byte)'X', held.Received[^1]);
    }

    // On the kernel backends a hold stops the output where it is: the send in flight (a chunk on io_uring) may finish,
    // but a socket writable again (epoll's EPOLLOUT) sends nothing more.
    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_hold_stops_the_output_at_the_send_in_flight(Backend backend)
    {
        await using var held = await HeldAfterABigReplyAsync(backend);
        var loop = held.Server.Loops[0];
        var sentAtHold = await Wait.OnLoop(loop, () => loop.Traffic.BytesSent);
        await held.DrainAsync();
        // The loop's count also holds the other connection's pongs: the held connection's output is the rest.
        var sentSince = await Wait.OnLoop(loop, () => loop.Traffic.BytesSent) - sentAtHold - held.Pongs * Pong.Length;
        Assert.True(sentSince <= new ServerOptions().OutputChunkSize, $"{sentSince} bytes sent after the hold");
    }

    // A client whose big reply is being sent (its socket full) when the handler holds the output behind an X.
    private static async Task<Held> HeldAfterABigReplyAsync(Backend backend)
    {
        var shared = new HoldingHandler.Shared();
        // Input is read however much output waits, so the hold comes while the big reply is still being sent.
        var options = new ServerOptions { Backend = backend, LoopCount = 1, OutputPauseBytes = 64 * 1024 * 1024 };
        var server = Server.Start(options, () => new HoldingHandler(shared));
        var client = await TestClient.ConnectAsync(server.EndPoint, socket => socket.ReceiveBufferSize = 64 * 1024);
        var other = await TestClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("big\n"u8.ToArray());
        var received = new List<byte>(await client.ReceiveExactlyAsync(1)); // its send has begun, and waits for room
        await client.SendAsync("hold\n"u8.ToArray());
        await Wait.Until(() => shared.Holding, "the handler to hold its output");
        return new Held(server, client, other, received);
    }

    private sealed record Held(Server Server, TestClient Client, TestClient Other, List<byte> Received) : IAsyncDisposable
    {
        /// <summary>The pongs the other connection got while draining.</summary>
        public int Pongs { get; private set; }

        // What arrives while the client reads all it can, each time after a round trip through the loop (which has
        // then seen the socket writable again); bounded, as the backends that hold the rest of the big reply send none.
        public async Task<List<byte>> DrainAsync()
        {
            var drained = new List<byte>();
            for (var (round, afterBig) = (0, 0); round < 2000 && afterBig < 3; round++)
            {
                while (Client.Socket.Available > 0) { drained.AddRange(await Client.ReceiveExactlyAsync(Client.Socket.Available)); }
                await Other.SendAsync("ping\n"u8.ToArray());
                Assert.Equal(Pong, Encoding.ASCII.GetString(await Other.ReceiveExactlyAsync(Pong.Length)));
                Pongs++;
                if (Received.Count + drained.Count >= Big) { afterBig++; }
            }
            return drained;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            Other.Dispose();
            await Server.DisposeAsync();
        }
    }

    /// <summary>"big": 8 MiB of output; "hold": "X", held; "release" (from any connection): the held one goes; "ping": "pong".</summary>
    private sealed class HoldingHandler(HoldingHandler.Shared shared) : TextLineHandler
    {
        public sealed class Shared
        {
            private volatile bool _holding;
            public bool Holding { get => _holding; set => _holding = value; }
            public Connection? Held;
        }

        protected override void OnLine(Connection connection, string line)
        {
            switch (line)
            {
                case "big": connection.Write(new byte[Big]); break;
                case "hold":
                    connection.Write("X"u8);
                    connection.HoldOutput();
                    shared.Held = connection;
                    shared.Holding = true;
                    break;
                case "release": shared.Held!.ReleaseOutput(); break;
                case "ping": connection.Write(Encoding.ASCII.GetBytes(Pong)); break;
            }
        }
    }
}
