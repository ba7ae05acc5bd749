using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Loop.Internal;
using Loop.Internal.Interop;
using Loop.Internal.Output;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;

namespace Loop;

/// <summary>
/// One thread's world: its connections, its buffers, its timers. Other threads reach it only through
/// <see cref="Post(Action)"/>. Backends derive from it; what they share lives here.
/// </summary>
public abstract class EventLoop
{
    private readonly ConcurrentQueue<(Action<object?> Callback, object? State)> _posted = new();
    private readonly PriorityQueue<LoopTimer, long> _timers = new();
    private readonly ObjectPool<IConnectionHandler> _handlers;
    private readonly Connection?[] _connections;
    private readonly Stack<int> _freeIndexes = new();
    private readonly List<Connection> _flushQueue = new();
    private readonly List<Connection> _closedThisBatch = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<Type, object> _state = new();
    private readonly ThrottledWarning _refused;
    private int _wakeRequested;
    private int _threadId;

    private protected EventLoop(int id, ServerOptions options, Func<IConnectionHandler> handlerFactory)
    {
        Id = id;
        Options = options;
        Logger = options.LoggerFactory.CreateLogger("Loop");
        _handlers = new DefaultObjectPool<IConnectionHandler>(new HandlerPoolPolicy(handlerFactory), options.MaxConnectionsPerLoop);
        _connections = new Connection?[options.MaxConnectionsPerLoop];
        for (var i = _connections.Length - 1; i >= 0; i--) { _freeIndexes.Push(i); }
        _refused = new ThrottledWarning(Logger, "Loop {Loop} refused {Count} connection(s) since the last report: MaxConnectionsPerLoop ({Limit}) reached");
    }

    /// <summary>The loop's number, 0 to loop count - 1.</summary>
    public int Id { get; }

    /// <summary>True on this loop's own thread.</summary>
    public bool IsLoopThread => Environment.CurrentManagedThreadId == _threadId;

    /// <summary>Connections open on this loop.</summary>
    public int ConnectionCount => _connections.Length - _freeIndexes.Count;

    /// <summary>This loop's counts since start (safe to read from any thread; a moment old at most).</summary>
    public LoopStatistics Statistics => new(ConnectionCount, Counters.Accepted, Counters.Closed, Counters.Rejected,
        Counters.BytesReceived, Counters.BytesSent, Counters.Completions, Counters.Waits, Counters.Submissions,
        Counters.BufferRingEmpty, Counters.ReceivePauses);

    /// <summary>Runs <paramref name="callback"/> on this loop's thread soon. Safe from any thread.</summary>
    public void Post(Action callback) => Post(static s => ((Action)s!)(), callback);

    /// <summary>Runs <paramref name="callback"/> with <paramref name="state"/> on this loop's thread soon. Safe from any thread.</summary>
    public void Post(Action<object?> callback, object? state)
    {
        _posted.Enqueue((callback, state));
        if (Interlocked.Exchange(ref _wakeRequested, 1) == 0) { Wake(); }
    }

