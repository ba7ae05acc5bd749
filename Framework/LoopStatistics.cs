namespace Loop;

/// <summary>Counts since start, for one loop or summed over a server's loops.</summary>
/// <param name="Connections">Connections open now.</param>
/// <param name="Accepted">Connections accepted.</param>
/// <param name="Closed">Connections closed and released.</param>
/// <param name="Rejected">Connections refused because a loop was full (MaxConnectionsPerLoop).</param>
/// <param name="BytesReceived">Bytes received from clients.</param>
/// <param name="BytesSent">Bytes taken by the kernel for sending.</param>
/// <param name="Completions">Completions (io_uring) or ready events (epoll) handled.</param>
/// <param name="Waits">Waits for the kernel: io_uring_enter, epoll_wait or a managed wake-up.</param>
/// <param name="Submissions">SQEs submitted (io_uring).</param>
/// <param name="BufferRingEmpty">Receives that found the provided-buffer ring empty and were re-armed.</param>
/// <param name="ReceivePauses">Times a connection stopped reading because its peer did not read its output.</param>
/// <param name="CompletionQueueOverflows">Completions the kernel held back because the completion queue was full (io_uring).</param>
/// <param name="ClosedBy">Connections closed, per <see cref="CloseReason"/>.</param>
public sealed record LoopStatistics(long Connections, long Accepted, long Closed, long Rejected, long BytesReceived,
    long BytesSent, long Completions, long Waits, long Submissions, long BufferRingEmpty, long ReceivePauses,
    long CompletionQueueOverflows, CloseReasonCounts ClosedBy)
{
    /// <summary>Field-wise sum, for a server's total.</summary>
    public static LoopStatistics operator +(LoopStatistics a, LoopStatistics b) => new(
        a.Connections + b.Connections, a.Accepted + b.Accepted, a.Closed + b.Closed, a.Rejected + b.Rejected,
        a.BytesReceived + b.BytesReceived, a.BytesSent + b.BytesSent, a.Completions + b.Completions, a.Waits + b.Waits,
        a.Submissions + b.Submissions, a.BufferRingEmpty + b.BufferRingEmpty, a.ReceivePauses + b.ReceivePauses,
        a.CompletionQueueOverflows + b.CompletionQueueOverflows, a.ClosedBy + b.ClosedBy);

    /// <summary>All zero.</summary>
    public static LoopStatistics Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, CloseReasonCounts.Zero);
}
