using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Loop.Internal;
using Loop.Internal.Files;
using Loop.Internal.Interop;
using Loop.Internal.Output;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Win32.SafeHandles;

namespace Loop;

/// <summary>
/// One thread's world: its connections, its buffers, its timers. Other threads reach it only through
/// <see cref="Post(Action)"/>. Backends derive from it; what they share lives here.
/// </summary>
public abstract partial class EventLoop
{
    private readonly ConcurrentQueue<Posted> _posted = new();
    private readonly PriorityQueue<LoopTimer, long> _timers = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<Type, object> _state = new();
    private int _wakeRequested;
    private int _threadId;

    private protected EventLoop(int id, ServerOptions options, Func<IConnectionHandler> handlerFactory)
    {
        Id = id;
        Options = options;
        Logger = options.LoggerFactory.CreateLogger("Loop");
        _handlers = new DefaultObjectPool<IConnectionHandler>(new HandlerPoolPolicy(handlerFactory), options.MaxConnectionsPerLoop);
        _connections = new Connection?[options.MaxConnectionsPerLoop];
        ConnectionLimit = options.MaxConnectionsPerLoop;
        for (var i = _connections.Length - 1; i >= 0; i--) { _freeIndexes.Push(i); }
        _refused = new ThrottledWarning(Logger, "Loop {Loop} refused {Count} connection(s) since the last report: {Limit} open, its limit (MaxConnectionsPerLoop, or on io_uring a fixed-file table reduced by RLIMIT_NOFILE)");
        _outOfDescriptors = new ThrottledWarning(Logger, "Loop {Loop}: accept failed {Count} time(s) since the last report: out of file descriptors (EMFILE/ENFILE, RLIMIT_NOFILE {Limit}); accepting pauses 100 ms at a time while open connections are served. Raise the limit (ulimit -n, systemd LimitNOFILE=)");
        _outOfMemory = new ThrottledWarning(Logger, "Loop {Loop}: accept failed {Count} time(s) since the last report: out of kernel memory (ENOMEM/ENOBUFS, limit {Limit}); accepting pauses 100 ms at a time");
    }

    /// <summary>The loop's number, 0 to loop count - 1.</summary>
    public int Id { get; }

    /// <summary>True on this loop's own thread.</summary>
    public bool IsLoopThread => Environment.CurrentManagedThreadId == _threadId;

    /// <summary>Connections open on this loop.</summary>
    public int ConnectionCount => _connections.Length - _freeIndexes.Count;

    /// <summary>
    /// Bytes received and sent, and connections refused, since start: what a sampler reads often, without
    /// <see cref="Statistics"/>' allocation (safe from any thread; a moment old at most).
    /// </summary>
    public (long BytesReceived, long BytesSent, long Rejected) Traffic => (Counters.BytesReceived, Counters.BytesSent, Counters.Rejected);

    /// <summary>This loop's counts since start (safe to read from any thread; a moment old at most).</summary>
    public LoopStatistics Statistics => new(ConnectionCount, Counters.Accepted, Counters.Closed, Counters.Rejected,
        Counters.BytesReceived, Counters.BytesSent, Counters.Completions, Counters.Waits, Counters.Submissions,
        Counters.BufferRingEmpty, Counters.ReceivePauses, Counters.CompletionQueueOverflows, new CloseReasonCounts([.. Counters.ClosedBy]));

    /// <summary>Runs <paramref name="callback"/> on this loop's thread soon. Safe from any thread.</summary>
    public void Post(Action callback) => Post(static s => ((Action)s!)(), callback);

    /// <summary>Runs <paramref name="callback"/> with <paramref name="state"/> on this loop's thread soon. Safe from any thread.</summary>
    public void Post(Action<object?> callback, object? state) => Post(new Posted(callback, state, IsIo: false));

    /// <summary>A backend's own event (a read, an accept) from another thread: unlike other posts, also run while busy.</summary>
    internal void PostIo(Action<object?> callback, object? state) => Post(new Posted(callback, state, IsIo: true));

    private readonly record struct Posted(Action<object?> Callback, object? State, bool IsIo);

    private void Post(Posted posted)
    {
        _posted.Enqueue(posted);
        if (Interlocked.Exchange(ref _wakeRequested, 1) != 0) { return; }
        // A post that races the loop's end (a file write completing on a pool thread) must not touch its closed
        // eventfd, whose number may already be another file's: what is posted then is dropped with the loop.
        lock (_wakeGate)
        {
            if (!_tornDown) { Wake(); }
        }
    }

    private readonly object _wakeGate = new();
    private bool _tornDown;

    private void TearDownOnce()
    {
        lock (_wakeGate) { _tornDown = true; }
        TearDown();
    }

    /// <summary>
    /// Runs <paramref name="callback"/> on this loop after every batch of work, before the replies it wrote are sent:
    /// the place to make what the batch did durable first, as Redis writes its append-only file before replying.
    /// Loop thread only.
    /// </summary>
    public void BeforeSends(Action callback)
    {
        if (!IsLoopThread) { throw new InvalidOperationException("BeforeSends is for the loop's own thread; use Post from other threads."); }
        _beforeSends.Add(callback);
    }

    private readonly List<Action> _beforeSends = [];

