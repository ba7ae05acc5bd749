using System.Buffers;

namespace Loop;

// Serving while busy: long work on the loop's thread (a script that runs for seconds) lets the loop take in what arrived
// meanwhile, so that its other clients get an answer (Redis's BUSY) and can stop the work, instead of waiting unanswered.
// As Redis's processEventsWhileBlocked: connections are accepted, input is delivered and the answers are sent; the
// connection whose handler is busy keeps what it receives for later, and posted work, timers and releases wait.
public abstract partial class EventLoop
{
    private readonly List<Connection> _flushQueueWhileBusy = new();
    private ArrayBufferWriter<byte>? _arrivedWhileBusy;
    private Connection? _delivering;
    private bool _servingWhileBusy;

    /// <summary>True while <see cref="ServeWhileBusy"/> runs: a handler called now answers while the loop is busy.</summary>
    public bool IsServingWhileBusy => _servingWhileBusy;

    /// <summary>
    /// Called now and then by long work on this loop's thread: takes in, without waiting, what arrived since. New
    /// connections are accepted and greeted, other connections' input goes to their handlers (which see
    /// <see cref="IsServingWhileBusy"/>, and should answer without touching what the work holds: a refusal), and what
    /// they write is sent at once, without the <see cref="BeforeSends"/> hooks. The connection whose handler is running
    /// gets what it received after its handler returns, in order; output written before this call, posted callbacks,
    /// timers and the release of closed connections wait for the loop's next turn as usual. Does nothing when called
    /// from a handler it called. Loop thread only.
    /// </summary>
    public void ServeWhileBusy()
    {
        if (!IsLoopThread) { throw new InvalidOperationException("ServeWhileBusy is for the loop's own thread."); }
        if (_servingWhileBusy) { return; }
        _servingWhileBusy = true;
        try
        {
            TakeInReady();
            FlushSends(_flushQueueWhileBusy);
            SubmitWhileBusy();
        }
        finally { _servingWhileBusy = false; }
    }

    /// <summary>Handles the events ready now without waiting for any: the backend's part of <see cref="ServeWhileBusy"/>.</summary>
    private protected abstract void TakeInReady();

    /// <summary>Hands the kernel what serving while busy queued (the sends), where the backend queues system calls.</summary>
    private protected virtual void SubmitWhileBusy() { }

    // Input for the connection whose handler is busy: kept aside, since its carry may be what the handler is reading.
    private void HoldWhileBusy(Connection connection, ReadOnlySpan<byte> data)
    {
        var held = _arrivedWhileBusy ??= new ArrayBufferWriter<byte>();
        if ((long)connection.Carry.Length + held.WrittenCount + data.Length > Options.MaxUnconsumedBytes)
        {
            InputLimitPassed(connection, (long)connection.Carry.Length + held.WrittenCount + data.Length);
            return;
        }
        held.Write(data);
    }

    // The busy handler returned: what arrived meanwhile follows what it left, and is delivered after this turn.
    private void TakeBackHeldInput(Connection connection)
    {
        var held = _arrivedWhileBusy!;
        _arrivedWhileBusy = null;
        if (connection.State == ConnectionState.Open && Keep(connection, held.WrittenSpan)) { QueueRedelivery(connection); }
    }
}
