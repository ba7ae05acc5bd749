namespace Loop.Samples.Redis.Store;

/// <summary>
/// How loops share the keyspace. A command with keys holds it <b>shared</b>, for its keys' stripes only: the loop
/// raises its own flag and takes the stripes' locks, so loops working on different stripes never wait for each other
/// and write no common cache line. Everything else (transactions, WATCH, blocking, whole-keyspace commands, expiry)
/// holds it <b>exclusive</b>: no loop holds it shared meanwhile, which is the old global lock for
/// exactly those commands, so their atomicity and isolation are what they were. A big-reader lock (each thread a flag
/// of its own, a writer waits until every flag is down) with lock striping for the readers.
/// </summary>
internal sealed class KeyspaceLock
{
    /// <summary>Stripes of the keyspace; a key's stripe is fixed by its hash, the same in every database.</summary>
    public const int StripeCount = 1024;

    // The flag this thread used last, and whose lock it is: a thread may hold several keyspaces' locks in turn.
    [ThreadStatic] private static ReaderFlag? t_flag;

    private readonly Lock _exclusive = new();
    private readonly Stripe[] _stripes = Enumerable.Range(0, StripeCount).Select(_ => new Stripe()).ToArray();
    private readonly Dictionary<int, ReaderFlag> _flagByThread = new();
    private ReaderFlag[] _flags = [];
    private volatile bool _writer;
    private int _exclusiveThread, _exclusiveDepth;
    private long _exclusiveClock; // the exclusive holder's clock; every later hold starts above it

    /// <summary>The stripe of <paramref name="key"/>: the hash's top bits, since a partition's table indexes by its low ones.</summary>
    public static int StripeOf(ReadOnlySpan<byte> key) => (int)((uint)ByteArrayComparer.Instance.GetHashCode(key) >> 22);

    /// <summary>True on a thread that holds the keyspace exclusively.</summary>
    public bool HeldExclusively => Volatile.Read(ref _exclusiveThread) == Environment.CurrentManagedThreadId;

    /// <summary>
    /// Holds <paramref name="stripe"/> shared until the scope is disposed; within an exclusive hold it is already held.
    /// While another thread holds the keyspace exclusively, <paramref name="giveUp"/> (when given) is asked every few
    /// milliseconds of the wait: true throws <see cref="KeyspaceBusyException"/> (a command waiting for a script that ran
    /// too long is answered BUSY, so its loop is free to take SCRIPT KILL).
    /// </summary>
    public SharedScope Shared(int stripe, Func<bool>? giveUp = null)
    {
        if (HeldExclusively) { return default; }
        var flag = Raise(giveUp);
        var gate = _stripes[stripe];
        Monitor.Enter(gate);
        flag.Clock = Math.Max(flag.Clock, Math.Max(gate.Clock, _exclusiveClock));
        return new SharedScope(flag, gate);
    }

    /// <summary>
    /// Holds the first <paramref name="count"/> of <paramref name="stripes"/> shared (sorted, distinct; the caller
    /// keeps them unchanged until the scope is disposed). Every multi-stripe holder takes its stripes in ascending
    /// order, so two of them never wait for each other in a cycle.
    /// </summary>
    public StripesScope Shared(int[] stripes, int count, Func<bool>? giveUp = null)
    {
        if (HeldExclusively) { return default; }
        var flag = Raise(giveUp);
        var clock = Math.Max(flag.Clock, _exclusiveClock);
        for (var i = 0; i < count; i++)
        {
            var gate = _stripes[stripes[i]];
            Monitor.Enter(gate);
            clock = Math.Max(clock, gate.Clock);
        }
        flag.Clock = clock;
        return new StripesScope(this, flag, stripes, count);
    }

    // Raises this thread's flag once no writer holds the keyspace.
    private ReaderFlag Raise(Func<bool>? giveUp)
    {
        var flag = t_flag is { } last && last.Owner == this ? last : Register(giveUp);
        while (true)
        {
            // A full fence between raising the flag and reading the writer's: the writer does the mirror image.
            Interlocked.Exchange(ref flag.Raised, 1);
            if (!_writer) { return flag; }
            Volatile.Write(ref flag.Raised, 0);
            EnterExclusive(giveUp); // wait for the writer to finish
            _exclusive.Exit();
        }
    }

    /// <summary>
    /// The next tick of this thread's clock, for a change made under the hold it has (see the class's remarks). A thread
    /// that holds nothing gets a tick above every exclusive hold before it, and should not log a change to a key.
    /// </summary>
    public long Tick()
    {
        if (t_flag is { Raised: 1 } flag && flag.Owner == this) { return ++flag.Clock; }
        return HeldExclusively ? ++_exclusiveClock : Volatile.Read(ref _exclusiveClock) + 1;
    }

    /// <summary>The last tick of the exclusive hold the caller has: every later hold ticks above it.</summary>
    public long ExclusiveClock => HeldExclusively ? _exclusiveClock : throw new InvalidOperationException("The keyspace is not held exclusively.");

