using System.Runtime.InteropServices;
using Loop.Internal.Interop;

namespace Loop.Internal.Epoll;

/// <summary>An epoll instance.</summary>
internal sealed unsafe class Epoll : IDisposable
{
    public const uint In = 0x001, Out = 0x004, Err = 0x008, Hup = 0x010, RdHup = 0x2000;
    private const int CtlAdd = 1, CtlDel = 2, CtlMod = 3;

    private readonly int _fd;

    public Epoll()
    {
        _fd = Libc.EpollCreate1(Libc.EFD_CLOEXEC);
        if (_fd < 0) { throw new InvalidOperationException($"epoll_create1 failed: errno {Libc.LastErrno}"); }
    }

    public void Add(int fd, uint events, ulong data) => Control(CtlAdd, fd, events, data);

    public void Modify(int fd, uint events, ulong data) => Control(CtlMod, fd, events, data);

    public void Remove(int fd) => Control(CtlDel, fd, 0, 0);

    private void Control(int op, int fd, uint events, ulong data)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + EpollEvents.DataOffset) = data;
        if (Libc.EpollCtl(_fd, op, fd, ev) < 0)
        {
            throw new InvalidOperationException($"epoll_ctl({op}) on fd {fd} failed: errno {Libc.LastErrno}");
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> (-1: forever); returns the number of ready events in <paramref name="events"/>.</summary>
    public int Wait(EpollEvents events, int timeoutMs)
    {
        var n = Libc.EpollWait(_fd, events.Array, events.Capacity, timeoutMs);
        if (n >= 0) { return n; }
        var errno = Libc.LastErrno;
        return errno == Libc.EINTR ? 0 : throw new InvalidOperationException($"epoll_wait failed: errno {errno}");
    }

    public void Dispose() => Libc.Close(_fd);
}

/// <summary>
/// An array for epoll_wait's events. struct epoll_event is packed (12 bytes) on x86-64 and naturally aligned (16 bytes)
/// elsewhere, so events are read by offset rather than through a struct.
/// </summary>
internal sealed unsafe class EpollEvents(int capacity) : IDisposable
{
    private static readonly int Stride = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    internal static readonly int DataOffset = Stride == 12 ? 4 : 8;

    public byte* Array { get; } = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * Stride));
    public int Capacity => capacity;

    public uint Events(int i) => *(uint*)(Array + i * Stride);

    public ulong Data(int i) => *(ulong*)(Array + i * Stride + DataOffset);

    public void Dispose() => NativeMemory.Free(Array);
}
