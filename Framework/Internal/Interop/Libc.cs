using System.Runtime.InteropServices;

namespace Loop.Internal.Interop;

/// <summary>The few libc entry points the framework needs, called directly (no native shim).</summary>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    // io_uring syscall numbers are the same on every architecture (added after the table unification).
    private const long SysIoUringSetup = 425;
    private const long SysIoUringEnter = 426;
    private const long SysIoUringRegister = 427;

    public const int PROT_READ = 0x1, PROT_WRITE = 0x2;
    public const int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_POPULATE = 0x8000;
    public const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    public const int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    // The same on x86-64 and arm64 (O_DIRECTORY is not: a directory is opened O_RDONLY instead).
    public const int O_RDONLY = 0, O_WRONLY = 0x1, O_CREAT = 0x40, O_TRUNC = 0x200, O_CLOEXEC = 0x80000;

    public const int EINTR = 4, EIO = 5, EAGAIN = 11, ENOMEM = 12, EBUSY = 16, ENFILE = 23, EMFILE = 24, EINVAL = 22, EPERM = 1,
        ENOSYS = 38, ETIME = 62, EOPNOTSUPP = 95, ENOBUFS = 105, ECANCELED = 125;

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    public static int IoUringSetup(uint entries, IoUringParams* p) =>
        (int)Syscall(SysIoUringSetup, entries, (long)p, 0, 0, 0, 0);

    public static int IoUringEnter(int fd, uint toSubmit, uint minComplete, uint flags, void* arg, nuint argSize) =>
        (int)Syscall(SysIoUringEnter, fd, toSubmit, minComplete, flags, (long)arg, (long)argSize);

    public static int IoUringRegister(int fd, uint opcode, void* arg, uint count) =>
        (int)Syscall(SysIoUringRegister, fd, opcode, (long)arg, count, 0, 0);

    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* addr, nuint length);

    [LibraryImport(Lib, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    /// <summary>Adds one to an eventfd's counter: wakes a loop waiting on it from any thread.</summary>
    public static void SignalEventFd(int fd)
    {
        ulong one = 1;
        Write(fd, &one, sizeof(ulong));
    }

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "writev", SetLastError = true)]
    public static partial nint Writev(int fd, IoVec* iov, int iovcnt);

    [LibraryImport(Lib, EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept4(int fd, void* addr, uint* addrlen, int flags);

    [LibraryImport(Lib, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport(Lib, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, void* ev);

    [LibraryImport(Lib, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, void* events, int maxevents, int timeout);

    // open's mode is variadic in C: a plain third argument is passed the same way on x86-64 and arm64 Linux.
    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "pwrite", SetLastError = true)]
    public static partial nint PWrite(int fd, void* buf, nuint count, long offset);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Lib, EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string from, string to);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "sched_setaffinity", SetLastError = true)]
    public static partial int SchedSetAffinity(int pid, nuint cpusetsize, ulong* mask);

    public static int LastErrno => Marshal.GetLastPInvokeError();

    private const int SOL_SOCKET = 1, SO_ERROR = 4;

    [LibraryImport(Lib, EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int GetSockOpt(int fd, int level, int name, void* value, uint* length);

    /// <summary>The error pending on a socket (SO_ERROR, which reading also clears); 0 when there is none.</summary>
    public static int PendingSocketError(int fd)
    {
        int error = 0;
        uint length = sizeof(int);
        return GetSockOpt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 ? error : 0;
    }

    [LibraryImport(Lib, EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, RLimit* limit);

    [LibraryImport(Lib, EntryPoint = "setrlimit", SetLastError = true)]
    public static partial int SetRLimit(int resource, RLimit* limit);

    /// <summary>Maps anonymous private memory: page aligned and zeroed, as the kernel wants for rings.</summary>
    public static byte* MapAnonymous(nuint length)
    {
        var p = Mmap(null, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == (void*)-1)
        {
            throw new OutOfMemoryException($"mmap of {length} bytes failed: errno {LastErrno}");
        }
        return (byte*)p;
    }
}