    /// <summary>Holds the whole keyspace until the scope is disposed (reentrant); <paramref name="giveUp"/> as for <see cref="Shared(int, Func{bool})"/>.</summary>
    public ExclusiveScope Exclusive(Func<bool>? giveUp = null)
    {
        if (HeldExclusively)
        {
            _exclusiveDepth++;
            return new ExclusiveScope(this);
        }
        if (t_flag is { Raised: 1 } held && held.Owner == this) { throw new InvalidOperationException("A shared hold cannot become exclusive."); }
        EnterExclusive(giveUp);
        return Acquired();
    }

    private const int GiveUpPollMs = 5;

    private void EnterExclusive(Func<bool>? giveUp)
    {
        if (giveUp is null) { _exclusive.Enter(); return; }
        while (!_exclusive.TryEnter(GiveUpPollMs))
        {
            if (giveUp()) { throw new KeyspaceBusyException(); }
        }
    }

    /// <summary>
    /// Holds the whole keyspace unless another thread holds it exclusively now (a long script): for background work
    /// that can come back later rather than wait, and keep its loop from answering, meanwhile.
    /// </summary>
    public bool TryExclusive(out ExclusiveScope scope)
    {
        scope = default;
        if (HeldExclusively) { scope = Exclusive(); return true; }
        if (!_exclusive.TryEnter()) { return false; }
        scope = Acquired();
        return true;
    }

    // The writer's lock is taken: raise the writer flag and wait for every reader to leave.
    private ExclusiveScope Acquired()
    {
        _exclusiveThread = Environment.CurrentManagedThreadId;
        _exclusiveDepth = 1;
        _writer = true;
        Interlocked.MemoryBarrier();
        var spin = new SpinWait();
        foreach (var flag in Volatile.Read(ref _flags))
        {
            while (Volatile.Read(ref flag.Raised) != 0) { spin.SpinOnce(); }
            _exclusiveClock = Math.Max(_exclusiveClock, flag.Clock);
        }
        return new ExclusiveScope(this);
    }

    private void ExitExclusive()
    {
        if (--_exclusiveDepth > 0) { return; }
        Volatile.Write(ref _exclusiveThread, 0);
        _writer = false;
        _exclusive.Exit();
    }

    // A thread's first shared hold of this lock gives it a flag of its own; writers see it from then on.
    private ReaderFlag Register(Func<bool>? giveUp)
    {
        EnterExclusive(giveUp);
        try
        {
            if (!_flagByThread.TryGetValue(Environment.CurrentManagedThreadId, out var flag))
            {
                _flagByThread[Environment.CurrentManagedThreadId] = flag = new ReaderFlag(this);
                _flags = [.. _flags, flag];
            }
            return t_flag = flag;
        }
        finally
        {
            _exclusive.Exit();
        }
    }

    /// <summary>One thread's "I am in the keyspace" flag, on a cache line of its own.</summary>
    internal sealed class ReaderFlag(KeyspaceLock owner)
    {
        public KeyspaceLock Owner { get; } = owner;

#pragma warning disable CS0169, IDE0051 // padding: neighbours' writes must not bounce this line
        private readonly long _p1, _p2, _p3, _p4, _p5, _p6, _p7;
#pragma warning restore CS0169, IDE0051
        public int Raised;
        public long Clock; // this thread's logical clock, the tick of its last logged change or above
#pragma warning disable CS0169, IDE0051
        private readonly long _q1, _q2, _q3, _q4, _q5, _q6, _q7;
#pragma warning restore CS0169, IDE0051
    }

    /// <summary>A stripe's lock object, padded so two stripes never share a cache line.</summary>
    internal sealed class Stripe
    {
        public long Clock; // its last holder's clock when it let go
#pragma warning disable CS0169, IDE0051
        private readonly long _p1, _p2, _p3, _p4, _p5, _p6, _p7;
#pragma warning restore CS0169, IDE0051
    }

    public readonly struct SharedScope(ReaderFlag? flag, Stripe? gate) : IDisposable
    {
        public void Dispose()
        {
            if (flag is null) { return; }
            gate!.Clock = flag.Clock;
            Monitor.Exit(gate);
            Volatile.Write(ref flag.Raised, 0);
        }
    }

    public readonly struct StripesScope(KeyspaceLock? owner, ReaderFlag? flag, int[]? stripes, int count) : IDisposable
    {
        public void Dispose()
        {
            if (flag is null) { return; }
            for (var i = count - 1; i >= 0; i--)
            {
                var gate = owner!._stripes[stripes![i]];
                gate.Clock = flag.Clock;
                Monitor.Exit(gate);
            }
            Volatile.Write(ref flag.Raised, 0);
        }
    }

    public readonly struct ExclusiveScope(KeyspaceLock owner) : IDisposable
    {
        public void Dispose() => owner.ExitExclusive();
    }
}

/// <summary>A wait for the keyspace gave up (see <see cref="KeyspaceLock.Shared(int, Func{bool})"/>): nothing is held.</summary>
internal sealed class KeyspaceBusyException : Exception;
