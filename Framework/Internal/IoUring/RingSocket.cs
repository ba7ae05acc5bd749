namespace Loop.Internal.IoUring;

/// <summary>The operations a connection can have pending in the ring, one flag each: at most one of each kind.</summary>
[Flags]
internal enum RingOps : byte
{
    None = 0,
    Receive = 1,
    Send = 2,
    PauseCancel = 4,
    CloseCancel = 8,
    Close = 16,
}

/// <summary>
/// What the io_uring backend keeps per connection: its fixed-file slot and which of its operations the kernel
/// still holds. A connection is released only when none is, so a late completion never reaches its successor.
/// </summary>
internal struct RingSocket
{
    public int Slot;
    public RingOps InFlight;

    /// <summary>A pause came while the last receive cancel was still in flight: cancel again when it completes.</summary>
    public bool CancelAgain;
}
