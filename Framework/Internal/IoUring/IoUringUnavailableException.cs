namespace Loop.Internal.IoUring;

/// <summary>io_uring (or a feature the backend needs) cannot be used on this machine.</summary>
internal sealed class IoUringUnavailableException(string what, int errno)
    : Exception($"{what} failed: {Describe(errno)}")
{
    public int Errno { get; } = errno;

    private static string Describe(int errno) => errno switch
    {
        38 => "ENOSYS (kernel without io_uring)",
        1 => "EPERM (blocked by seccomp or kernel.io_uring_disabled)",
        12 => "ENOMEM (locked memory limit too low)",
        _ => $"errno {errno}",
    };
}
