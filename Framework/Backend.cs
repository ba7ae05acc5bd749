namespace Loop;

/// <summary>The kernel interface a server's loops use.</summary>
public enum Backend
{
    /// <summary>io_uring: multishot accept and receive, provided buffers, registered memory.</summary>
    IoUring,
}
