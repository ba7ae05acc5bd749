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
            Logger.LogWarning("Loop {Loop}: accept failed with errno {Errno}", Id, -res);
        }
        if (!_acceptArmed && !Stopping) { ArmAccept(); }
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
        connection.Slot = slot;
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
        sqe->Fd = connection.Slot;
        sqe->BufIndex = _buffers.GroupId;
        sqe->UserData = UserData.Encode(OpKind.Recv, connection.Index);
        connection.ReceiveArmed = true;
        connection.OperationsInFlight++;
    }

    private void OnReceive(Connection connection, int res, uint flags)
    {
        if ((flags & CqeFBuffer) != 0)
        {
            var bid = (ushort)(flags >> CqeBufferShift);
            if (res > 0)
            {
                Counters.BytesReceived += res;
                Deliver(connection, _buffers.Data(bid, res));
            }
            _buffers.Recycle(bid);
            if (connection.State == ConnectionState.Open && !connection.ReceivePaused && connection.Output.Length >= Options.OutputPauseBytes)
            {
                PauseReceive(connection);
            }
        }
        else if (res == 0)
        {
            CloseConnection(connection, abort: false);
        }
        else if (res == -Libc.ENOBUFS)
        {
            // The buffer ring ran dry: the data waits in the socket; re-armed below once buffers are back.
            Counters.BufferRingEmpty++;
            _ringDry.Hit(Id, Options.ReceiveBufferCount);
        }
        else if (res != -Libc.ECANCELED)
        {
            Logger.LogDebug("Connection {Id}: receive failed with errno {Errno}", connection.Id, -res);
            CloseConnection(connection, abort: true);
        }

        if ((flags & CqeFMore) == 0)
        {
            connection.ReceiveArmed = false;
            connection.OperationsInFlight--;
            if (connection.State == ConnectionState.Open && !connection.ReceivePaused) { ArmReceive(connection); }
            else { ReleaseIfDone(connection); }
        }
    }

    // Backpressure: the peer is not reading, so stop reading from it until its output drains.
    private void PauseReceive(Connection connection)
    {
        Counters.ReceivePauses++;
        connection.ReceivePaused = true;
        if (!connection.ReceiveArmed) { return; }
        var sqe = _ring.NextSqe();
        sqe->Opcode = IoUringOp.AsyncCancel;
        sqe->Addr = UserData.Encode(OpKind.Recv, connection.Index);
        sqe->UserData = UserData.Encode(OpKind.Cancel, connection.Index);
        connection.OperationsInFlight++;
    }

    private void ResumeReceiveIfDrained(Connection connection)
    {
        if (connection.ReceivePaused && connection.State == ConnectionState.Open && connection.Output.Length < Options.OutputPauseBytes / 2)
        {
            connection.ReceivePaused = false;
            if (!connection.ReceiveArmed) { ArmReceive(connection); }
        }
    }

    private protected override void StartSend(Connection connection)
    {
        var chunk = connection.Output.Head;
        if (chunk is null || chunk.Unsent == 0)
        {
            if (connection.State == ConnectionState.Draining) { SubmitClose(connection); }
            return;
        }
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
        sqe->Fd = connection.Slot;
        sqe->Addr = (ulong)(chunk.Pointer + chunk.Start);
        sqe->Len = (uint)chunk.Unsent;
        sqe->UserData = UserData.Encode(OpKind.Send, connection.Index);
        connection.SendInFlight = true;
        connection.OperationsInFlight++;
    }

    private void OnSend(Connection connection, int res)
    {
        connection.SendInFlight = false;
        connection.OperationsInFlight--;
        if (connection.State == ConnectionState.Closed)
        {
            ReleaseIfDone(connection);
            return;
        }
        if (res <= 0)
        {
            Logger.LogDebug("Connection {Id}: send failed with errno {Errno}", connection.Id, -res);
            CloseConnection(connection, abort: true);
            return;
        }
        Counters.BytesSent += res;
        connection.Output.Consume(res);
        // A partial send continues from where it stopped, after this batch like any other output.
        if (connection.Output.Length > 0 || connection.State == ConnectionState.Draining) { QueueFlush(connection); }
        ResumeReceiveIfDrained(connection);
    }

    internal override void CloseConnection(Connection connection, bool abort)
    {
        if (connection.State == ConnectionState.Closed) { return; }
        if (abort) { SubmitClose(connection); return; }
        connection.State = ConnectionState.Draining;
        if (!connection.SendInFlight) { QueueFlush(connection); }
    }

    private void SubmitClose(Connection connection)
    {
        connection.State = ConnectionState.Closed;
        // Cancel whatever is still armed on the socket, then free its slot; hard-linked so the close runs
        // even when there was nothing to cancel.
        var cancel = _ring.NextSqe();
        cancel->Opcode = IoUringOp.AsyncCancel;
        cancel->Fd = connection.Slot;
        cancel->OpFlags = CancelFd | CancelFdFixed | CancelAll;
        cancel->Flags = SqeIoHardlink;
        cancel->UserData = UserData.Encode(OpKind.Cancel, connection.Index);
        connection.OperationsInFlight++;
        SubmitCloseSlot(connection.Slot, UserData.Encode(OpKind.Close, connection.Index));
        connection.OperationsInFlight++;
    }

    private void SubmitCloseSlot(int slot, ulong userData)
    {
        var sqe = _ring.NextSqe();
        sqe->Opcode = IoUringOp.Close;
        sqe->FileIndex = (uint)slot + 1;
        sqe->UserData = userData;
    }

    private void OnOperationDone(Connection connection)
    {
        connection.OperationsInFlight--;
        ReleaseIfDone(connection);
    }

    private void ReleaseIfDone(Connection connection)
    {
        if (connection.State == ConnectionState.Closed && connection.OperationsInFlight == 0) { ReleaseConnection(connection); }
    }
}
