using System.Text;
using Loop.IntegrationTests.Infrastructure;
using Microsoft.Extensions.ObjectPool;

namespace Loop.IntegrationTests.Framework;

/// <summary>
/// <see cref="Connection.RedeliverInput"/>: a handler that held its input while it waited gets it again when it
/// can go on, without the peer sending more; what it holds meanwhile still counts against MaxUnconsumedBytes.
/// </summary>
public sealed class RedeliverInputTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Held_input_is_presented_again_when_the_handler_asks(Backend backend)
    {
        var log = new CloseLog();
        var waiting = new WaitingHandler.Observed();
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new WaitingHandler(log, waiting));
        using var client = await TestClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("one\n"u8.ToArray());
        await Wait.Until(() => waiting.HeldBytes == 4, "the handler to hold the first line");
        await client.SendAsync("two\n"u8.ToArray());
        // Held bytes come back in front of new ones.
        await Wait.Until(() => waiting.HeldBytes == 8, "the handler to hold both lines");

        var handler = waiting.Handler!;
        var connection = waiting.Connection!;
        connection.Loop.Post(() =>
        {
            handler.Waiting = false;
            connection.RedeliverInput();
        });
        Assert.Equal("one\ntwo\n", Encoding.ASCII.GetString(await client.ReceiveExactlyAsync(8)));

        await client.SendAsync("three\n"u8.ToArray());
        Assert.Equal("three\n", Encoding.ASCII.GetString(await client.ReceiveExactlyAsync(6)));
        Assert.Empty(log.All);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Held_input_counts_against_MaxUnconsumedBytes(Backend backend)
    {
        var log = new CloseLog();
        var waiting = new WaitingHandler.Observed();
        var options = new ServerOptions { Backend = backend, LoopCount = 1, MaxUnconsumedBytes = 4096 };
        await using var server = Server.Start(options, () => new WaitingHandler(log, waiting));
        using var client = await TestClient.ConnectAsync(server.EndPoint);

        await client.SendAsync(new byte[3000]);
        await Wait.Until(() => waiting.HeldBytes == 3000, "the handler to hold the first part");
        // Each part alone is under the limit; together they pass it.
        await client.SendAsync(new byte[3000]);

        try { Assert.Empty(await client.ReceiveToEndAsync()); }
        catch (System.Net.Sockets.SocketException) { }
        await Wait.Until(() => server.Statistics.Closed == 1, "the connection to be released");
        Assert.Equal(CloseReason.InputLimit, Assert.Single(log.All).Reason);
        Assert.Equal(1, server.Statistics.ClosedBy[CloseReason.InputLimit]);
    }

    /// <summary>Consumes nothing while <see cref="Waiting"/>; then echoes complete lines.</summary>
    private sealed class WaitingHandler(CloseLog log, WaitingHandler.Observed observed) : IConnectionHandler, IResettable
    {
        /// <summary>What the test sees of the (one) connection.</summary>
        public sealed class Observed
        {
            private int _heldBytes;
            public WaitingHandler? Handler;
            public Connection? Connection;
            public int HeldBytes { get => Volatile.Read(ref _heldBytes); set => Volatile.Write(ref _heldBytes, value); }
        }

        public bool Waiting = true;

        public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
        {
            if (Waiting)
            {
                observed.Handler = this;
                observed.Connection = connection;
                observed.HeldBytes = data.Length;
                return 0;
            }
            var consumed = data.LastIndexOf((byte)'\n') + 1;
            connection.Write(data[..consumed]);
            return consumed;
        }

        public void OnClose(Connection connection, CloseReason reason) => log.Add(connection, reason);

        public bool TryReset() => false;
    }
}
