using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Loop.Benchmarks.Micro;

/// <summary>
/// A <see cref="Connection"/> with no socket behind it, for code that writes its output there (the HTTP
/// response). Connection, its loop and its output buffer are internal to Loop.Framework, which this project
/// may not change, so they are reached with .NET 10's UnsafeAccessor (checked by the JIT, no reflection per
/// call). Output only accumulates: nothing flushes it, so <see cref="Clear"/> drops it between operations.
/// </summary>
internal static class DetachedConnection
{
    private const string ManagedLoop = "Loop.Internal.Managed.ManagedLoop, Loop.Framework";
    private const string ChunkPool = "Loop.Internal.Output.ChunkPool, Loop.Framework";
    private const string OutputBuffer = "Loop.Internal.Output.OutputBuffer, Loop.Framework";

    /// <summary>A connection of a loop that never runs, writing into chunks from a pool of its own.</summary>
    public static Connection Create()
    {
        var options = new ServerOptions();
        // The managed loop is the one whose constructor takes no kernel resources (just an unbound socket).
        var loop = (EventLoop)NewManagedLoop(0, options, () => throw new InvalidOperationException(),
            new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        return NewConnection(loop, 0, NewChunkPool(options.OutputChunkCount, options.OutputChunkSize));
    }

    /// <summary>Bytes written since the last <see cref="Clear"/>.</summary>
    public static long Length(Connection connection) => connection.PendingOutputBytes;

    /// <summary>Returns the written chunks to the pool, as a completed send would.</summary>
    public static void Clear(Connection connection) => ClearOutput(GetOutput(connection));

    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    [return: UnsafeAccessorType(ManagedLoop)]
    private static extern object NewManagedLoop(int id, ServerOptions options, Func<IConnectionHandler> handlerFactory, Socket listener);

    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    [return: UnsafeAccessorType(ChunkPool)]
    private static extern object NewChunkPool(int chunkCount, int chunkSize);

    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    private static extern Connection NewConnection(EventLoop loop, int index, [UnsafeAccessorType(ChunkPool)] object chunks);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_Output")]
    [return: UnsafeAccessorType(OutputBuffer)]
    private static extern object GetOutput(Connection connection);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "Clear")]
    private static extern void ClearOutput([UnsafeAccessorType(OutputBuffer)] object output);
}
