using Loop.Internal;
using Loop.Internal.Output;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;

namespace Loop;

// The life of a connection, once for every backend: open → draining → closed → released, receive paused and
// resumed for backpressure, the input and output limits. The backends only issue system calls for it
// (StartSend, PauseReceive, ResumeReceive, CloseTransport) and report back (Received, Sent, Failed, Released).
public abstract partial class EventLoop
{
    private readonly ObjectPool<IConnectionHandler> _handlers;
    private readonly Connection?[] _connections;
    private readonly Stack<int> _freeIndexes = new();
    private readonly List<Connection> _flushQueue = new();
    private readonly List<Connection> _redeliveryQueue = new();
    private readonly List<Connection> _releasedThisBatch = new();
    private readonly ThrottledWarning _refused, _outOfDescriptors, _outOfMemory;
    private byte[] _discard = [];

    /// <summary>Sends (or starts sending) the head of the connection's output; reports with <see cref="Sent"/> or <see cref="Failed"/>.</summary>
    private protected abstract void StartSend(Connection connection);

    /// <summary>Stops taking input from the socket (backpressure, or draining before a close).</summary>
    private protected abstract void PauseReceive(Connection connection);

    /// <summary>Takes input from the socket again.</summary>
    private protected abstract void ResumeReceive(Connection connection);

    /// <summary>Cancels what is pending on the socket and closes it; reports with <see cref="Released"/> once nothing is.</summary>
    private protected abstract void CloseTransport(Connection connection, bool abort);

    /// <summary>Stops accepting for a moment (out of descriptors or memory).</summary>
    private protected abstract void PauseAccepting();

    /// <summary>Accepts again after <see cref="PauseAccepting"/>.</summary>
    private protected abstract void ResumeAccepting();

    /// <summary>
    /// Closes <paramref name="connection"/> for <paramref name="reason"/> (the first reason given stands): gracefully
    /// once its output is sent, or at once, dropping that output, when <paramref name="abort"/>.
    /// </summary>
    internal void Close(Connection connection, CloseReason reason, bool abort, int errno = 0)
    {
        if (connection.State == ConnectionState.Closed) { return; }
        connection.SetCloseReason(reason, errno);
        if (abort)
        {
            Shut(connection, abort: true);
            return;
        }
        if (connection.State == ConnectionState.Draining) { return; }
        connection.State = ConnectionState.Draining;
        // Input is dropped from now on; not reading it also stops the peer from filling our buffers.
        if (!connection.ReceivePaused)
        {
            connection.ReceivePaused = true;
            PauseReceive(connection);
        }
        QueueFlush(connection);
    }

    private void Shut(Connection connection, bool abort)
    {
        connection.State = ConnectionState.Closed;
        if (connection.CloseReason == CloseReason.Error)
        {
            Logger.LogDebug("Connection {Id} closed: {Reason}, errno {Errno}", connection.Id, connection.CloseReason, connection.CloseErrno);
        }
        else
        {
            Logger.LogDebug("Connection {Id} closed: {Reason}", connection.Id, connection.CloseReason);
        }
        CloseTransport(connection, abort);
    }

    /// <summary>The connection's output grew: queue a send, or close it past <see cref="ServerOptions.MaxOutputBytes"/>.</summary>
    internal void OutputWritten(Connection connection)
    {
        if (connection.Output.Length > Options.MaxOutputBytes)
        {
            Logger.LogWarning("Connection {Id} closed: {Bytes} bytes of unsent output passed MaxOutputBytes ({Limit})",
                connection.Id, connection.Output.Length, Options.MaxOutputBytes);
            Close(connection, CloseReason.OutputLimit, abort: true);
            return;
        }
        QueueFlush(connection);
    }

    /// <summary>Where writes to a closed connection go: a scratch area, so a handler mid-reply needs no check.</summary>
    internal Span<byte> DiscardSpan(int sizeHint) => DiscardMemory(sizeHint).Span;

    internal Memory<byte> DiscardMemory(int sizeHint)
    {
        if (_discard.Length < Math.Max(sizeHint, 4096)) { _discard = new byte[Math.Max(sizeHint, 4096)]; }
        return _discard;
    }

    /// <summary>Queues the connection for a send after the current batch (once per batch).</summary>
    internal void QueueFlush(Connection connection)
    {
        if (connection.FlushQueued || connection.State == ConnectionState.Closed) { return; }
        connection.FlushQueued = true;
        (_servingWhileBusy ? _flushQueueWhileBusy : _flushQueue).Add(connection);
    }

    internal void QueueRedelivery(Connection connection)
    {
        if (connection.RedeliveryQueued || connection.State != ConnectionState.Open) { return; }
        connection.RedeliveryQueued = true;
        _redeliveryQueue.Add(connection);
    }

