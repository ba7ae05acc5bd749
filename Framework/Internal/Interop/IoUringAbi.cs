using System.Runtime.InteropServices;

namespace Loop.Internal.Interop;

// Layouts and constants from linux/io_uring.h; sizes are checked by UnitTests.

[StructLayout(LayoutKind.Sequential)]
internal struct IoSqringOffsets
{
    public uint Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1;
    public ulong UserAddr;
}

[StructLayout(LayoutKind.Sequential)]
internal struct IoCqringOffsets
{
    public uint Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Resv1;
    public ulong UserAddr;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoUringParams
{
    public uint SqEntries, CqEntries, Flags, SqThreadCpu, SqThreadIdle, Features, WqFd;
    public fixed uint Resv[3];
    public IoSqringOffsets SqOff;
    public IoCqringOffsets CqOff;
}

[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct IoUringSqe
{
    [FieldOffset(0)] public byte Opcode;
    [FieldOffset(1)] public byte Flags;
    [FieldOffset(2)] public ushort IoPrio;
    [FieldOffset(4)] public int Fd;
    [FieldOffset(8)] public ulong Off;
    [FieldOffset(8)] public uint CmdOp;
    [FieldOffset(16)] public ulong Addr;
    [FieldOffset(16)] public uint Level;
    [FieldOffset(20)] public uint OptName;
    [FieldOffset(24)] public uint Len;
    [FieldOffset(28)] public uint OpFlags;
    [FieldOffset(32)] public ulong UserData;
    [FieldOffset(40)] public ushort BufIndex;
    [FieldOffset(42)] public ushort Personality;
    [FieldOffset(44)] public uint FileIndex;
    [FieldOffset(44)] public uint OptLen;
    [FieldOffset(48)] public ulong Addr3;
    [FieldOffset(48)] public ulong OptVal;
    [FieldOffset(56)] public ulong Pad2;
}

[StructLayout(LayoutKind.Sequential)]
internal struct IoUringCqe
{
    public ulong UserData;
    public int Res;
    public uint Flags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct IoUringBuf
{
    public ulong Addr;
    public uint Len;
    public ushort Bid;
    public ushort Resv;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoUringBufReg
{
    public ulong RingAddr;
    public uint RingEntries;
    public ushort Bgid;
    public ushort Flags;
    public fixed ulong Resv[3];
}

[StructLayout(LayoutKind.Sequential)]
internal struct IoUringRsrcRegister
{
    public uint Nr;
    public uint Flags;
    public ulong Resv2;
    public ulong Data;
    public ulong Tags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct IoUringRsrcUpdate
{
    public uint Offset;
    public uint Resv;
    public ulong Data;
}

[StructLayout(LayoutKind.Sequential)]
internal struct IoUringGeteventsArg
{
    public ulong Sigmask;
    public uint SigmaskSize;
    public uint MinWaitUsec;
    public ulong Ts;
}

[StructLayout(LayoutKind.Sequential)]
internal struct KernelTimespec
{
    public long Seconds;
    public long Nanoseconds;
}

[StructLayout(LayoutKind.Sequential)]
internal struct IoUringProbeOp
{
    public byte Op;
    public byte Resv;
    public ushort Flags;
    public uint Resv2;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoUringProbe
{
    public const int MaxOps = 256;
    public byte LastOp;
    public byte OpsLen;
    public ushort Resv;
    public fixed uint Resv2[3];
    // followed in memory by MaxOps IoUringProbeOp entries
}

[StructLayout(LayoutKind.Sequential)]
internal struct IoVec
{
    public nuint Base;
    public nuint Length;
}

internal static class IoUringOp
{
    public const byte Fsync = 3, WriteFixed = 5, Accept = 13, AsyncCancel = 14, Close = 19, Read = 22,
        Write = 23, Send = 26, Recv = 27, UringCmd = 46;

    public static readonly (byte Op, string Name)[] Required =
    [
        (WriteFixed, "WRITE_FIXED"), (Accept, "ACCEPT"), (AsyncCancel, "ASYNC_CANCEL"),
        (Close, "CLOSE"), (Read, "READ"), (Send, "SEND"), (Recv, "RECV"),
    ];

    /// <summary>What a file written through the ring needs (DurableFile).</summary>
    public static readonly (byte Op, string Name)[] FileWrite = [(Write, "WRITE"), (Fsync, "FSYNC")];
}

internal static class IoUringConst
{
    // io_uring_setup flags
    public const uint SetupCqSize = 1u << 3, SetupClamp = 1u << 4, SetupSubmitAll = 1u << 7,
        SetupCoopTaskrun = 1u << 8, SetupSingleIssuer = 1u << 12, SetupDeferTaskrun = 1u << 13,
        SetupNoSqArray = 1u << 16;

    // io_uring_params.features
    public const uint FeatSingleMmap = 1u << 0, FeatExtArg = 1u << 8;

    // io_uring_enter flags
    public const uint EnterGetEvents = 1u << 0, EnterExtArg = 1u << 3, EnterRegisteredRing = 1u << 4;

    // sqe->flags
    public const byte SqeFixedFile = 1 << 0, SqeIoLink = 1 << 2, SqeIoHardlink = 1 << 3, SqeBufferSelect = 1 << 5;

    // cqe->flags
    public const uint CqeFBuffer = 1u << 0, CqeFMore = 1u << 1;
    public const int CqeBufferShift = 16;

    // sqe->ioprio for accept/recv
    public const ushort AcceptMultishot = 1 << 0, RecvMultishot = 1 << 1;

    // sqe->cancel_flags
    public const uint CancelAll = 1u << 0, CancelFd = 1u << 1, CancelFdFixed = 1u << 3;

    public const uint FileIndexAlloc = uint.MaxValue;
    public const uint RsrcRegisterSparse = 1u << 0;
    public const uint ProbeOpSupported = 1u << 0;

    // IORING_OP_URING_CMD on a socket (Linux 6.7+): getsockopt at the SOL_SOCKET level
    public const uint SocketUringOpGetsockopt = 2, SolSocket = 1, SoPeerName = 28;

    // io_uring_register opcodes
    public const uint RegisterBuffers = 0, RegisterProbe = 8, RegisterFiles2 = 13, RegisterRingFds = 20,
        UnregisterRingFds = 21, RegisterPbufRing = 22;

    // mmap offsets
    public const long OffSqRing = 0, OffSqes = 0x10000000;

    public const int MsgNoSignal = 0x4000;
}