    /// <summary>
    /// Writes <paramref name="data"/> to <paramref name="file"/> at <paramref name="offset"/>, synced to disk after it
    /// when <paramref name="sync"/>, without blocking this loop: on io_uring a WRITE on the loop's ring with an FSYNC
    /// linked behind it (IOSQE_IO_LINK orders them), elsewhere a pwrite and fsync on a thread-pool thread. Then
    /// <paramref name="completed"/> runs on this loop with the bytes written, or a negative errno. <paramref name="data"/>
    /// must stay as it is until then, or until <paramref name="written"/> runs on this loop: all of it is written and only
    /// the sync is still under way (a caller that keeps its writes in order may start the next write then, and let the
    /// syncs overlap). Loop thread only.
    /// </summary>
    public void WriteFile(SafeFileHandle file, long offset, ReadOnlyMemory<byte> data, bool sync, Action<int> completed, Action? written = null)
    {
        if (!IsLoopThread) { throw new InvalidOperationException("WriteFile is for the loop's own thread; use Post from other threads."); }
        var write = new LoopFileWrite(file, offset, data, sync, completed, written) { Pin = data.Pin() };
        StartFileWrite(write);
    }

    /// <summary>Starts a file write; the backends without a ring of their own use the thread pool.</summary>
    private protected virtual void StartFileWrite(LoopFileWrite write) => write.RunOnThreadPool(this);

    /// <summary>Runs <paramref name="callback"/> on this loop after <paramref name="delay"/>. Loop thread only.</summary>
    public LoopTimer Schedule(TimeSpan delay, Action callback) => AddTimer(delay, callback, periodTicks: 0);

    /// <summary>
    /// Runs <paramref name="callback"/> on this loop every <paramref name="period"/>, the first time one period from
    /// now, until the timer is cancelled. A firing allocates nothing, so periodic work (a cron, a clock) keeps a
    /// loop's steady state free of garbage. Loop thread only.
    /// </summary>
    public LoopTimer Every(TimeSpan period, Action callback)
    {
        if (period <= TimeSpan.Zero) { throw new ArgumentOutOfRangeException(nameof(period), period, "must be positive"); }
        return AddTimer(period, callback, ToStopwatchTicks(period));
    }

    private LoopTimer AddTimer(TimeSpan delay, Action callback, long periodTicks)
    {
        if (!IsLoopThread) { throw new InvalidOperationException("Timers are set on the loop's own thread; use Post from other threads."); }
        var timer = new LoopTimer(callback, Stopwatch.GetTimestamp() + ToStopwatchTicks(delay), periodTicks);
        _timers.Enqueue(timer, timer.DueTicks);
        return timer;
    }

    private protected static long ToStopwatchTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

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
            TearDownOnce();
            _started.SetException(e);
            return;
        }
        try
        {
            RunUntilStopped();
            TearDownOnce();
            _stopped.SetResult();
        }
        catch (Exception e)
        {
            Logger.LogCritical(e, "Loop {Loop} failed", Id);
            TearDownOnce();
            _stopped.SetException(e);
        }
    }

    private volatile bool _stopRequested;

    /// <summary>
    /// True, on any thread, from the moment the server begins stopping: long work running on the loop (a script) can
    /// end early, since the stop waits for the loop to come back to its queue.
    /// </summary>
    public bool StopRequested => _stopRequested;

    /// <summary>Stops accepting, lets every connection flush and close, then ends the loop. Any thread.</summary>
    internal void BeginStop()
    {
        _stopRequested = true;
        Post(Stop);
    }

    private void Stop()
    {
        if (Stopping) { return; }
        Stopping = true;
        StopAccepting();
        foreach (var connection in OpenConnections()) { Close(connection, CloseReason.ServerStopping, abort: false); }
        Schedule(Options.ShutdownTimeout, () =>
        {
            foreach (var connection in OpenConnections()) { Close(connection, CloseReason.ServerStopping, abort: true); }
        });
    }

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

    /// <summary>Runs posted callbacks and due timers.</summary>
    private void RunPostedAndTimers()
    {
        Volatile.Write(ref _wakeRequested, 0);
        while (_postedWhileBusy.TryDequeue(out var item) || _posted.TryDequeue(out item)) { Run(item.Callback, item.State); }

        var now = Stopwatch.GetTimestamp();
        while (_timers.TryPeek(out var timer, out var due) && (timer.IsCancelled || due <= now))
        {
            _timers.Dequeue();
            if (timer.IsCancelled) { continue; }
            if (timer.PeriodTicks > 0)
            {
                // Re-queued before it runs, so the callback may cancel it; a late loop skips the missed firings.
                var next = due + timer.PeriodTicks;
                timer.DueTicks = next > now ? next : now + timer.PeriodTicks;
                _timers.Enqueue(timer, timer.DueTicks);
            }
            Run(static s => ((Action)s!)(), timer.Callback);
        }
    }

    /// <summary>
    /// The time until the next timer, or null: asked after the whole batch, since its work (a redelivered command, a
    /// hook before sends, a close) may have set a timer that must bound the coming wait.
    /// </summary>
    private TimeSpan? UntilNextTimer()
    {
        while (_timers.TryPeek(out var timer, out var due))
        {
            if (timer.IsCancelled) { _timers.Dequeue(); continue; }
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    // Posts passed over while busy, in their order: they run first at the loop's next turn.
    private readonly Queue<Posted> _postedWhileBusy = new();

    /// <summary>Serving while busy: runs the backend's posted events, and keeps the rest in order for the next turn.</summary>
    private protected void RunPostedIo()
    {
        for (var count = _posted.Count; count > 0 && _posted.TryDequeue(out var item); count--)
        {
            if (item.IsIo) { Run(item.Callback, item.State); }
            else { _postedWhileBusy.Enqueue(item); }
        }
    }

    private void Run(Action<object?> callback, object? state)
    {
        try { callback(state); }
        catch (Exception e) { Logger.LogError(e, "A callback posted to loop {Loop} failed", Id); }
    }
}
