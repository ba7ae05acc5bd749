namespace Loop.Internal;

/// <summary>Per-loop event counts, written by the loop thread only (read elsewhere for diagnostics).</summary>
internal sealed class LoopCounters
{
    public long Completions;
    public long Accepted;
    public long BytesReceived;
    public long BytesSent;

    /// <summary>Receives that found the provided-buffer ring empty (ENOBUFS) and were re-armed.</summary>
    public long BufferRingEmpty;

    /// <summary>Times a connection's receive was paused because its peer was not reading its output.</summary>
    public long ReceivePauses;
}
