using System.Net.Sockets;

namespace Loop.Benchmarks.Soak;

/// <summary>
/// Malformed and abusive clients, whatever the protocol: each connects, does its harm, closes, and does it again
/// until the soak stops or it has run its most rounds. A session says whether the server closed the connection
/// first; what the server answers is not checked, only that it goes on serving the legitimate clients.
/// </summary>
internal static class Abuse
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SlowlorisInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan NeverReadsHold = TimeSpan.FromSeconds(5);

    // Churn is bounded in rate: connections that leave TIME-WAIT behind must not use up the ephemeral ports.
    private static readonly TimeSpan ChurnPause = TimeSpan.FromMilliseconds(20);

    /// <summary>Sends <paramref name="payload"/>(round), then reads whatever comes until the server closes or a second passes.</summary>
    public static Task SendAndDrainAsync(SoakRun run, ClientKind kind, Func<int, byte[]> payload) =>
        RepeatAsync(run, kind, Pause, async (socket, round) =>
        {
            await SendWithinTimeoutAsync(socket, payload(round), run.Stop);
            return await DrainAsync(socket, DrainLimit, run.Stop);
        });

    /// <summary>1 to 8192 random bytes.</summary>
    public static byte[] RandomBytes(int round)
    {
        var bytes = new byte[Random.Shared.Next(1, 8193)];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Sends <paramref name="bytes"/> one byte per 100 ms (30 s at most) while the server keeps the connection.</summary>
    public static Task SlowlorisAsync(SoakRun run, ClientKind kind, byte[] bytes) =>
        TrickleAsync(run, kind, Math.Min(bytes.Length, 300), SlowlorisInterval, i => bytes.AsMemory(i, 1));

    /// <summary>
    /// Sends <paramref name="piece"/>(i) for i below <paramref name="pieces"/>, one every <paramref name="interval"/>, while
    /// the server keeps the connection open, reading (and dropping) what it answers meanwhile.
    /// </summary>
    public static Task TrickleAsync(SoakRun run, ClientKind kind, int pieces, TimeSpan interval, Func<int, ReadOnlyMemory<byte>> piece) =>
        RepeatAsync(run, kind, Pause, async (socket, _) =>
        {
            using var done = CancellationTokenSource.CreateLinkedTokenSource(run.Stop);
            var closed = DrainAsync(socket, pieces * interval + DrainLimit, done.Token);
            for (var i = 0; i < pieces && !closed.IsCompleted; i++)
            {
                await SendWithinTimeoutAsync(socket, piece(i), run.Stop);
                await Task.WhenAny(closed, Task.Delay(interval, run.Stop));
            }
            await done.CancelAsync();
            return await closed;
        });

    /// <summary>Connects and closes at a bounded rate: at once, after sending <paramref name="request"/> unread, or with a reset.</summary>
    public static Task ChurnAsync(SoakRun run, ClientKind kind, byte[] request) =>
        RepeatAsync(run, kind, ChurnPause, async (socket, round) =>
        {
            switch (round % 3)
            {
                case 1: await SendWithinTimeoutAsync(socket, request, run.Stop); break;
                case 2: socket.Abort(); break;
            }
            return false;
        });

    /// <summary>Sends <paramref name="requests"/> whose replies it never reads, holds the connection 5 s, then resets it.</summary>
    public static Task NeverReadsAsync(SoakRun run, ClientKind kind, byte[] requests) =>
        RepeatAsync(run, kind, Pause, async (socket, _) =>
        {
            await SendWithinTimeoutAsync(socket, requests, run.Stop);
            await Task.Delay(NeverReadsHold, run.Stop);
            socket.Abort();
            return false;
        });

    /// <summary>Holds a connection open without a byte sent until the soak stops; a new one if the server closes it.</summary>
    public static Task IdleAsync(SoakRun run, ClientKind kind) =>
        RepeatAsync(run, kind, Pause, (socket, _) => DrainAsync(socket, run.Duration, run.Stop));

    private static async Task RepeatAsync(SoakRun run, ClientKind kind, TimeSpan pause, Func<Socket, int, Task<bool>> session)
    {
        var rounds = run.RoundsWithin(pause);
        for (var round = 0; round < rounds && !run.Stop.IsCancellationRequested; round++)
        {
            try
            {
                using var socket = await run.ConnectAsync(kind, run.Stop);
                try
                {
                    if (await session(socket, round)) { kind.ClosedByServer(); }
                }
                catch (SocketException) { kind.ClosedByServer(); } // reset, or a send after the server closed
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException) { } // connect failures are counted
            try { await Task.Delay(pause, run.Stop); }
            catch (OperationCanceledException) { }
        }
    }

    // A server that stops reading makes a send wait: past the timeout, the abuse has made its point.
    private static async Task SendWithinTimeoutAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(SoakRun.Timeout);
        try { await socket.SendAllAsync(bytes, timeout.Token); }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested) { }
    }

    /// <summary>Reads and drops what arrives; true when the server closed (or reset) the connection, false after <paramref name="limit"/>.</summary>
    private static async Task<bool> DrainAsync(Socket socket, TimeSpan limit, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        var buffer = new byte[16 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0) { }
            return true;
        }
        catch (OperationCanceledException) { return false; }
        catch (SocketException) { return true; }
    }
}
