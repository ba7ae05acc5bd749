using System.Net.Sockets;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Framework;

/// <summary>Output past MaxOutputBytes closes the connection at once, inside the handler's call, not after the batch.</summary>
public sealed class OutputLimitTests
{
    private const int Limit = 1024 * 1024, Piece = 64 * 1024, Reply = 10 * 1024 * 1024;

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_reply_past_the_limit_stops_growing_at_the_limit_and_closes(Backend backend)
    {
        var log = new CloseLog();
        var seen = new TaskCompletionSource<BigReplyHandler.AfterWrites>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new ServerOptions { Backend = backend, LoopCount = 1, MaxOutputBytes = Limit, OutputPauseBytes = Limit / 4 };
        await using var server = Server.Start(options, () => new BigReplyHandler(log, seen));
        using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("x"u8.ToArray());

        var after = await seen.Task.WaitAsync(Timeouts.Condition);
        Assert.InRange(after.PendingOutputBytes, 1, Limit + Piece);
        Assert.True(after.OutputLimitReached, "OutputLimitReached");
        Assert.True(after.IsClosing, "IsClosing");

        var received = await ReceivedUntilClosed(client);
        Assert.InRange(received, 0, Limit + Piece);
        await Wait.Until(() => server.Statistics.Closed == 1, "the connection to be released");
        Assert.Equal(CloseReason.OutputLimit, Assert.Single(log.All).Reason);
        Assert.Equal(1, server.Statistics.ClosedBy[CloseReason.OutputLimit]);
    }

    // Bytes the server sent before it ended the connection (EOF or reset).
    private static async Task<long> ReceivedUntilClosed(TestClient client)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        try
        {
            int n;
            while ((n = await client.Socket.ReceiveAsync(buffer, SocketFlags.None, client.Timeout)) > 0) { total += n; }
        }
        catch (SocketException)
        {
        }
        return total;
    }

    /// <summary>On any input, writes a 10 MB reply in 64 KB pieces and reports what the connection says after.</summary>
    private sealed class BigReplyHandler(CloseLog log, TaskCompletionSource<BigReplyHandler.AfterWrites> seen) : IConnectionHandler
    {
        public readonly record struct AfterWrites(long PendingOutputBytes, bool OutputLimitReached, bool IsClosing);

        private static readonly byte[] Bytes = Enumerable.Repeat((byte)'r', Piece).ToArray();

        public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
        {
            for (var written = 0; written < Reply; written += Piece) { connection.Write(Bytes); }
            seen.TrySetResult(new(connection.PendingOutputBytes, connection.OutputLimitReached, connection.IsClosing));
            return data.Length;
        }

        public void OnClose(Connection connection, CloseReason reason) => log.Add(connection, reason);
    }
}