    /// <summary>Takes a free connection slot and a handler, or null when the loop is full.</summary>
    private protected Connection? OpenConnection(ChunkPool chunks)
    {
        if (!_freeIndexes.TryPop(out var index)) { return null; }
        var connection = _connections[index] ??= new Connection(this, index, chunks);
        connection.Open(_handlers.Get());
        return connection;
    }

    private protected Connection ConnectionAt(int index) => _connections[index]!;

    /// <summary>
    /// Counts a newly accepted connection and lets its handler greet it. A handler that throws closes its
    /// connection (false); one accepted while stopping is closed once its greeting is sent.
    /// </summary>
    private protected bool Opened(Connection connection)
    {
        Counters.Accepted++;
        try { connection.Handler.OnOpen(connection); }
        catch (Exception e)
        {
            Logger.LogError(e, "Handler OnOpen failed on connection {Id}; closing it", connection.Id);
            Close(connection, CloseReason.HandlerError, abort: true);
            return false;
        }
        if (Stopping) { Close(connection, CloseReason.ServerStopping, abort: false); }
        return connection.State != ConnectionState.Closed;
    }

    /// <summary>Counts a connection refused because the loop is full, with a warning at most once a second.</summary>
    private protected void CountRefused()
    {
        Counters.Rejected++;
        _refused.Hit(Id, ConnectionLimit);
    }

    /// <summary>Connections this loop can hold: MaxConnectionsPerLoop unless the backend could set up fewer.</summary>
    private protected int ConnectionLimit { get; set; }

    /// <summary>
    /// An accept failed. Out of descriptors or kernel memory, retrying at once would spin (the listener stays
    /// readable, a multishot accept ends at once): accepting pauses for a moment while open connections are
    /// served, with a throttled warning. Anything else concerned one connection only.
    /// </summary>
    private protected void AcceptFailed(int errno)
    {
        switch (errno)
        {
            case Internal.Interop.Libc.EMFILE or Internal.Interop.Libc.ENFILE:
                _outOfDescriptors.Hit(Id, Internal.Interop.ResourceLimits.OpenFiles);
                break;
            case Internal.Interop.Libc.ENOMEM or Internal.Interop.Libc.ENOBUFS:
                _outOfMemory.Hit(Id, 0);
                break;
            default:
                Logger.LogDebug("Loop {Loop}: accept failed with errno {Errno}", Id, errno);
                return;
        }
        PauseAccepting();
        Schedule(AcceptRetryDelay, () => { if (!Stopping) { ResumeAccepting(); } });
    }

    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private protected IEnumerable<Connection> OpenConnections()
    {
        foreach (var c in _connections)
        {
            if (c is not null && c.Handler is not null && c.State != ConnectionState.Closed) { yield return c; }
        }
    }

    /// <summary>Bytes arrived: hand them to the handler, and stop reading if the peer does not read our output.</summary>
    private protected void Received(Connection connection, ReadOnlySpan<byte> data)
    {
        Counters.BytesReceived += data.Length;
        Deliver(connection, data);
        PauseIfBackedUp(connection);
    }

    private void PauseIfBackedUp(Connection connection)
    {
        if (connection.State == ConnectionState.Open && !connection.ReceivePaused && connection.Output.Length >= Options.OutputPauseBytes)
        {
            Counters.ReceivePauses++;
            connection.ReceivePaused = true;
            PauseReceive(connection);
        }
    }

    /// <summary>The kernel took <paramref name="count"/> bytes of the output.</summary>
    private protected void Sent(Connection connection, int count)
    {
        connection.SendInFlight = false;
        if (connection.State == ConnectionState.Closed) { return; }
        Counters.BytesSent += count;
        connection.Output.Consume(count);
        // A partial send continues from where it stopped, after this batch like any other output.
        if (connection.Output.Length > 0 || connection.State == ConnectionState.Draining) { QueueFlush(connection); }
        if (connection.ReceivePaused && connection.State == ConnectionState.Open && connection.Output.Length < Options.OutputPauseBytes / 2)
        {
            connection.ReceivePaused = false;
            ResumeReceive(connection);
        }
    }

    /// <summary>A receive or send failed: the connection is aborted.</summary>
    private protected void Failed(Connection connection, int errno)
    {
        connection.SendInFlight = false;
        Close(connection, CloseReason.Error, abort: true, errno);
    }

    /// <summary>
    /// Nothing of the connection is pending in the kernel any more: it is released after the current batch, so
    /// that a later event of the same batch for its index cannot reach a connection accepted in its place.
    /// </summary>
    private protected void Released(Connection connection) => _releasedThisBatch.Add(connection);

    private void Release(Connection connection)
    {
        try { connection.Handler.OnClose(connection, connection.CloseReason); }
        catch (Exception e) { Logger.LogError(e, "Handler OnClose failed on connection {Id}", connection.Id); }
        _handlers.Return(connection.Handler);
        Counters.Closed++;
        Counters.ClosedBy[(int)connection.CloseReason]++;
        connection.Handler = null!;
        connection.Output.Clear();
        connection.Carry.Release();
        connection.SendInFlight = connection.ReceivePaused = false;
        _freeIndexes.Push(connection.Index);
    }

