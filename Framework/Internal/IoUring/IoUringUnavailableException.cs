using Loop.Internal.Interop;

namespace Loop.Internal.IoUring;

/// <summary>io_uring (or a feature the backend needs) cannot be used on this machine.</summary>
internal sealed class IoUringUnavailableException(string what, int errno)
    : Exception($"{what} failed: {Describe(errno)}")
{
    public int Errno { get; } = errno;

    private static string Describe(int errno) => errno switch
    {
        Libc.ENOSYS => "ENOSYS (kernel without io_uring)",
        Libc.EPERM => "EPERM (blocked by seccomp or kernel.io_uring_disabled)",
        Libc.ENOMEM => "ENOMEM (locked memory limit too low)",
        _ => $"errno {errno}",
    };
}
