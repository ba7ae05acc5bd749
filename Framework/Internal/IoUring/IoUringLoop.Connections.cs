using Loop.Internal.Interop;
using Microsoft.Extensions.Logging;
using static Loop.Internal.Interop.IoUringConst;

namespace Loop.Internal.IoUring;

// Accept, receive, send and close: the life of one connection on the ring.
internal sealed unsafe partial class IoUringLoop
{
    private void ArmAccept()
    {
        // Multishot accept straight into the fixed-file table: no fd in the process, no accept syscall.
        var sqe = _ring.NextSqe();
        sqe->Opcode = IoUringOp.Accept;
        sqe->Fd = (int)_listener.Handle;
        sqe->IoPrio = AcceptMultishot;
        sqe->FileIndex = FileIndexAlloc;
        sqe->UserData = UserData.Encode(OpKind.Accept, 0);
        _acceptArmed = true;
    }

    private void OnAccept(int res, uint flags)
    {
        if ((flags & CqeFMore) == 0) { _acceptArmed = false; }
        if (res >= 0)
        {
            RequestPeerName(slot: res);
        }
        else if (res == -Libc.ENFILE)
        {
            // The kernel accepted and dropped it: no free slot in the fixed-file table.
            CountRefused();
        }
        else if (res != -Libc.ECANCELED)
        {
            AcceptFailed(-res);
        }
        if (!_acceptArmed && !_acceptPaused && !Stopping) { ArmAccept(); }
    }

    // Multishot accept reports no address: the handler hears of the connection once a getsockopt(SO_PEERNAME)
    // on the fixed file has, as accept4 does on epoll. The kernel runs it inline during the next submit; before
    // Linux 6.7 it fails and the connection opens without an address.
    private void RequestPeerName(int slot)
    {
        var sqe = _ring.NextSqe();
        sqe->Opcode = IoUringOp.UringCmd;
        sqe->Flags = SqeFixedFile;
        sqe->Fd = slot;
        sqe->CmdOp = SocketUringOpGetsockopt;
        sqe->Level = SolSocket;
        sqe->OptName = SoPeerName;
        sqe->OptVal = (ulong)PeerNameAt(slot);
        sqe->OptLen = (uint)_peerNameLength;
        sqe->UserData = UserData.Encode(OpKind.PeerName, slot);
    }

    private byte* PeerNameAt(int slot) => _peerNames + slot * SocketAddressBytes.MaxLength;

    private void OnAccepted(int slot, int peerNameLength)
    {
        var connection = OpenConnection(_chunks);
        if (connection is null)
        {
            // The kernel freed a slot whose close completion we have not reaped yet: no room after all.
            SubmitCloseSlot(slot, UserData.Encode(OpKind.Orphan, 0));
            CountRefused();
            return;
        }
        ref var socket = ref _sockets[connection.Index];
        if (socket.InFlight != RingOps.None)
        {
            throw new InvalidOperationException($"Connection index {connection.Index} reused with {socket.InFlight} still in the kernel.");
        }
        socket = new RingSocket { Slot = slot };
        if (peerNameLength > 0) { connection.SetPeerAddress(new ReadOnlySpan<byte>(PeerNameAt(slot), peerNameLength)); }
        else if (peerNameLength is -Libc.EOPNOTSUPP or -Libc.EINVAL && !_peerNameUnsupportedLogged)
        {
            // An older kernel, not a peer that already left (ENOTCONN): say it once.
            _peerNameUnsupportedLogged = true;
            Logger.LogInformation("Loop {Loop}: getsockopt(SO_PEERNAME) on a fixed file failed with errno {Errno} (needs Linux 6.7); connections have no RemoteEndPoint", Id, -peerNameLength);
        }
        ArmReceive(connection);
        Opened(connection);
    }

    private void ArmReceive(Connection connection)
    {
        // Multishot receive with buffer selection: a buffer is taken from the ring only when data arrives.
        var sqe = _ring.NextSqe();
        sqe->Opcode = IoUringOp.Recv;
        sqe->Flags = SqeFixedFile | SqeBufferSelect;
        sqe->IoPrio = RecvMultishot;
        sqe->Fd = _sockets[connection.Index].Slot;
        sqe->BufIndex = _buffers.GroupId;
        sqe->UserData = UserData.Encode(OpKind.Recv, connection.Index);
        _sockets[connection.Index].InFlight |= RingOps.Receive;
    }