    /// <summary>
    /// The work between two waits: posted callbacks, due timers, redeliveries, sends, deferred releases. Returns
    /// false once a stop has finished; <paramref name="untilTimer"/> bounds the next wait.
    /// </summary>
    private protected bool RunBetweenBatches(out TimeSpan? untilTimer)
    {
        RunPostedAndTimers();
        Redeliver();
        foreach (var callback in _beforeSends) { Run(static s => ((Action)s!)(), callback); }
        FlushSends(_flushQueue);
        foreach (var connection in _releasedThisBatch) { Release(connection); }
        _releasedThisBatch.Clear();
        untilTimer = UntilNextTimer();
        return !(Stopping && ConnectionCount == 0 && NothingInFlight);
    }

    /// <summary>False while the backend still has work of released connections or the listener in flight (an accept pending in the kernel, a closed socket still sending).</summary>
    private protected virtual bool NothingInFlight => true;

    private void Redeliver()
    {
        for (var i = 0; i < _redeliveryQueue.Count; i++)
        {
            var connection = _redeliveryQueue[i];
            connection.RedeliveryQueued = false;
            if (connection.Carry.Length == 0) { continue; }
            Deliver(connection, []);
            PauseIfBackedUp(connection);
        }
        _redeliveryQueue.Clear();
    }

    /// <summary>Starts a send for every connection of <paramref name="queue"/> (that wrote since the last flush) with none pending.</summary>
    private void FlushSends(List<Connection> queue)
    {
        // A send that completes at once (epoll) may queue the same connection again: the list grows while read.
        for (var i = 0; i < queue.Count; i++)
        {
            var connection = queue[i];
            if (queue != _flushQueue && connection == _delivering)
            {
                _flushQueue.Add(connection); // its handler is still running: what it writes waits for the loop's turn
                continue;
            }
            connection.FlushQueued = false;
            if (connection.State == ConnectionState.Closed || connection.SendInFlight || connection.OutputHeld) { continue; }
            if (connection.Output.Length == 0)
            {
                if (connection.State == ConnectionState.Draining) { Shut(connection, abort: false); }
                continue;
            }
            connection.SendInFlight = true;
            try { StartSend(connection); }
            catch (Exception e)
            {
                // One connection's failure must not end the loop and strand the others.
                Logger.LogError(e, "Sending on connection {Id} failed; closing it", connection.Id);
                Failed(connection, 0);
            }
        }
        queue.Clear();
    }

    /// <summary>Hands received bytes to the handler, keeping what it leaves for next time.</summary>
    private void Deliver(Connection connection, ReadOnlySpan<byte> data)
    {
        if (connection.State != ConnectionState.Open) { return; }
        if (_servingWhileBusy && connection == _delivering)
        {
            HoldWhileBusy(connection, data);
            return;
        }
        var outer = _delivering;
        _delivering = connection;
        try
        {
            if (connection.Carry.Length == 0)
            {
                var consumed = connection.Handler.OnReceive(connection, data);
                CheckConsumed(consumed, data.Length);
                if (consumed < data.Length && connection.State == ConnectionState.Open) { Keep(connection, data[consumed..]); }
            }
            else
            {
                if (!Keep(connection, data)) { return; }
                var pending = connection.Carry.Pending;
                var consumed = connection.Handler.OnReceive(connection, pending);
                CheckConsumed(consumed, pending.Length);
                connection.Carry.Consume(consumed);
            }
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Handler failed on connection {Id}; closing it", connection.Id);
            Close(connection, CloseReason.HandlerError, abort: true);
        }
        finally { _delivering = outer; }
        if (outer is null && _arrivedWhileBusy is not null) { TakeBackHeldInput(connection); }
    }

    private static void CheckConsumed(int consumed, int length)
    {
        if ((uint)consumed > (uint)length)
        {
            throw new InvalidOperationException($"OnReceive returned {consumed} for {length} bytes.");
        }
    }

    private bool Keep(Connection connection, ReadOnlySpan<byte> rest)
    {
        if (connection.Carry.TryAppend(rest, Options.MaxUnconsumedBytes)) { return true; }
        InputLimitPassed(connection, (long)connection.Carry.Length + rest.Length);
        return false;
    }

    private void InputLimitPassed(Connection connection, long bytes)
    {
        Logger.LogWarning("Connection {Id} closed: {Bytes} unconsumed bytes passed MaxUnconsumedBytes ({Limit})",
            connection.Id, bytes, Options.MaxUnconsumedBytes);
        Close(connection, CloseReason.InputLimit, abort: true);
    }
}
