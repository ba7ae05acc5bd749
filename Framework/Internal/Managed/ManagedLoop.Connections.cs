using System.Buffers;
using Microsoft.Extensions.Logging;

namespace Loop.Internal.Managed;

// Delivery, sends and close: the loop-thread side of a managed connection.
internal sealed partial class ManagedLoop
{
    /// <summary>Hands one read of the pipe to the handler; lets the reader go on unless output is backed up.</summary>
    internal void OnRead(ManagedTransport transport, ReadOnlySequence<byte> buffer, bool peerClosed)
    {
        var connection = transport.Connection;
        if (transport.Closed)
        {
            transport.ContinueReading();
            return;
        }
        foreach (var segment in buffer)
        {
            Counters.BytesReceived += segment.Length;
            Deliver(connection, segment.Span);
        }
        if (peerClosed) { CloseConnection(connection, abort: false); }
        if (connection.State == ConnectionState.Open && connection.Output.Length >= Options.OutputPauseBytes)
        {
            Counters.ReceivePauses++;
            connection.ReceivePaused = true;
            return;
        }
        transport.ContinueReading();
    }

    internal void OnReadFailed(ManagedTransport transport, Exception error)
    {
        if (transport.Closed) { return; }
        Logger.LogDebug(error, "Connection {Id}: receive failed", transport.Connection.Id);
        CloseConnection(transport.Connection, abort: true);
    }

    private protected override void StartSend(Connection connection)
    {
        var transport = (ManagedTransport)connection.Transport!;
        var length = connection.Output.Length;
        if (length == 0)
        {
            if (connection.State == ConnectionState.Draining) { CloseNow(connection, abort: false); }
            return;
        }
        // The pipe owns its memory, so the output is copied once more: part of what this backend costs.
        var pipe = transport.Pipe.Output;
        ValueTask<System.IO.Pipelines.FlushResult> flush;
        try
        {
            for (var chunk = connection.Output.Head; chunk is not null; chunk = chunk.Next)
            {
                pipe.Write(chunk.GetSpan().Slice(chunk.Start, chunk.Unsent));
            }
            flush = pipe.FlushAsync();
        }
        catch (InvalidOperationException)
        {
            // The pipe's send loop failed (the peer reset) and completed the writer.
            CloseConnection(connection, abort: true);
            return;
        }
        connection.Output.Consume((int)length);
        Counters.BytesSent += length;
        if (flush.IsCompletedSuccessfully)
        {
            AfterFlush(connection, flush.Result.IsCompleted);
            return;
        }
        connection.SendInFlight = true;
        _ = transport.AwaitFlushAsync(flush);
    }

    /// <summary>A flush finished: the pipe has room again (or the peer is gone).</summary>
    internal void AfterFlush(Connection connection, bool peerGone)
    {
        connection.SendInFlight = false;
        if (connection.State == ConnectionState.Closed) { return; }
        if (peerGone)
        {
            CloseConnection(connection, abort: true);
            return;
        }
        if (connection.Output.Length > 0 || connection.State == ConnectionState.Draining) { QueueFlush(connection); }
        if (connection.ReceivePaused && connection.State == ConnectionState.Open && connection.Output.Length < Options.OutputPauseBytes / 2)
        {
            connection.ReceivePaused = false;
            ((ManagedTransport)connection.Transport!).ContinueReading();
        }
    }

    internal override void CloseConnection(Connection connection, bool abort)
    {
        if (connection.State == ConnectionState.Closed) { return; }
        if (abort)
        {
            CloseNow(connection, abort: true);
            return;
        }
        connection.State = ConnectionState.Draining;
        if (!connection.SendInFlight) { QueueFlush(connection); }
    }

    private void CloseNow(Connection connection, bool abort)
    {
        connection.State = ConnectionState.Closed;
        ((ManagedTransport)connection.Transport!).Close(abort);
        ReleaseAfterBatch(connection);
    }
}
