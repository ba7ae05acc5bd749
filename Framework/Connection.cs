using System.Buffers;
using System.Net;
using Loop.Internal.Input;
using Loop.Internal.Interop;
using Loop.Internal.Output;

namespace Loop;

/// <summary>
/// What a handler may touch of one client connection: its output, <see cref="Close()"/>, and its loop.
/// Everything here is for the connection's loop thread only. Output written during a batch of receives
/// goes out in one send after the batch.
/// </summary>
public sealed class Connection : IBufferWriter<byte>
{
    private static long s_nextId;

    internal Connection(EventLoop loop, int index, ChunkPool chunks)
    {
        Loop = loop;
        Index = index;
        Output = new OutputBuffer(chunks);
    }

    /// <summary>The loop that owns this connection and runs its handler.</summary>
    public EventLoop Loop { get; }

    /// <summary>A number unique to this connection in the process, increasing with accept order.</summary>
    public long Id { get; private set; }

    /// <summary>
    /// The peer's address, known from <see cref="IConnectionHandler.OnOpen"/> on. Null only on io_uring before
    /// Linux 6.7, which cannot say (no getsockopt on a fixed file), or for a peer gone before it was asked.
    /// </summary>
    public EndPoint? RemoteEndPoint => _remoteEndPoint ??= SocketAddressBytes.Parse(_peerAddress[.._peerAddressLength]);

    /// <summary>This use of the connection, for work that completes later on another thread (see <see cref="ConnectionToken"/>).</summary>
    public ConnectionToken Token => new(this);

    /// <summary>Bytes written and not yet taken by the kernel.</summary>
    public long PendingOutputBytes => Output.Length;

    /// <summary>Received bytes the handler has not consumed yet (a partial request), and the room left beside them.</summary>
    public (int Pending, int Free) InputBuffer => (Carry.Length, Carry.Capacity - Carry.Length);

    /// <summary>
    /// True once the unsent output passed <see cref="ServerOptions.MaxOutputBytes"/>: the connection is closed at
    /// once and what is written after is dropped, so a handler in the middle of a long reply can stop producing it.
    /// </summary>
    public bool OutputLimitReached => State == ConnectionState.Closed && CloseReason == CloseReason.OutputLimit;

    /// <summary>True once <see cref="Close()"/> was called, a limit was hit or the peer went away: input is no longer delivered.</summary>
    public bool IsClosing => State != ConnectionState.Open;

    /// <summary>Why the connection is closing or closed (meaningful once <see cref="IsClosing"/>).</summary>
    public CloseReason CloseReason { get; private set; }

    /// <summary>The errno behind <see cref="CloseReason.Error"/>; 0 otherwise.</summary>
    public int CloseErrno { get; private set; }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0) => State != ConnectionState.Closed ? Output.GetSpan(sizeHint) : Loop.DiscardSpan(sizeHint);

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0) => State != ConnectionState.Closed ? Output.GetMemory(sizeHint) : Loop.DiscardMemory(sizeHint);

    /// <inheritdoc/>
    public void Advance(int count)
    {
        if (State == ConnectionState.Closed) { return; }
        Output.Advance(count);
        Loop.OutputWritten(this);
    }

    /// <summary>Copies <paramref name="data"/> to the output (dropped once the connection is closed).</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (State == ConnectionState.Closed) { return; }
        Output.Write(data);
        Loop.OutputWritten(this);
    }

    /// <summary>Sends what was written, then closes. Input that arrives meanwhile is discarded.</summary>
    public void Close() => Close(CloseReason.Local);

    /// <summary>Sends what was written, then closes for <paramref name="reason"/> (told to <see cref="IConnectionHandler.OnClose"/>).</summary>
    public void Close(CloseReason reason) => Loop.Close(this, reason, abort: false);

    /// <summary>Closes at once for <paramref name="reason"/>, dropping what was written and not sent (held output too).</summary>
    public void Abort(CloseReason reason) => Loop.Close(this, reason, abort: true);

    /// <summary>
    /// Presents the unconsumed input to the handler again after this batch, without waiting for more bytes: for a
    /// handler that stopped consuming while it waited (a blocked command) and can go on now. Loop thread only.
    /// </summary>
    public void RedeliverInput() => Loop.QueueRedelivery(this);

    /// <summary>
    /// Keeps the output unsent until <see cref="ReleaseOutput"/>: for replies that may leave only once something else
    /// has happened (a log's fsync). Writing goes on meanwhile. Loop thread only.
    /// </summary>
    public void HoldOutput() => OutputHeld = true;

    /// <summary>Lets the held output go, after the current batch. Loop thread only.</summary>
    public void ReleaseOutput()
    {
        OutputHeld = false;
        Loop.QueueFlush(this);
    }

    internal int Index { get; }
    internal OutputBuffer Output { get; }
    internal ConnectionState State;
    internal IConnectionHandler Handler = null!;
    internal bool FlushQueued, RedeliveryQueued, OutputHeld;

    // What the shared lifecycle knows of the transport: reading paused for backpressure, a send outstanding.
    internal bool ReceivePaused, SendInFlight;

    // Received bytes the handler has not consumed yet, presented again with the next data.
    internal InputCarry Carry { get; } = new();

    // The peer's sockaddr as accept or getsockopt wrote it, parsed on first use of RemoteEndPoint.
    private SocketAddressBytes _peerAddress;
    private int _peerAddressLength;
    private EndPoint? _remoteEndPoint;

    /// <summary>
    /// A new id from the connections' own sequence, for a client a server keeps without a connection of this framework
    /// (a Redis replica's link to its master), so that its id is unique among the connections'.
    /// </summary>
    public static long NextId() => Interlocked.Increment(ref s_nextId);

    internal void Open(IConnectionHandler handler)
    {
        Id = NextId();
        Handler = handler;
        State = ConnectionState.Open;
        OutputHeld = false;
        CloseReason = default;
        CloseErrno = 0;
        _peerAddressLength = 0;
        _remoteEndPoint = null;
    }

    internal void SetPeerAddress(ReadOnlySpan<byte> sockaddr)
    {
        _peerAddressLength = Math.Min(sockaddr.Length, SocketAddressBytes.MaxLength);
        sockaddr[.._peerAddressLength].CopyTo(_peerAddress);
    }

    internal void SetPeerAddress(EndPoint? endPoint) => _remoteEndPoint = endPoint;

    /// <summary>Records why the connection closes; the first reason stands.</summary>
    internal void SetCloseReason(CloseReason reason, int errno)
    {
        if (State != ConnectionState.Open) { return; }
        CloseReason = reason;
        CloseErrno = errno;
    }
}

internal enum ConnectionState : byte
{
    /// <summary>Receiving and sending.</summary>
    Open,

    /// <summary>Close requested or peer gone: flushing output, then closing.</summary>
    Draining,

    /// <summary>Close submitted to the kernel: waiting for outstanding operations to finish.</summary>
    Closed,
}