    private void OnReceive(Connection connection, int res, uint flags)
    {
        if ((flags & CqeFBuffer) != 0)
        {
            var bid = (ushort)(flags >> CqeBufferShift);
            if (res > 0) { Received(connection, _buffers.Data(bid, res)); }
            _buffers.Recycle(bid);
        }
        else if (res == 0)
        {
            Close(connection, CloseReason.PeerClosed, abort: false);
        }
        else if (res == -Libc.ENOBUFS)
        {
            // The buffer ring ran dry: the data waits in the socket; re-armed below once buffers are back.
            Counters.BufferRingEmpty++;
            _ringDry.Hit(Id, Options.ReceiveBufferCount);
        }
        else if (res != -Libc.ECANCELED)
        {
            Failed(connection, -res);
        }

        if ((flags & CqeFMore) == 0)
        {
            Completed(connection, RingOps.Receive);
            if (connection.State == ConnectionState.Open && !connection.ReceivePaused) { ArmReceive(connection); }
        }
    }

    private protected override void PauseReceive(Connection connection)
    {
        ref var socket = ref _sockets[connection.Index];
        if ((socket.InFlight & RingOps.Receive) == 0) { return; }
        if ((socket.InFlight & RingOps.PauseCancel) != 0)
        {
            socket.CancelAgain = true;
            return;
        }
        var sqe = _ring.NextSqe();
        sqe->Opcode = IoUringOp.AsyncCancel;
        sqe->Addr = UserData.Encode(OpKind.Recv, connection.Index);
        sqe->UserData = UserData.Encode(OpKind.PauseCancel, connection.Index);
        socket.InFlight |= RingOps.PauseCancel;
    }

    private void OnPauseCancelled(Connection connection)
    {
        ref var socket = ref _sockets[connection.Index];
        var again = socket.CancelAgain;
        socket.CancelAgain = false;
        Completed(connection, RingOps.PauseCancel);
        // The receive it found may have ended and been re-armed meanwhile: that one is still to cancel.
        if (again && connection.ReceivePaused && connection.State != ConnectionState.Closed) { PauseReceive(connection); }
    }

    private protected override void ResumeReceive(Connection connection)
    {
        // A receive still armed (its cancel not yet done) is re-armed by its last completion.
        if ((_sockets[connection.Index].InFlight & RingOps.Receive) == 0) { ArmReceive(connection); }
    }

    private protected override void StartSend(Connection connection)
    {
        var chunk = connection.Output.Head!;
        var sqe = _ring.NextSqe();
        if (chunk.Registered)
        {
            // Fixed file + fixed buffer: no fd lookup, no page pinning per send.
            sqe->Opcode = IoUringOp.WriteFixed;
            sqe->BufIndex = 0;
        }
        else
        {
            sqe->Opcode = IoUringOp.Send;
            sqe->OpFlags = MsgNoSignal;
        }
        sqe->Flags = SqeFixedFile;
        sqe->Fd = _sockets[connection.Index].Slot;
        sqe->Addr = (ulong)(chunk.Pointer + chunk.Start);
        sqe->Len = (uint)chunk.Unsent;
        sqe->UserData = UserData.Encode(OpKind.Send, connection.Index);
        _sockets[connection.Index].InFlight |= RingOps.Send;
    }

    private void OnSend(Connection connection, int res)
    {
        if (res > 0) { Sent(connection, res); }
        else { Failed(connection, -res); }
        Completed(connection, RingOps.Send);
    }

    private protected override void CloseTransport(Connection connection, bool abort)
    {
        // Cancel whatever is still armed on the socket, then free its slot; hard-linked so the close runs
        // even when there was nothing to cancel.
        ref var socket = ref _sockets[connection.Index];
        var cancel = _ring.NextSqe();
        cancel->Opcode = IoUringOp.AsyncCancel;
        cancel->Fd = socket.Slot;
        cancel->OpFlags = CancelFd | CancelFdFixed | CancelAll;
        cancel->Flags = SqeIoHardlink;
        cancel->UserData = UserData.Encode(OpKind.CloseCancel, connection.Index);
        SubmitCloseSlot(socket.Slot, UserData.Encode(OpKind.Close, connection.Index));
        socket.InFlight |= RingOps.CloseCancel | RingOps.Close;
    }

    private void SubmitCloseSlot(int slot, ulong userData)
    {
        var sqe = _ring.NextSqe();
        sqe->Opcode = IoUringOp.Close;
        sqe->FileIndex = (uint)slot + 1;
        sqe->UserData = userData;
    }

    /// <summary>One of the connection's operations is over; a closed connection with none left is released.</summary>
    private void Completed(Connection connection, RingOps operation)
    {
        ref var socket = ref _sockets[connection.Index];
        socket.InFlight &= ~operation;
        if (connection.State == ConnectionState.Closed && socket.InFlight == RingOps.None) { Released(connection); }
    }
}
