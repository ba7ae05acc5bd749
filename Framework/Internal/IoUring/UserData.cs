namespace Loop.Internal.IoUring;

/// <summary>What a completion belongs to, packed into the 64-bit user_data of its SQE.</summary>
internal enum OpKind : byte
{
    Accept = 1,
    Recv,
    Send,

    /// <summary>The cancel of a receive, for backpressure.</summary>
    PauseCancel,

    /// <summary>The cancel of everything on a socket, linked to its close.</summary>
    CloseCancel,
    Close,
    Wake,
    PeerName,

    /// <summary>A write to a file (<see cref="EventLoop.WriteFile"/>), and the FSYNC linked behind it.</summary>
    FileWrite,
    FileSync,

    /// <summary>A request whose completion needs no action.</summary>
    Orphan,
}

internal static class UserData
{
    public static ulong Encode(OpKind kind, int connectionIndex) => (ulong)kind << 56 | (uint)connectionIndex;

    public static (OpKind Kind, int Index) Decode(ulong userData) => ((OpKind)(userData >> 56), (int)(uint)userData);
}
