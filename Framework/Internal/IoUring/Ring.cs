using System.Runtime.CompilerServices;
using Loop.Internal.Interop;
using static Loop.Internal.Interop.IoUringConst;

namespace Loop.Internal.IoUring;

/// <summary>
/// One io_uring instance: the mapped submission and completion queues and the syscalls around them.
/// Created and used by exactly one thread (SINGLE_ISSUER / DEFER_TASKRUN require it).
/// </summary>
internal sealed unsafe class Ring : IDisposable
{
    // Tried in order until the kernel accepts one; each step drops what older kernels refuse.
    private static readonly uint[] FlagSets =
    [
        SetupSingleIssuer | SetupDeferTaskrun | SetupSubmitAll | SetupNoSqArray,
        SetupSingleIssuer | SetupDeferTaskrun | SetupSubmitAll,
        SetupSingleIssuer | SetupSubmitAll | SetupCoopTaskrun,
        SetupSubmitAll | SetupCoopTaskrun,
        0,
    ];

    private readonly int _fd;
    private readonly int _enterFd;
    private readonly uint _enterFlags;
    private readonly int _creatingThread = Environment.CurrentManagedThreadId;
    private readonly byte* _sqRing, _cqRing;
    private readonly nuint _sqRingSize, _cqRingSize, _sqesSize;
    private readonly IoUringSqe* _sqes;
    private readonly uint* _sqHead, _sqTail;
    private readonly uint* _cqHead, _cqTail, _cqOverflow;
    private readonly IoUringCqe* _cqes;
    private readonly uint _sqMask, _sqEntries, _cqMask;
    private uint _sqLocalTail;
    private uint _toSubmit;

    public int Fd => _fd;
    public uint SetupFlags { get; }
    public uint Features { get; }
    public uint SqEntries => _sqEntries;
    public uint CqEntries { get; }
    public bool RingFdRegistered { get; }

    /// <summary>SQEs queued and not yet submitted.</summary>
    public uint Pending => _toSubmit;

    public Ring(uint entries)
    {
        var p = default(IoUringParams);
        int fd = -1, errno = 0;
        foreach (var flags in FlagSets)
        {
            p = default;
            p.Flags = flags | SetupCqSize | SetupClamp;
            p.CqEntries = entries * 4;
            fd = Libc.IoUringSetup(entries, &p);
            if (fd >= 0) { break; }
            errno = Libc.LastErrno;
            if (errno != Libc.EINVAL) { break; }
        }
        if (fd < 0) { throw new IoUringUnavailableException("io_uring_setup", errno); }
        _fd = fd;
        SetupFlags = p.Flags;
        Features = p.Features;
        if ((p.Features & FeatSingleMmap) == 0 || (p.Features & FeatExtArg) == 0)
        {
            Libc.Close(fd);
            throw new IoUringUnavailableException("io_uring features SINGLE_MMAP and EXT_ARG (kernel too old)", Libc.ENOSYS);
        }

        _sqRingSize = p.SqOff.Array + p.SqEntries * sizeof(uint);
        _cqRingSize = p.CqOff.Cqes + p.CqEntries * (uint)sizeof(IoUringCqe);
        _sqRingSize = _cqRingSize = Math.Max(_sqRingSize, _cqRingSize);
        _sqRing = _cqRing = MapRing(_sqRingSize, OffSqRing);
        _sqesSize = p.SqEntries * (uint)sizeof(IoUringSqe);
        _sqes = (IoUringSqe*)MapRing(_sqesSize, OffSqes);

        _sqHead = (uint*)(_sqRing + p.SqOff.Head);
        _sqTail = (uint*)(_sqRing + p.SqOff.Tail);
        _sqMask = *(uint*)(_sqRing + p.SqOff.RingMask);
        _sqEntries = *(uint*)(_sqRing + p.SqOff.RingEntries);
        if ((p.Flags & SetupNoSqArray) == 0)
        {
            // Identity mapping, written once: SQE i is always at array slot i.
            var array = (uint*)(_sqRing + p.SqOff.Array);
            for (uint i = 0; i < _sqEntries; i++) { array[i] = i; }
        }
        _cqHead = (uint*)(_cqRing + p.CqOff.Head);
        _cqTail = (uint*)(_cqRing + p.CqOff.Tail);
        _cqOverflow = (uint*)(_cqRing + p.CqOff.Overflow);
        _cqMask = *(uint*)(_cqRing + p.CqOff.RingMask);
        CqEntries = *(uint*)(_cqRing + p.CqOff.RingEntries);
        _cqes = (IoUringCqe*)(_cqRing + p.CqOff.Cqes);
        _sqLocalTail = *_sqTail;

        // A registered ring fd skips the fd table lookup on every io_uring_enter.
        var update = new IoUringRsrcUpdate { Offset = uint.MaxValue, Data = (ulong)fd };
        if (Libc.IoUringRegister(fd, RegisterRingFds, &update, 1) == 1)
        {
            RingFdRegistered = true;
            _enterFd = (int)update.Offset;
            _enterFlags = EnterRegisteredRing;
        }
        else
        {
            _enterFd = fd;
        }
    }

    private byte* MapRing(nuint size, long offset)
    {
        var p = Libc.Mmap(null, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, _fd, offset);
        if (p == (void*)-1)
        {
            var errno = Libc.LastErrno;
            Libc.Close(_fd);
            throw new IoUringUnavailableException("mmap of the ring", errno);
        }
        return (byte*)p;
    }

