namespace Loop.Internal;

/// <summary>
/// Per-loop event counts, written by the loop thread only and read elsewhere (metrics, statistics);
/// 64-bit reads are atomic, and a count a moment old is good enough there.
/// </summary>
internal sealed class LoopCounters
{
    public long Accepted;
    public long Closed;

    /// <summary>Connections refused because the loop held MaxConnectionsPerLoop.</summary>
    public long Rejected;

    public long BytesReceived;
    public long BytesSent;

    /// <summary>Completions (io_uring) or ready events (epoll) handled.</summary>
    public long Completions;

    /// <summary>Times the loop waited for the kernel: io_uring_enter, epoll_wait, or a managed wake-up.</summary>
    public long Waits;

    /// <summary>SQEs handed to the kernel (io_uring only).</summary>
    public long Submissions;

    /// <summary>Receives that found the provided-buffer ring empty (ENOBUFS) and were re-armed.</summary>
    public long BufferRingEmpty;

    /// <summary>Times a connection's receive was paused because its peer was not reading its output.</summary>
    public long ReceivePauses;

    /// <summary>Completions the kernel could not post because the completion queue was full (io_uring).</summary>
    public long CompletionQueueOverflows;

    /// <summary>Connections closed and released, by <see cref="CloseReason"/>.</summary>
    public readonly long[] ClosedBy = new long[Enum.GetValues<CloseReason>().Length];
}
