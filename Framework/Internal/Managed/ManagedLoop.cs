using System.Net.Sockets;
using Loop.Internal.Output;
using Microsoft.Extensions.Logging;

namespace Loop.Internal.Managed;

/// <summary>
/// The portable loop: .NET sockets through Pipelines.Sockets.Unofficial, for any OS and as the baseline
/// the kernel backends are measured against. Sockets are read and written on the thread pool; handlers
/// still run only on this loop's thread, one batch at a time, so a handler cannot tell the difference.
/// </summary>
internal sealed partial class ManagedLoop : EventLoop
{
    private readonly Socket _listener;
    private readonly AutoResetEvent _signal = new(false);
    private readonly CancellationTokenSource _stopAccepting = new();
    private ChunkPool _chunks = null!;

    public ManagedLoop(int id, ServerOptions options, Func<IConnectionHandler> handlerFactory, Socket listener)
        : base(id, options, handlerFactory)
    {
        _listener = listener;
    }

    private protected override void SetUp()
    {
        _chunks = new ChunkPool(Options.OutputChunkCount, Options.OutputChunkSize);
        _transports = new ManagedTransport?[Options.MaxConnectionsPerLoop];
        _ = AcceptAsync();
    }

    private protected override void RunUntilStopped()
    {
        while (RunBetweenBatches(out var untilTimer))
        {
            Counters.Waits++;
            _signal.WaitOne(untilTimer ?? Timeout.InfiniteTimeSpan);
        }
    }

    private protected override void Wake() => _signal.Set();

    // Serving while busy: the reads, accepts and flushes the thread pool posted.
    private protected override void TakeInReady() => RunPostedIo();

    private protected override void StopAccepting()
    {
        _stopAccepting.Cancel();
        _listener.Dispose();
    }

    private protected override void TearDown()
    {
        CloseRemaining();
        _chunks?.Dispose();
        _listener.Dispose();
        _stopAccepting.Dispose();
        _signal.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stopAccepting.Token);
                PostIo(static s => ((ManagedLoop)((object[])s!)[0]).OnAccepted((Socket)((object[])s!)[1]), new object[] { this, socket });
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            if (!_stopAccepting.IsCancellationRequested) { Logger.LogWarning(e, "Loop {Loop}: accept failed; no longer accepting", Id); }
        }
    }

    private void OnAccepted(Socket socket)
    {
        var connection = Stopping ? null : OpenConnection(_chunks);
        if (connection is null)
        {
            if (!Stopping) { CountRefused(); }
            socket.Dispose();
            return;
        }
        var transport = _transports[connection.Index] = new ManagedTransport(this, connection, socket);
        connection.SetPeerAddress(socket.RemoteEndPoint);
        if (Opened(connection)) { _ = transport.ReadAsync(); }
    }
}