    /// <summary>Runs <paramref name="callback"/> on this loop after <paramref name="delay"/>. Loop thread only.</summary>
    public LoopTimer Schedule(TimeSpan delay, Action callback)
    {
        if (!IsLoopThread) { throw new InvalidOperationException("Schedule is for the loop's own thread; use Post from other threads."); }
        var timer = new LoopTimer(callback, Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency));
        _timers.Enqueue(timer, timer.DueTicks);
        return timer;
    }

    internal Task Started => _started.Task;
    internal Task Stopped => _stopped.Task;
    internal LoopCounters Counters { get; } = new();

    /// <summary>The loop thread's body: set up, signal <see cref="Started"/>, run until stopped, tear down.</summary>
    internal void Run()
    {
        BindToCurrentThread();
        try
        {
            SetUp();
            _started.SetResult();
        }
        catch (Exception e)
        {
            TearDown();
            _started.SetException(e);
            return;
        }
        try
        {
            RunUntilStopped();
            TearDown();
            _stopped.SetResult();
        }
        catch (Exception e)
        {
            Logger.LogCritical(e, "Loop {Loop} failed", Id);
            TearDown();
            _stopped.SetException(e);
        }
    }

    /// <summary>Stops accepting, lets every connection flush and close, then ends the loop. Any thread.</summary>
    internal void BeginStop() => Post(() =>
    {
        if (Stopping) { return; }
        Stopping = true;
        StopAccepting();
        foreach (var connection in OpenConnections()) { CloseConnection(connection, abort: false); }
        Schedule(Options.ShutdownTimeout, () =>
        {
            foreach (var connection in OpenConnections()) { CloseConnection(connection, abort: true); }
        });
    });

    /// <summary>True once a stop began: no new connections are kept.</summary>
    private protected bool Stopping { get; private set; }

    /// <summary>Creates the loop's kernel resources, on the loop thread.</summary>
    private protected abstract void SetUp();

    /// <summary>Waits for and handles events until stopping is done (no connections left).</summary>
    private protected abstract void RunUntilStopped();

    /// <summary>Releases every kernel resource; must cope with a partial <see cref="SetUp"/>.</summary>
    private protected abstract void TearDown();

    private protected abstract void StopAccepting();

    /// <summary>
    /// Per-loop state of type <typeparamref name="T"/> (a cached Date header, a shard, counters), created by
    /// <paramref name="create"/> on first use. Loop thread only, so it needs no locking.
    /// </summary>
    public T GetState<T>(Func<EventLoop, T> create) where T : class
    {
        if (_state.TryGetValue(typeof(T), out var existing)) { return (T)existing; }
        var created = create(this);
        _state[typeof(T)] = created;
        return created;
    }

    internal ServerOptions Options { get; }
    private protected ILogger Logger { get; }

    /// <summary>Wakes the loop's thread from its wait so it runs posted work.</summary>
    private protected abstract void Wake();

    /// <summary>Starts closing: after the output is flushed (or at once when aborting).</summary>
    internal abstract void CloseConnection(Connection connection, bool abort);

    /// <summary>Queues the connection for a send after the current batch (once per batch).</summary>
    internal void QueueFlush(Connection connection)
    {
        if (connection.FlushQueued || connection.State == ConnectionState.Closed) { return; }
        connection.FlushQueued = true;
        _flushQueue.Add(connection);
    }

    /// <summary>
    /// Starts a send for every connection that wrote since the last flush and has none pending. The output
    /// limit is checked here, not after a receive, because output also grows from posted callbacks and other
    /// connections' handlers (a pub/sub subscriber that never sends anything and never reads).
    /// </summary>
    private void FlushSends()
    {
        for (var i = 0; i < _flushQueue.Count; i++)
        {
            var connection = _flushQueue[i];
            connection.FlushQueued = false;
            if (connection.State == ConnectionState.Closed) { continue; }
            if (connection.OutputLimitReached)
            {
                Logger.LogWarning("Connection {Id} closed: {Bytes} bytes of unsent output passed MaxOutputBytes ({Limit})",
                    connection.Id, connection.Output.Length, Options.MaxOutputBytes);
                CloseConnection(connection, abort: true);
            }
            else if (!connection.SendInFlight)
            {
                try { StartSend(connection); }
                catch (Exception e)
                {
                    // One connection's failure must not end the loop and strand the others.
                    Logger.LogError(e, "Sending on connection {Id} failed; closing it", connection.Id);
                    CloseConnection(connection, abort: true);
                }
            }
        }
        _flushQueue.Clear();
    }

    /// <summary>Sends (or starts sending) the connection's output; closes it if draining and done.</summary>
    private protected abstract void StartSend(Connection connection);

    private protected unsafe void BindToCurrentThread()
    {
        _threadId = Environment.CurrentManagedThreadId;
        if (!Options.PinThreads) { return; }
        if (!OperatingSystem.IsLinux())
        {
            Logger.LogWarning("PinThreads is supported on Linux only; loop {Loop} is not pinned", Id);
            return;
        }
        // Loop i takes the i-th CPU the process may run on, so pinning stays inside a taskset or cgroup.
        var allowed = AllowedCpus();
        var cpu = allowed[Id % allowed.Count];
        var mask = stackalloc ulong[16];
        new Span<ulong>(mask, 16).Clear();
        mask[cpu / 64] = 1UL << (cpu % 64);
        if (Libc.SchedSetAffinity(0, 16 * sizeof(ulong), mask) != 0)
        {
            Logger.LogWarning("Loop {Loop} could not be pinned to CPU {Cpu}: errno {Errno}", Id, cpu, Libc.LastErrno);
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static List<int> AllowedCpus()
    {
        var mask = (ulong)System.Diagnostics.Process.GetCurrentProcess().ProcessorAffinity;
        var cpus = Enumerable.Range(0, 64).Where(i => (mask >> i & 1) != 0).ToList();
        return cpus.Count > 0 ? cpus : [0];
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
            CloseConnection(connection, abort: true);
            return false;
        }
        if (Stopping) { CloseConnection(connection, abort: false); }
        return true;
    }

    /// <summary>Counts a connection refused because the loop is full, with a warning at most once a second.</summary>
    private protected void CountRefused()
    {
        Counters.Rejected++;
        _refused.Hit(Id, Options.MaxConnectionsPerLoop);
    }

    private protected IEnumerable<Connection> OpenConnections()
    {
        foreach (var c in _connections)
        {
            if (c is not null && c.Handler is not null && c.State != ConnectionState.Closed) { yield return c; }
        }
    }

    /// <summary>Returns a connection whose kernel resources are all released.</summary>
    private protected void ReleaseConnection(Connection connection)
    {
        try { connection.Handler.OnClose(connection); }
        catch (Exception e) { Logger.LogError(e, "Handler OnClose failed on connection {Id}", connection.Id); }
        _handlers.Return(connection.Handler);
        Counters.Closed++;
        connection.Handler = null!;
        connection.Output.Clear();
        if (connection.Carry is not null) { ArrayPool<byte>.Shared.Return(connection.Carry); }
        connection.Carry = null;
        connection.CarryLength = 0;
        connection.Transport = null;
        connection.SendInFlight = connection.ReceivePaused = false;
        _freeIndexes.Push(connection.Index);
    }

    /// <summary>
    /// Releases a closed connection after the current batch, so that a later event of the same batch for
    /// its index cannot reach a connection accepted in its place.
    /// </summary>
    private protected void ReleaseAfterBatch(Connection connection) => _closedThisBatch.Add(connection);

    /// <summary>
    /// The work between two waits: posted callbacks, due timers, sends, deferred releases. Returns false
    /// once a stop has finished; <paramref name="untilTimer"/> bounds the next wait.
    /// </summary>
    private protected bool RunBetweenBatches(out TimeSpan? untilTimer)
    {
        untilTimer = RunPostedAndTimers();
        FlushSends();
        foreach (var connection in _closedThisBatch) { ReleaseConnection(connection); }
        _closedThisBatch.Clear();
        return !(Stopping && ConnectionCount == 0 && AcceptStopped);
    }

    /// <summary>False while an accept is still pending in the kernel after a stop began.</summary>
    private protected virtual bool AcceptStopped => true;

    /// <summary>Hands received bytes to the handler, keeping what it leaves for next time.</summary>
    private protected void Deliver(Connection connection, ReadOnlySpan<byte> data)
    {
        if (connection.State != ConnectionState.Open) { return; }
        try
        {
            if (connection.CarryLength == 0)
            {
                var consumed = connection.Handler.OnReceive(connection, data);
                CheckConsumed(consumed, data.Length);
                if (consumed < data.Length && connection.State == ConnectionState.Open) { KeepUnconsumed(connection, data[consumed..]); }
            }
            else
            {
                KeepUnconsumed(connection, data);
                if (connection.State != ConnectionState.Open) { return; }
                var pending = connection.Carry.AsSpan(0, connection.CarryLength);
                var consumed = connection.Handler.OnReceive(connection, pending);
                CheckConsumed(consumed, pending.Length);
                pending[consumed..].CopyTo(connection.Carry);
                connection.CarryLength -= consumed;
            }
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Handler failed on connection {Id}; closing it", connection.Id);
            CloseConnection(connection, abort: true);
            return;
        }
    }

    private static void CheckConsumed(int consumed, int length)
    {
        if ((uint)consumed > (uint)length)
        {
            throw new InvalidOperationException($"OnReceive returned {consumed} for {length} bytes.");
        }
    }

    private void KeepUnconsumed(Connection connection, ReadOnlySpan<byte> rest)
    {
        var needed = connection.CarryLength + rest.Length;
        if (needed > Options.MaxUnconsumedBytes)
        {
            Logger.LogWarning("Connection {Id} closed: {Bytes} unconsumed bytes passed MaxUnconsumedBytes ({Limit})",
                connection.Id, needed, Options.MaxUnconsumedBytes);
            CloseConnection(connection, abort: true);
            return;
        }
        if (connection.Carry is null || connection.Carry.Length < needed)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 4096));
            if (connection.Carry is not null)
            {
                connection.Carry.AsSpan(0, connection.CarryLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(connection.Carry);
            }
            connection.Carry = bigger;
        }
        rest.CopyTo(connection.Carry.AsSpan(connection.CarryLength));
        connection.CarryLength = needed;
    }

    /// <summary>Runs posted callbacks and due timers; returns the time until the next timer, or null.</summary>
    private TimeSpan? RunPostedAndTimers()
    {
        Volatile.Write(ref _wakeRequested, 0);
        while (_posted.TryDequeue(out var item)) { Run(item.Callback, item.State); }

        var now = Stopwatch.GetTimestamp();
        while (_timers.TryPeek(out var timer, out var due))
        {
            if (timer.IsCancelled) { _timers.Dequeue(); continue; }
            if (due > now) { return Stopwatch.GetElapsedTime(now, due); }
            _timers.Dequeue();
            Run(static s => ((Action)s!)(), timer.Callback);
        }
        return null;
    }

    private void Run(Action<object?> callback, object? state)
    {
        try { callback(state); }
        catch (Exception e) { Logger.LogError(e, "A callback posted to loop {Loop} failed", Id); }
    }
}