    /// <summary>Returns the opcodes of <paramref name="wanted"/> the kernel does not support.</summary>
    public List<string> MissingOpcodes(IEnumerable<(byte Op, string Name)> wanted)
    {
        var size = sizeof(IoUringProbe) + IoUringProbe.MaxOps * sizeof(IoUringProbeOp);
        var buffer = stackalloc byte[size];
        new Span<byte>(buffer, size).Clear();
        var missing = new List<string>();
        if (Libc.IoUringRegister(_fd, RegisterProbe, buffer, IoUringProbe.MaxOps) < 0)
        {
            missing.Add("IORING_REGISTER_PROBE");
            return missing;
        }
        var probe = (IoUringProbe*)buffer;
        var ops = (IoUringProbeOp*)(buffer + sizeof(IoUringProbe));
        foreach (var (op, name) in wanted)
        {
            if (op > probe->LastOp || (ops[op].Flags & ProbeOpSupported) == 0) { missing.Add(name); }
        }
        return missing;
    }

    public int Register(uint opcode, void* arg, uint count)
    {
        var rc = Libc.IoUringRegister(_fd, opcode, arg, count);
        return rc < 0 ? -Libc.LastErrno : rc;
    }

    /// <summary>The setup flags the kernel accepted and the ring's sizes, for the startup log.</summary>
    public string Describe()
    {
        (uint Flag, string Name)[] names =
        [
            (SetupSingleIssuer, "SINGLE_ISSUER"), (SetupDeferTaskrun, "DEFER_TASKRUN"), (SetupCoopTaskrun, "COOP_TASKRUN"),
            (SetupSubmitAll, "SUBMIT_ALL"), (SetupNoSqArray, "NO_SQARRAY"),
        ];
        var flags = string.Join(' ', names.Where(n => (SetupFlags & n.Flag) != 0).Select(n => n.Name));
        return $"{flags}, {SqEntries} SQ / {CqEntries} CQ entries, {(RingFdRegistered ? "registered" : "plain")} ring fd, features 0x{Features:x}";
    }

    /// <summary>Submits every queued SQE without waiting.</summary>
    public void Submit() => Submit(0, null);

    /// <summary>Submits every queued SQE and posts the completions ready now (deferred task work included), without waiting.</summary>
    public void SubmitAndReap() => Submit(0, null, getEvents: true);

    /// <summary>A zeroed SQE to fill; submits what is queued first if the queue is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public IoUringSqe* NextSqe()
    {
        if (_sqLocalTail - Volatile.Read(ref *_sqHead) >= _sqEntries)
        {
            Submit(0, null);
        }
        var sqe = &_sqes[_sqLocalTail & _sqMask];
        *sqe = default;
        _sqLocalTail++;
        _toSubmit++;
        return sqe;
    }

    /// <summary>
    /// Submits every queued SQE and waits for at least one completion or until <paramref name="timeout"/>
    /// (null: wait forever), in one io_uring_enter.
    /// </summary>
    public void SubmitAndWait(KernelTimespec* timeout) => Submit(1, timeout);

    private void Submit(uint minComplete, KernelTimespec* timeout, bool getEvents = false)
    {
        Volatile.Write(ref *_sqTail, _sqLocalTail);
        var arg = new IoUringGeteventsArg { Ts = (ulong)timeout };
        var flags = _enterFlags | EnterExtArg | (minComplete > 0 || getEvents ? EnterGetEvents : 0);
        while (true)
        {
            var rc = Libc.IoUringEnter(_enterFd, _toSubmit, minComplete, flags, &arg, (nuint)sizeof(IoUringGeteventsArg));
            if (rc >= 0)
            {
                _toSubmit -= (uint)Math.Min(rc, (int)_toSubmit);
                return;
            }
            var errno = Libc.LastErrno;
            if (errno == Libc.ETIME || errno == Libc.EINTR) { return; }
            if (errno == Libc.EAGAIN || errno == Libc.EBUSY)
            {
                // Completions are backed up: the caller reaps them and comes back.
                if (minComplete > 0) { return; }
                flags |= EnterGetEvents;
                continue;
            }
            throw new IoUringUnavailableException("io_uring_enter", errno);
        }
    }

    /// <summary>
    /// Takes the next completion, if any: copied out and consumed before the caller handles it, so that handling it may
    /// take further completions itself (a loop serving while busy) without either seeing one twice.
    /// </summary>
    public bool TryTakeCompletion(out IoUringCqe cqe)
    {
        var head = *_cqHead;
        if (head == Volatile.Read(ref *_cqTail))
        {
            cqe = default;
            return false;
        }
        cqe = _cqes[head & _cqMask];
        Volatile.Write(ref *_cqHead, head + 1);
        return true;
    }

    public uint OverflowCount => Volatile.Read(ref *_cqOverflow);

    public void Dispose()
    {
        // The registration keeps the ring alive after close and takes one of the creating thread's 16 slots;
        // the table is per thread, so only that thread can release it (elsewhere the offset names another ring).
        if (RingFdRegistered && Environment.CurrentManagedThreadId == _creatingThread)
        {
            var update = new IoUringRsrcUpdate { Offset = (uint)_enterFd };
            Libc.IoUringRegister(_fd, UnregisterRingFds, &update, 1);
        }
        Libc.Munmap(_sqes, _sqesSize);
        Libc.Munmap(_sqRing, _sqRingSize);
        Libc.Close(_fd);
    }
}
