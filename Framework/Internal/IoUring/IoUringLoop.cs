using System.Net.Sockets;
using Loop.Internal.Interop;
using Loop.Internal.Output;
using Microsoft.Extensions.Logging;
using static Loop.Internal.Interop.IoUringConst;

namespace Loop.Internal.IoUring;

/// <summary>
/// The io_uring event loop: one thread, one ring, one provided-buffer ring, one fixed-file table, one
/// registered output region. Each pass submits every queued SQE and waits for completions in a single
/// io_uring_enter, handles the batch, then queues one send per connection that wrote output.
/// </summary>
internal sealed unsafe partial class IoUringLoop : EventLoop
{
    private const ushort BufferGroup = 0;

    private readonly Socket _listener;
    private readonly ulong* _wakeValue;
    private byte* _peerNames;
    private int _peerNameLength;
    private bool _peerNameUnsupportedLogged;
    private Ring _ring = null!;
    private BufferRing _buffers = null!;
    private ChunkPool _chunks = null!;
    private RingSocket[] _sockets = null!;
    private int _eventFd = -1;
    private bool _acceptArmed, _acceptPaused;
    private uint _overflowsSeen;
    private ThrottledWarning _ringDry = null!, _overflow = null!;

    public IoUringLoop(int id, ServerOptions options, Func<IConnectionHandler> handlerFactory, Socket listener)
        : base(id, options, handlerFactory)
    {
        _listener = listener;
        _wakeValue = (ulong*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(sizeof(ulong));
    }

    /// <summary>The ring's fd, for diagnostics (its /proc/self/fdinfo entry).</summary>
    public int RingFd => _ring.Fd;

    private protected override void SetUp()
    {
        _ring = new Ring((uint)Options.RingEntries);
        var missing = _ring.MissingOpcodes(IoUringOp.Required);
        if (missing.Count > 0)
        {
            throw new IoUringUnavailableException($"io_uring opcodes {string.Join(", ", missing)} (kernel too old)", Libc.ENOSYS);
        }

        _fileOpsMissing = _ring.MissingOpcodes(IoUringOp.FileWrite).Count > 0; // then file writes go to the thread pool
        var limits = LoopResources.Fit(Options);
        var files = new IoUringRsrcRegister { Nr = (uint)limits.FixedFiles, Flags = RsrcRegisterSparse };
        Check(_ring.Register(RegisterFiles2, &files, (uint)sizeof(IoUringRsrcRegister)),
            $"IORING_REGISTER_FILES2 (a sparse fixed-file table of {limits.FixedFiles} slots; errno 24 means RLIMIT_NOFILE is lower: raise ulimit -n)");
        _sockets = new RingSocket[Options.MaxConnectionsPerLoop];
        ConnectionLimit = limits.FixedFiles;

        _buffers = new BufferRing(_ring, BufferGroup, Options.ReceiveBufferCount, Options.ReceiveBufferSize);

        _chunks = RegisterOutputChunks(limits.RegisteredChunks);

        _eventFd = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (_eventFd < 0) { throw new IoUringUnavailableException("eventfd", Libc.LastErrno); }
        _peerNameLength = SocketAddressBytes.LengthFor(_listener.AddressFamily);
        _peerNames = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)(Options.MaxConnectionsPerLoop * SocketAddressBytes.MaxLength));
        _ringDry = new ThrottledWarning(Logger, "Loop {Loop}: the receive buffer ring ran dry {Count} time(s) since the last report (ReceiveBufferCount {Limit}); no data is lost, but more buffers would save re-arms");
        _overflow = new ThrottledWarning(Logger, "Loop {Loop}: the completion queue overflowed {Count} time(s) since the last report ({Limit} entries); the kernel holds the completions back, so nothing is lost, but the loop falls behind");

