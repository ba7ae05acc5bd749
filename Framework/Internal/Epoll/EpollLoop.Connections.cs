using Loop.Internal.Interop;

namespace Loop.Internal.Epoll;

// Accept, read, write and close on readiness: the system calls of one connection's life under epoll.
internal sealed unsafe partial class EpollLoop
{
    // Bounded so one busy listener or socket cannot starve the rest of the batch.
    private const int AcceptsPerWake = 64, ReadsPerWake = 4, IoVecsPerWrite = 16;

    /// <summary>What epoll keeps per connection: its descriptor and the events it is registered for.</summary>
    private struct EpollSocket
    {
        public int Fd;
        public uint Interest;

        /// <summary>The socket's send buffer was full: waiting for EPOLLOUT to write the rest.</summary>
        public bool AwaitingWritable;
    }

    private EpollSocket[] _sockets = null!;

    private void AcceptAll()
    {
        for (var i = 0; i < AcceptsPerWake && _listening; i++)
        {
            var peer = default(SocketAddressBytes);
            var peerLength = (uint)SocketAddressBytes.MaxLength;
            var fd = Libc.Accept4((int)_listener.Handle, &peer, &peerLength, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
            if (fd < 0)
            {
                var errno = Libc.LastErrno;
                if (errno != Libc.EAGAIN) { AcceptFailed(errno); }
                return;
            }
            var connection = OpenConnection(_chunks);
            if (connection is null)
            {
                CountRefused();
                Libc.Close(fd);
                continue;
            }
            var socket = _sockets[connection.Index] = new EpollSocket { Fd = fd, Interest = Epoll.In | Epoll.RdHup };
            _epoll.Add(fd, socket.Interest, (ulong)connection.Index);
            connection.SetPeerAddress(peer[..(int)peerLength]);
            Opened(connection);
        }
    }

    // Level-triggered: a listener left in the set while descriptors are exhausted would wake every wait.
    private protected override void PauseAccepting()
    {
        if (!_listening) { return; }
        _listening = false;
        _epoll.Remove((int)_listener.Handle);
    }

    private protected override void ResumeAccepting()
    {
        if (_listening) { return; }
        _listening = true;
        _epoll.Add((int)_listener.Handle, Epoll.In, ListenerToken);
    }

    private void OnReady(Connection connection, uint events)
    {
        if (connection.State == ConnectionState.Closed) { return; }
        if ((events & (Epoll.Err | Epoll.Hup)) != 0 && connection.ReceivePaused)
        {
            // Not reading, so nothing else would notice; a level-triggered HUP would wake us forever. No read or
            // write reports the errno here: SO_ERROR holds it (ECONNRESET for a peer's reset).
            if ((events & Epoll.Err) != 0) { Close(connection, CloseReason.Error, abort: true, Libc.PendingSocketError(_sockets[connection.Index].Fd)); }
            else { Close(connection, CloseReason.PeerClosed, abort: true); }
            return;
        }
        if ((events & Epoll.Out) != 0 && _sockets[connection.Index].AwaitingWritable)
        {
            // Writable again: the send goes on after this batch like any other, through the flush queue, which keeps held
            // output and what this batch wrote behind the hooks before sends.
            _sockets[connection.Index].AwaitingWritable = false;
            UpdateInterest(connection);
            Sent(connection, 0);
        }
        if ((events & (Epoll.In | Epoll.Hup | Epoll.Err | Epoll.RdHup)) != 0) { ReadAvailable(connection); }
    }

    private void ReadAvailable(Connection connection)
    {
        var fd = _sockets[connection.Index].Fd;
        var buffer = IsServingWhileBusy ? _receiveBufferWhileBusy : _receiveBuffer;
        for (var i = 0; i < ReadsPerWake && connection.State == ConnectionState.Open && !connection.ReceivePaused; i++)
        {
            var n = (int)Libc.Read(fd, buffer, (nuint)Options.ReceiveBufferSize);
            if (n > 0)
            {
                Received(connection, new ReadOnlySpan<byte>(buffer, n));
                if (n < Options.ReceiveBufferSize) { return; }
            }
            else if (n == 0)
            {
                Close(connection, CloseReason.PeerClosed, abort: false);
                return;
            }
            else
            {
                var errno = Libc.LastErrno;
                if (errno is Libc.EAGAIN or Libc.EINTR) { return; }
                Failed(connection, errno);
                return;
            }
        }
    }

    /// <summary>Writes what the socket takes of the output at once; waits for EPOLLOUT when it is full.</summary>
    private protected override void StartSend(Connection connection)
    {
        var iov = stackalloc IoVec[IoVecsPerWrite];
        var count = 0;
        for (var chunk = connection.Output.Head; chunk is not null && count < IoVecsPerWrite; chunk = chunk.Next)
        {
            if (chunk.Unsent == 0) { continue; }
            iov[count++] = new IoVec { Base = (nuint)(chunk.Pointer + chunk.Start), Length = (nuint)chunk.Unsent };
        }
        long n;
        do { n = (long)Libc.Writev(_sockets[connection.Index].Fd, iov, count); }
        while (n < 0 && Libc.LastErrno == Libc.EINTR);
        if (n >= 0)
        {
            Sent(connection, (int)n);
            return;
        }
        var errno = Libc.LastErrno;
        if (errno != Libc.EAGAIN)
        {
            Failed(connection, errno);
            return;
        }
        _sockets[connection.Index].AwaitingWritable = true;
        UpdateInterest(connection);
    }

    private protected override void PauseReceive(Connection connection) => UpdateInterest(connection);

    private protected override void ResumeReceive(Connection connection) => UpdateInterest(connection);

    private void UpdateInterest(Connection connection)
    {
        ref var socket = ref _sockets[connection.Index];
        var wanted = (connection.ReceivePaused ? 0 : Epoll.In | Epoll.RdHup) | (socket.AwaitingWritable ? Epoll.Out : 0);
        if (wanted != socket.Interest)
        {
            socket.Interest = wanted;
            _epoll.Modify(socket.Fd, wanted, (ulong)connection.Index);
        }
    }

    // Closing the descriptor also takes it out of the epoll set; nothing else is pending on it.
    private protected override void CloseTransport(Connection connection, bool abort)
    {
        Libc.Close(_sockets[connection.Index].Fd);
        _sockets[connection.Index] = default;
        Released(connection);
    }
}
