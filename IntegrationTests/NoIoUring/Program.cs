using System.Runtime.InteropServices;

// no-io-uring COMMAND [ARGS...]: runs COMMAND with the three io_uring system calls failing with EPERM,
// the way Docker's default seccomp profile (or kernel.io_uring_disabled) presents them to a server.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: no-io-uring COMMAND [ARGS...]");
    return 2;
}
if (Native.BlockIoUring() is { } error)
{
    Console.Error.WriteLine($"no-io-uring: {error}");
    return 1;
}
// The filter belongs to this thread; execvp keeps it for the program that replaces this process.
Native.Exec(args);
Console.Error.WriteLine($"no-io-uring: cannot run {args[0]}: errno {Marshal.GetLastPInvokeError()}");
return 127;

internal static unsafe partial class Native
{
    private const int PrSetNoNewPrivs = 38, PrSetSeccomp = 22, SeccompModeFilter = 2;
    private const ushort LdAbsW = 0x20, JeqK = 0x15, RetK = 0x06;
    private const uint RetErrnoEperm = 0x00050000 | 1, RetAllow = 0x7fff0000;

    [StructLayout(LayoutKind.Sequential)]
    private struct SockFilter(ushort code, byte jt, byte jf, uint k)
    {
        public ushort Code = code;
        public byte Jt = jt, Jf = jf;
        public uint K = k;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SockFprog
    {
        public ushort Length;
        public SockFilter* Filter;
    }

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nint arg2, nint arg3, nint arg4, nint arg5);

    [LibraryImport("libc", EntryPoint = "execvp", SetLastError = true)]
    private static partial int Execvp(byte* file, byte** argv);

    public static string? BlockIoUring()
    {
        // Load the syscall number; io_uring_setup, _enter and _register (425-427 on every architecture) get EPERM.
        var program = stackalloc SockFilter[]
        {
            new(LdAbsW, 0, 0, 0),
            new(JeqK, 3, 0, 425),
            new(JeqK, 2, 0, 426),
            new(JeqK, 1, 0, 427),
            new(RetK, 0, 0, RetAllow),
            new(RetK, 0, 0, RetErrnoEperm),
        };
        var fprog = new SockFprog { Length = 6, Filter = program };
        if (Prctl(PrSetNoNewPrivs, 1, 0, 0, 0) != 0) { return $"prctl(NO_NEW_PRIVS) failed: errno {Marshal.GetLastPInvokeError()}"; }
        if (Prctl(PrSetSeccomp, SeccompModeFilter, (nint)(&fprog), 0, 0) != 0) { return $"seccomp filter refused: errno {Marshal.GetLastPInvokeError()}"; }
        return null;
    }

    public static void Exec(string[] args)
    {
        var argv = new byte*[args.Length + 1];
        for (var i = 0; i < args.Length; i++) { argv[i] = (byte*)Marshal.StringToCoTaskMemUTF8(args[i]); }
        fixed (byte** p = argv) { Execvp(argv[0], p); }
    }
}