        // Every loop sets up the same way: say it once, in full.
        var level = Id == 0 ? LogLevel.Information : LogLevel.Debug;
        Logger.Log(level, "io_uring: {Setup}; {Buffers} receive buffers of {Size} B, {Chunks} registered output chunks, {Slots} fixed-file slots per loop",
            _ring.Describe(), Options.ReceiveBufferCount, Options.ReceiveBufferSize, _chunks.RegisteredCount, limits.FixedFiles);
        if (limits.Reduced is { } reduced) { Logger.Log(Id == 0 ? LogLevel.Warning : LogLevel.Debug, "io_uring: {Reduced}", reduced); }
    }

    /// <summary>
    /// The output region, registered with the ring. A kernel that refuses the locked memory (a cgroup or a limit
    /// lower than it said) gets half as much, down to none: heap chunks and plain SEND do the rest.
    /// </summary>
    private ChunkPool RegisterOutputChunks(int count)
    {
        while (true)
        {
            var chunks = new ChunkPool(count, Options.OutputChunkCount, Options.OutputChunkSize);
            if (count == 0) { return chunks; }
            var region = new IoVec { Base = (nuint)chunks.Region, Length = chunks.RegionBytes };
            var rc = _ring.Register(RegisterBuffers, &region, 1);
            if (rc == 0) { return chunks; }
            chunks.Dispose();
            if (rc != -Libc.ENOMEM && rc != -Libc.EPERM) { Check(rc, "IORING_REGISTER_BUFFERS (registered output memory)"); }
            Logger.LogWarning("io_uring: registering {Bytes} B of output memory failed with errno {Errno} (RLIMIT_MEMLOCK, ulimit -l); trying half", (long)count * Options.OutputChunkSize, -rc);
            count /= 2;
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc < 0) { throw new IoUringUnavailableException(what, -rc); }
    }

    private protected override void RunUntilStopped()
    {
        ArmAccept();
        ArmWake();
        KernelTimespec timeout;
        while (RunBetweenBatches(out var untilTimer))
        {
            Counters.Waits++;
            Counters.Submissions += _ring.Pending;
            if (untilTimer is { } wait)
            {
                var ticks = Math.Max(wait.Ticks, 0);
                timeout = new KernelTimespec { Seconds = ticks / TimeSpan.TicksPerSecond, Nanoseconds = ticks % TimeSpan.TicksPerSecond * 100 };
                _ring.SubmitAndWait(&timeout);
            }
            else
            {
                _ring.SubmitAndWait(null);
            }
            ProcessCompletions();
            CheckOverflow();
        }
    }

    private void ProcessCompletions()
    {
        while (_ring.TryTakeCompletion(out var cqe))
        {
            Counters.Completions++;
            Dispatch(in cqe);
        }
    }

    // Serving while busy: what the kernel has ready now, without waiting.
    private protected override void TakeInReady()
    {
        _ring.SubmitAndReap();
        ProcessCompletions();
        CheckOverflow();
    }

    private protected override void SubmitWhileBusy() => _ring.Submit();

    // The kernel counts completions it had no room for; with FEAT_NODROP they wait, but the loop should know.
    private void CheckOverflow()
    {
        var overflows = _ring.OverflowCount;
        if (overflows == _overflowsSeen) { return; }
        Counters.CompletionQueueOverflows += overflows - _overflowsSeen;
        _overflowsSeen = overflows;
        _overflow.Hit(Id, _ring.CqEntries);
    }

    private void Dispatch(in IoUringCqe cqe)
    {
        var (kind, index) = UserData.Decode(cqe.UserData);
        switch (kind)
        {
            case OpKind.Recv: OnReceive(ConnectionAt(index), cqe.Res, cqe.Flags); break;
            case OpKind.Send: OnSend(ConnectionAt(index), cqe.Res); break;
            case OpKind.Accept: OnAccept(cqe.Res, cqe.Flags); break;
            case OpKind.PeerName: OnAccepted(slot: index, peerNameLength: cqe.Res); break;
            case OpKind.PauseCancel: OnPauseCancelled(ConnectionAt(index)); break;
            case OpKind.CloseCancel: Completed(ConnectionAt(index), RingOps.CloseCancel); break;
            case OpKind.Close: Completed(ConnectionAt(index), RingOps.Close); break;
            case OpKind.Wake: ArmWake(); break;
            case OpKind.FileWrite: OnFileWritten(index, cqe.Res); break;
            case OpKind.FileSync: OnFileSynced(index, cqe.Res); break;
            case OpKind.Orphan: break;
        }
    }

    private void ArmWake()
    {
        var sqe = _ring.NextSqe();
        sqe->Opcode = IoUringOp.Read;
        sqe->Fd = _eventFd;
        sqe->Addr = (ulong)_wakeValue;
        sqe->Len = sizeof(ulong);
        sqe->UserData = UserData.Encode(OpKind.Wake, 0);
    }

    private protected override void Wake() => Libc.SignalEventFd(_eventFd);

    private protected override bool NothingInFlight => !_acceptArmed;

    private protected override void StopAccepting()
    {
        if (!_acceptArmed) { return; }
        var sqe = _ring.NextSqe();
        sqe->Opcode = IoUringOp.AsyncCancel;
        sqe->Addr = UserData.Encode(OpKind.Accept, 0);
        sqe->UserData = UserData.Encode(OpKind.Orphan, 0);
    }

    // A failed multishot accept has ended (no F_MORE): pausing is not re-arming it.
    private protected override void PauseAccepting() => _acceptPaused = true;

    private protected override void ResumeAccepting()
    {
        _acceptPaused = false;
        if (!_acceptArmed) { ArmAccept(); }
    }

    private protected override void TearDown()
    {
        // Closing the ring releases its fixed files (closing the sockets) and unpins registered memory.
        _ring?.Dispose();
        _buffers?.Dispose();
        _chunks?.Dispose();
        if (_eventFd >= 0) { Libc.Close(_eventFd); }
        _listener.Dispose();
        System.Runtime.InteropServices.NativeMemory.Free(_wakeValue);
        System.Runtime.InteropServices.NativeMemory.Free(_peerNames);
    }
}
