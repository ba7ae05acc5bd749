namespace Loop;

/// <summary>The kernel interface a server's loops use.</summary>
public enum Backend
{
    /// <summary>io_uring where it can be used, else epoll (logged once, with the reason); managed off Linux.</summary>
    Auto,

    /// <summary>io_uring: multishot accept and receive, provided buffers, registered memory. A startup error where unavailable.</summary>
    IoUring,

    /// <summary>epoll readiness with non-blocking sockets and direct system calls.</summary>
    Epoll,

    /// <summary>Portable .NET sockets (Pipelines.Sockets.Unofficial): runs on any OS.</summary>
    Managed,
}
