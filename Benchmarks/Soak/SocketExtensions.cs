using System.Net.Sockets;

namespace Loop.Benchmarks.Soak;

internal static class SocketExtensions
{
    /// <summary>Sends every byte (a send may take only part of them).</summary>
    public static async Task SendAllAsync(this Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        while (!bytes.IsEmpty) { bytes = bytes[await socket.SendAsync(bytes, SocketFlags.None, ct)..]; }
    }

    /// <summary>Closes with a reset (RST) instead of a FIN, as a crashed or impatient peer would.</summary>
    public static void Abort(this Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Dispose();
    }
}
