using System.Buffers;
using System.Net;
using Loop.Internal.Interop;
using Loop.Internal.Output;

namespace Loop;

/// <summary>
/// What a handler may touch of one client connection: its output, <see cref="Close"/>, and its loop.
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

    /// <summary>Bytes written and not yet taken by the kernel.</summary>
    public long PendingOutputBytes => Output.Length;

    /// <summary>
    /// True once the unsent output passed <see cref="ServerOptions.MaxOutputBytes"/>: the loop closes the connection
    /// after this batch, so a handler in the middle of a long reply can stop producing it.
    /// </summary>
    public bool OutputLimitReached => Output.Length > Loop.Options.MaxOutputBytes;

    /// <summary>True once <see cref="Close"/> was called or the peer went away: input is no longer delivered.</summary>
    public bool IsClosing => State != ConnectionState.Open;

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0) => Output.GetSpan(sizeHint);

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0) => Output.GetMemory(sizeHint);

    /// <inheritdoc/>
    public void Advance(int count)
    {
        Output.Advance(count);
        RequestFlush();
    }

    /// <summary>Copies <paramref name="data"/> to the output.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        Output.Write(data);
        RequestFlush();
    }

    /// <summary>Sends what was written, then closes. Input that arrives meanwhile is discarded.</summary>
    public void Close() => Loop.CloseConnection(this, abort: false);

    internal int Index { get; }
    internal OutputBuffer Output { get; }
    internal ConnectionState State;
    internal IConnectionHandler Handler = null!;
    internal bool FlushQueued;

    // Backend bookkeeping: the socket (fixed-file slot or fd), what is pending on it, its epoll interest.
    internal int Slot;
    internal bool ReceiveArmed, ReceivePaused, SendInFlight;
    internal int OperationsInFlight;
    internal uint Interest;
    internal object? Transport;

    // Received bytes the handler has not consumed yet, presented again with the next data.
    internal byte[]? Carry;
    internal int CarryLength;

    // The peer's sockaddr as accept or getsockopt wrote it, parsed on first use of RemoteEndPoint.
    private SocketAddressBytes _peerAddress;
    private int _peerAddressLength;
    private EndPoint? _remoteEndPoint;

    internal void Open(IConnectionHandler handler)
    {
        Id = Interlocked.Increment(ref s_nextId);
        Handler = handler;
        State = ConnectionState.Open;
        _peerAddressLength = 0;
        _remoteEndPoint = null;
    }

    internal void SetPeerAddress(ReadOnlySpan<byte> sockaddr)
    {
        _peerAddressLength = Math.Min(sockaddr.Length, SocketAddressBytes.MaxLength);
        sockaddr[.._peerAddressLength].CopyTo(_peerAddress);
    }

    internal void SetPeerAddress(EndPoint? endPoint) => _remoteEndPoint = endPoint;

    private void RequestFlush() => Loop.QueueFlush(this);
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
