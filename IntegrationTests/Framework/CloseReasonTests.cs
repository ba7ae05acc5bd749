using System.Net.Sockets;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Framework;

/// <summary>
/// Every way a connection ends reaches its handler's OnClose with the reason, and is counted under that reason in
/// <see cref="Server.Statistics"/>, on every backend.
/// </summary>
public sealed class CloseReasonTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_peer_that_closes_its_side_is_PeerClosed(Backend backend)
    {
        var log = new CloseLog();
        await using var server = Start(backend, log);
        using var client = await TestClient.ConnectAsync(server.EndPoint);
        await Echo(client);
        client.Socket.Shutdown(SocketShutdown.Send);
        Assert.Empty(await client.ReceiveToEndAsync());
        await AssertClosedOnce(server, log, CloseReason.PeerClosed);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_handler_closing_is_Local(Backend backend)
    {
        var log = new CloseLog();
        await using var server = Start(backend, log);
        using var client = await TestClient.ConnectAsync(server.EndPoint);
        await Echo(client);
        await client.SendAsync("close"u8.ToArray());
        Assert.Empty(await client.ReceiveToEndAsync());
        await AssertClosedOnce(server, log, CloseReason.Local);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_handler_closing_with_a_reason_is_counted_under_it(Backend backend)
    {
        var log = new CloseLog();
        await using var server = Start(backend, log);
        using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("timeout"u8.ToArray());
        Assert.Empty(await client.ReceiveToEndAsync());
        await AssertClosedOnce(server, log, CloseReason.Timeout);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_handler_that_throws_is_HandlerError(Backend backend)
    {
        var log = new CloseLog();
        await using var server = Start(backend, log);
        using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("boom"u8.ToArray());
        Assert.True(await ClosedByServer(client), "the connection stayed open");
        await AssertClosedOnce(server, log, CloseReason.HandlerError);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Unconsumed_input_past_the_limit_is_InputLimit(Backend backend)
    {
        var log = new CloseLog();
        await using var server = Start(backend, log, o => o.MaxUnconsumedBytes = 4096);
        using var client = await TestClient.ConnectAsync(server.EndPoint);
        var request = new byte[16 * 1024];
        "hold"u8.CopyTo(request);
        await client.SendAsync(request);
        Assert.True(await ClosedByServer(client), "the connection stayed open");
        await AssertClosedOnce(server, log, CloseReason.InputLimit);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Output_past_the_limit_to_a_peer_that_does_not_read_is_OutputLimit(Backend backend)
    {
        var log = new CloseLog();
        await using var server = Start(backend, log, o => { o.OutputPauseBytes = 64 * 1024; o.MaxOutputBytes = 1024 * 1024; }, floodBytes: 4 * 1024 * 1024);
        using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("flood"u8.ToArray());
        Assert.True(await ClosedByServer(client), "the connection stayed open");
        await AssertClosedOnce(server, log, CloseReason.OutputLimit);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_connection_open_when_the_server_stops_is_ServerStopping(Backend backend)
    {
        var log = new CloseLog();
        await using var server = Start(backend, log);
        using var client = await TestClient.ConnectAsync(server.EndPoint);
        await Echo(client);
        await server.StopAsync().WaitAsync(Timeouts.StartStop);
        Assert.Empty(await client.ReceiveToEndAsync());
        await AssertClosedOnce(server, log, CloseReason.ServerStopping);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_peer_reset_while_receiving_is_Error(Backend backend)
    {
        var log = new CloseLog();
        await using var server = Start(backend, log);
        using var client = await TestClient.ConnectAsync(server.EndPoint);
        await Echo(client);
        client.Reset();
        var closed = await AssertClosedOnce(server, log, CloseReason.Error);
        Assert.Contains(closed.Errno, ResetErrnos);
    }

    // Not on the managed backend: when the pipe's send fails, Pipelines.Sockets.Unofficial advances its send pipe
    // past the unsent bytes before completing it with the error, so the loop's pending flush may finish as if the
    // bytes were sent (BytesSent counts them, receiving resumes) and the reset then reads as PeerClosed.
    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_peer_reset_while_output_is_pending_is_Error(Backend backend)
    {
        var log = new CloseLog();
        // Far more than the socket buffers hold, far less than MaxOutputBytes: the send waits for a reader.
        await using var server = Start(backend, log, o => o.OutputPauseBytes = 256 * 1024, floodBytes: 16 * 1024 * 1024);
        using var client = await TestClient.ConnectAsync(server.EndPoint, s => s.ReceiveBufferSize = 64 * 1024);
        await client.SendAsync("flood"u8.ToArray());
        await Wait.Until(() => server.Statistics.ReceivePauses == 1, "the flood to back up");
        client.Reset();
        var closed = await AssertClosedOnce(server, log, CloseReason.Error);
        Assert.Contains(closed.Errno, ResetErrnos);
    }

    // A reset reads as ECONNRESET; a send that comes after the reset was reported once gets EPIPE (the managed
    // backend's pipe may send again before the loop hears of the failure).
    private static readonly int[] ResetErrnos = [104, 32];

    private static Server Start(Backend backend, CloseLog log, Action<ServerOptions>? configure = null, int floodBytes = 0)
    {
        var options = new ServerOptions { Backend = backend, LoopCount = 1 };
        configure?.Invoke(options);
        return Server.Start(options, () => new CommandHandler(log, floodBytes));
    }

    // One round trip: the connection is open and its handler has run.
    private static async Task Echo(TestClient client)
    {
        await client.SendAsync("hi"u8.ToArray());
        Assert.Equal("hi"u8.ToArray(), await client.ReceiveExactlyAsync(2));
    }

    // True once the server ends the connection (EOF or reset), reading whatever it sent first.
    private static async Task<bool> ClosedByServer(TestClient client)
    {
        try
        {
            await client.ReceiveToEndAsync();
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    // The one connection closed for this reason only: OnClose heard it, the connection said it, the statistics count it.
    private static async Task<CloseLog.Closed> AssertClosedOnce(Server server, CloseLog log, CloseReason expected)
    {
        await Wait.Until(() => server.Statistics.Closed >= 1, "the connection to be released");
        var closed = Assert.Single(log.All);
        Assert.Equal((expected, expected), (closed.Reason, closed.ConnectionReason));
        var counted = server.Statistics.ClosedBy;
        Assert.Equal(1, counted[expected]);
        Assert.Equal(1, counted.All.Sum(c => c.Count));
        if (expected != CloseReason.Error) { Assert.Equal(0, closed.Errno); }
        return closed;
    }
}
