using System.Net;
using System.Net.Sockets;

namespace Loop.Benchmarks.Soak;

/// <summary>What every client of one soak shares: where the server is, when to stop, how long the soak lasts.</summary>
internal sealed record SoakRun(IPEndPoint EndPoint, CancellationToken Stop, TimeSpan Duration)
{
    /// <summary>Longest wait for a connect, a reply or a send: past it a legitimate request has failed.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most rounds a loop that pauses <paramref name="pause"/> between rounds can run in the soak: every loop
    /// is bounded in count as well as by <see cref="Stop"/>.
    /// </summary>
    public int RoundsWithin(TimeSpan pause) => (int)Math.Min(int.MaxValue - 1, Duration / pause) + 1;

    /// <summary>A socket connected to the server within <see cref="Timeout"/>, counted for <paramref name="kind"/>.</summary>
    public async Task<Socket> ConnectAsync(ClientKind kind, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            await socket.ConnectAsync(EndPoint, timeout.Token);
            kind.Connected();
            return socket;
        }
        catch
        {
            socket.Dispose();
            if (!ct.IsCancellationRequested) { kind.ConnectFailed(); }
            throw;
        }
    }
}
