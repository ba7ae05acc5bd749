using Loop.Internal.Interop;
using Loop.Internal.Output;
using Microsoft.Extensions.Logging;

namespace Loop.Internal.Epoll;

// Accept, read, write and close on readiness: the life of one connection under epoll.
internal sealed unsafe partial class EpollLoop
{
    // Bounded so one busy listener or socket cannot starve the rest of the batch.
    private const int AcceptsPerWake = 64, ReadsPerWake = 4, IoVecsPerWrite = 16;

    private void AcceptAll()
    {
        for (var i = 0; i < AcceptsPerWake; i++)
        {
            var peer = default(SocketAddressBytes);
            var peerLength = (uint)SocketAddressBytes.MaxLength;
            var fd = Libc.Accept4((int)_listener.Handle, &peer, &peerLength, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
            if (fd < 0)
            {
                var errno = Libc.LastErrno;
                if (errno != Libc.EAGAIN) { Logger.LogWarning("Loop {Loop}: accept failed with errno {Errno}", Id, errno); }
                return;
            }
            var connection = OpenConnection(_chunks);
            if (connection is null)
            {
                CountRefused();
                Libc.Close(fd);
                continue;
            }
            connection.Slot = fd;
            connection.SetPeerAddress(peer[..(int)peerLength]);
            connection.Interest = Epoll.In | Epoll.RdHup;
            _epoll.Add(fd, connection.Interest, (ulong)connection.Index);
            Opened(connection);
        }
    }

    private void OnReady(Connection connection, uint events)
    {
        if (connection.State == ConnectionState.Closed) { return; }
        if ((events & (Epoll.Err | Epoll.Hup)) != 0 && connection.State == ConnectionState.Draining)
        {
            // Nothing more can reach the peer; without this a level-triggered HUP would wake us forever.
            CloseNow(connection);
            return;
        }
        if ((events & Epoll.Out) != 0)
        {
            connection.SendInFlight = false;
            StartSend(connection);
        }
        if ((events & (Epoll.In | Epoll.Hup | Epoll.Err | Epoll.RdHup)) != 0 && connection.State == ConnectionState.Open)
        {
            ReadAvailable(connection);
        }
    }

    private void ReadAvailable(Connection connection)
    {
        for (var i = 0; i < ReadsPerWake && connection.State == ConnectionState.Open && !connection.ReceivePaused; i++)
        {
            var n = (int)Libc.Read(connection.Slot, _receiveBuffer, (nuint)Options.ReceiveBufferSize);
            if (n > 0)
            {
                Counters.BytesReceived += n;
                Deliver(connection, new ReadOnlySpan<byte>(_receiveBuffer, n));
                if (connection.Output.Length >= Options.OutputPauseBytes && connection.State == ConnectionState.Open)
                {
                    Counters.ReceivePauses++;
                    connection.ReceivePaused = true;
                    UpdateInterest(connection);
                }
                if (n < Options.ReceiveBufferSize) { return; }
            }
            else if (n == 0)
            {
                CloseConnection(connection, abort: false);
                return;
            }
            else
            {
                var errno = Libc.LastErrno;
                if (errno == Libc.EAGAIN || errno == Libc.EINTR) { return; }
                Logger.LogDebug("Connection {Id}: read failed with errno {Errno}", connection.Id, errno);
                CloseConnection(connection, abort: true);
                return;
            }
        }
    }

    /// <summary>Writes as much output as the socket takes; waits for EPOLLOUT when it is full.</summary>
    private protected override void StartSend(Connection connection)
    {
        var iov = stackalloc IoVec[IoVecsPerWrite];
        while (connection.Output.Length > 0)
        {
            var count = 0;
            for (var chunk = connection.Output.Head; chunk is not null && count < IoVecsPerWrite; chunk = chunk.Next)
            {
                if (chunk.Unsent == 0) { continue; }
                iov[count++] = new IoVec { Base = (nuint)(chunk.Pointer + chunk.Start), Length = (nuint)chunk.Unsent };
            }
            var n = (long)Libc.Writev(connection.Slot, iov, count);
            if (n < 0)
            {
                var errno = Libc.LastErrno;
                if (errno == Libc.EINTR) { continue; }
                if (errno == Libc.EAGAIN)
                {
                    connection.SendInFlight = true;
                    UpdateInterest(connection);
                    return;
                }
                Logger.LogDebug("Connection {Id}: write failed with errno {Errno}", connection.Id, errno);
                CloseConnection(connection, abort: true);
                return;
            }
            Counters.BytesSent += n;
            connection.Output.Consume((int)n);
        }
        if (connection.State == ConnectionState.Draining)
        {
            CloseNow(connection);
            return;
        }
        if (connection.ReceivePaused && connection.State == ConnectionState.Open)
        {
            connection.ReceivePaused = false;
        }
        UpdateInterest(connection);
    }

    private void UpdateInterest(Connection connection)
    {
        var wanted = (connection.State == ConnectionState.Open && !connection.ReceivePaused ? Epoll.In | Epoll.RdHup : 0)
            | (connection.SendInFlight ? Epoll.Out : 0);
        if (wanted != connection.Interest)
        {
            connection.Interest = wanted;
            _epoll.Modify(connection.Slot, wanted, (ulong)connection.Index);
        }
    }

    internal override void CloseConnection(Connection connection, bool abort)
    {
        if (connection.State == ConnectionState.Closed) { return; }
        if (abort)
        {
            CloseNow(connection);
            return;
        }
        connection.State = ConnectionState.Draining;
        UpdateInterest(connection);
        if (!connection.SendInFlight) { QueueFlush(connection); }
    }

    private void CloseNow(Connection connection)
    {
        connection.State = ConnectionState.Closed;
        Libc.Close(connection.Slot);
        ReleaseAfterBatch(connection);
    }
}
