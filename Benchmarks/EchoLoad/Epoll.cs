using System.Runtime.InteropServices;

namespace Loop.Benchmarks.EchoLoad;

/// <summary>The epoll calls the drivers need: readiness for many sockets on one thread, no allocations.</summary>
internal static unsafe partial class Epoll
{
    public const uint In = 0x001, Out = 0x004;
    private const int CtlAdd = 1, CtlMod = 3;

    /// <summary>struct epoll_event as x86-64 lays it out (packed, 12 bytes).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct Event
    {
        public uint Events;
        public ulong Data;
    }

    public static int Create()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new PlatformNotSupportedException("echo-load declares epoll_event for x86-64 only");
        }
        return Check(EpollCreate1(0), "epoll_create1");
    }

    public static void Add(int epoll, int fd, uint events, ulong data) => Control(epoll, CtlAdd, fd, events, data);

    public static void Modify(int epoll, int fd, uint events, ulong data) => Control(epoll, CtlMod, fd, events, data);

    /// <summary>Waits up to <paramref name="timeoutMs"/> for ready sockets; 0 when interrupted.</summary>
    public static int Wait(int epoll, Span<Event> events, int timeoutMs)
    {
        fixed (Event* p = events)
        {
            var n = EpollWait(epoll, p, events.Length, timeoutMs);
            const int EINTR = 4;
            return n >= 0 || Marshal.GetLastPInvokeError() == EINTR ? Math.Max(n, 0) : Check(n, "epoll_wait");
        }
    }

    private static void Control(int epoll, int op, int fd, uint events, ulong data)
    {
        var e = new Event { Events = events, Data = data };
        Check(EpollCtl(epoll, op, fd, &e), "epoll_ctl");
    }

    private static int Check(int result, string call) =>
        result >= 0 ? result : throw new IOException($"{call} failed: errno {Marshal.GetLastPInvokeError()}");

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int op, int fd, Event* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epoll, Event* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);
}
