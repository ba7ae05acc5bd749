using System.Buffers;
using System.Diagnostics;

namespace Loop.Internal.Managed;

// Delivery, sends and close: the loop-thread side of a managed connection.
internal sealed partial class ManagedLoop
{
    private ManagedTransport?[] _transports = null!;

    private ManagedTransport TransportOf(Connection connection) => _transports[connection.Index]!;

    /// <summary>Hands one read of the pipe to the handler; lets the reader go on unless reading is paused.</summary>
    internal void OnRead(ManagedTransport transport, ReadOnlySequence<byte> buffer, bool peerClosed)
    {
        var connection = transport.Connection;
        if (transport.Closed)
        {
            transport.ContinueReading();
            return;
        }
        foreach (var segment in buffer) { Received(connection, segment.Span); }
        if (peerClosed) { Close(connection, CloseReason.PeerClosed, abort: false); }
        if (connection.ReceivePaused) { transport.ReaderWaiting = true; }
        else { transport.ContinueReading(); }
    }

    internal void OnReadFailed(ManagedTransport transport, int errno)
    {
        if (!transport.Closed) { Failed(transport.Connection, errno); }
    }

    // The reader stops by itself after its current read (see OnRead).
    private protected override void PauseReceive(Connection connection) { }

    private protected override void ResumeReceive(Connection connection)
    {
        var transport = TransportOf(connection);
        if (!transport.ReaderWaiting) { return; }
        transport.ReaderWaiting = false;
        transport.ContinueReading();
    }

    private protected override void StartSend(Connection connection)
    {
        var transport = TransportOf(connection);
        var length = (int)Math.Min(connection.Output.Length, int.MaxValue);
        // The pipe owns its memory, so the output is copied once more: part of what this backend costs.
        var pipe = transport.Pipe.Output;
        ValueTask<System.IO.Pipelines.FlushResult> flush;
        try
        {
            var left = length;
            for (var chunk = connection.Output.Head; chunk is not null && left > 0; chunk = chunk.Next)
            {
                var n = Math.Min(chunk.Unsent, left);
                pipe.Write(chunk.GetSpan().Slice(chunk.Start, n));
                left -= n;
            }
            flush = pipe.FlushAsync();
        }
        catch (InvalidOperationException)
        {
            // The pipe's send loop failed (the peer reset) and completed the writer.
            Failed(connection, 0);
            return;
        }
        // The copied bytes leave the output only once the pipe took them, as a kernel send would.
        if (flush.IsCompletedSuccessfully) { AfterFlush(connection, length, flush.Result.IsCompleted); }
        else { _ = transport.AwaitFlushAsync(flush, length); }
    }

    /// <summary>A flush finished: the pipe has room again (or the peer is gone).</summary>
    internal void AfterFlush(Connection connection, int length, bool peerGone, int errno = 0)
    {
        if (peerGone) { Failed(connection, errno); }
        else { Sent(connection, length); }
    }

    private protected override void CloseTransport(Connection connection, bool abort)
    {
        var transport = TransportOf(connection);
        _transports[connection.Index] = null;
        Released(connection);
        if (transport.Close(abort)) { return; }
        // The pipe's send loop (on the thread pool) still holds output: the loop closes the socket once it is sent, or at
        // ShutdownTimeout, and a stop waits for that; no deadline depends on the thread pool.
        _closing.Add(new ClosingTransport(transport, Stopwatch.GetTimestamp() + ToStopwatchTicks(Options.ShutdownTimeout)));
        _closingPoll ??= Every(ClosingPoll, FinishClosing);
    }

    private protected override bool NothingInFlight => _closing.Count == 0;

    private static readonly TimeSpan ClosingPoll = TimeSpan.FromMilliseconds(5);

    private readonly record struct ClosingTransport(ManagedTransport Transport, long DeadlineTicks);

    private readonly List<ClosingTransport> _closing = [];
    private LoopTimer? _closingPoll;

    private void FinishClosing()
    {
        var now = Stopwatch.GetTimestamp();
        _closing.RemoveAll(closing => closing.Transport.TryFinishClose(force: now >= closing.DeadlineTicks));
        if (_closing.Count > 0) { return; }
        _closingPoll!.Cancel();
        _closingPoll = null;
    }

    /// <summary>Closes the sockets still sending when the loop ends (it ends only with none, unless it failed).</summary>
    private void CloseRemaining()
    {
        foreach (var closing in _closing) { closing.Transport.TryFinishClose(force: true); }
        _closing.Clear();
    }

    // The accept loop runs on the thread pool and never reports a failed accept to the loop: nothing to pause.
    private protected override void PauseAccepting() { }

    private protected override void ResumeAccepting() { }
}
