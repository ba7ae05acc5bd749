using System.Buffers.Text;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using Microsoft.Extensions.Logging;

namespace Loop.Samples.Redis.Replication;

/// <summary>Where a replica is in its sync, as INFO names it.</summary>
internal enum ReplicaState { WaitBgsave, SendBulk, Online }

/// <summary>
/// One replica's connection, seen from the master: the full sync's RDB, then the stream from the sync's offset on. Runs
/// on the replica's loop: <see cref="Notify"/> (from any loop, when the stream grew) posts a <see cref="Pump"/>, which
/// copies at most <see cref="OutputWindow"/> bytes into the connection's output at a time, so what the replica has not
/// read stays in the backlog once, counted against client-output-buffer-limit's replica class (past the hard limit, or
/// the soft one for its seconds, the replica is disconnected, as Redis does). The framework says nothing when output
/// drains, so a pump that left bytes behind looks again a millisecond later.
/// </summary>
internal sealed class ReplicaLink(Session session, ReplicationStream stream, ReplicaHandshake handshake)
{
    /// <summary>The most bytes of RDB or stream put into the connection's output ahead of the socket.</summary>
    public const int OutputWindow = 1 << 20;

    private readonly long _sessionId = session.Id;
    private readonly Connection _connection = session.Client;
    private Action? _pump;
    private ReadOnlyMemory<byte> _rdb;
    private int _rdbSent, _notified;
    private bool _retrying;
    private long _overSoftSinceMs;

    public ReplicaHandshake Handshake => handshake;

    public ReplicaState State { get; private set; } = ReplicaState.WaitBgsave;

    /// <summary>The stream offset sent up to (under the stream's lock).</summary>
    public long Position { get; set; }

    /// <summary>The offset the replica last acknowledged (REPLCONF ACK).</summary>
    public long AckOffset { get; private set; }

    /// <summary>When the replica last acknowledged, or when it attached (ms).</summary>
    public long LastAckMs { get; private set; } = Clock.NowMs;

    /// <summary>The replica's address as INFO shows it: the one it announced, else its peer's.</summary>
    public string Ip => handshake.AnnouncedIp ?? (_connection.RemoteEndPoint as System.Net.IPEndPoint)?.Address.ToString() ?? "?";

    /// <summary>The replica as the log names it (Redis's replicationGetSlaveName): address and listening port.</summary>
    public string Name => $"{Ip}:{handshake.ListeningPort}";

    public void Acknowledge(long offset)
    {
        AckOffset = offset;
        LastAckMs = Clock.NowMs;
    }

    /// <summary>The stream grew: the replica's loop sends it. Any thread (under the stream's lock).</summary>
    public void Notify()
    {
        if (Interlocked.Exchange(ref _notified, 1) == 0) { _connection.Loop.Post(_pump ??= Pump); }
    }

    /// <summary>The snapshot is written: its bytes go first, as <c>$len\r\n</c> and the RDB (no CRLF after). Loop thread.</summary>
    public void SendRdb(ReadOnlyMemory<byte> rdb)
    {
        if (!Alive) { Detach(); return; }
        Span<byte> header = stackalloc byte[24];
        header[0] = (byte)'$';
        Utf8Formatter.TryFormat(rdb.Length, header[1..], out var digits);
        "\r\n"u8.CopyTo(header[(1 + digits)..]);
        _connection.Write(header[..(digits + 3)]);
        (_rdb, _rdbSent, State) = (rdb, 0, ReplicaState.SendBulk);
        Pump();
    }

    /// <summary>A partial resync was accepted (+CONTINUE is written): the stream follows at once. Loop thread.</summary>
    public void Continue()
    {
        State = ReplicaState.Online;
        Pump();
    }

    /// <summary>Stops feeding this replica: its connection closed, or the sync failed.</summary>
    public void Detach()
    {
        stream.Detach(this);
        _rdb = default;
    }

    /// <summary>The snapshot could not be written: the replica is disconnected, as Redis drops it when its BGSAVE fails. Loop thread.</summary>
    public void Fail()
    {
        Detach();
        if (Alive) { _connection.Close(); }
    }

    /// <summary><see cref="Fail"/>, from any thread.</summary>
    public void FailOnItsLoop() => _connection.Loop.Post(Fail);

    private bool Alive => session.Id == _sessionId && !_connection.IsClosing;

    private void Pump()
    {
        Volatile.Write(ref _notified, 0);
        if (!Alive) { Detach(); return; }
        if (OverOutputLimit())
        {
            session.Server.Log.LogWarning("Client id={Id} addr={Addr} scheduled to be closed ASAP for overcoming of output buffer limits.",
                _sessionId, _connection.RemoteEndPoint);
            Detach();
            _connection.Close();
            return;
        }
        var done = State switch
        {
            ReplicaState.SendBulk => SendSomeRdb(),
            ReplicaState.Online => stream.CopyTo(this, _connection, Room),
            _ => true,
        };
        if (!done && !_retrying)
        {
            _retrying = true;
            _connection.Loop.Schedule(TimeSpan.FromMilliseconds(1), () =>
            {
                _retrying = false;
                Pump();
            });
        }
    }

    private int Room => (int)Math.Max(0, OutputWindow - _connection.PendingOutputBytes);

    // A window of the RDB at a time; once all of it is out, an rdb-only client (redis-cli --rdb) is closed and a replica goes online.
    private bool SendSomeRdb()
    {
        var chunk = Math.Min(Room, _rdb.Length - _rdbSent);
        _connection.Write(_rdb.Span.Slice(_rdbSent, chunk));
        _rdbSent += chunk;
        if (_rdbSent < _rdb.Length) { return false; }
        _rdb = default;
        if (handshake.RdbOnly)
        {
            Detach();
            _connection.Close();
            return true;
        }
        State = ReplicaState.Online;
        LastAckMs = Clock.NowMs;
        session.Server.Log.LogInformation("Synchronization with replica {Replica} succeeded", Name);
        return stream.CopyTo(this, _connection, Room);
    }

    // What the replica has not read: the stream behind it, and (online) what waits in its connection's output.
    private bool OverOutputLimit()
    {
        var (hard, soft, softSeconds) = OutputBufferLimit.Replica(session.Server.Config.Get("client-output-buffer-limit"));
        var pending = stream.Behind(this) + (State == ReplicaState.Online ? _connection.PendingOutputBytes : 0);
        if (hard > 0 && pending > hard) { return true; }
        if (soft == 0 || pending <= soft)
        {
            _overSoftSinceMs = 0;
            return false;
        }
        var now = Clock.NowMs;
        if (_overSoftSinceMs == 0) { _overSoftSinceMs = now; }
        return now - _overSoftSinceMs > softSeconds * 1000;
    }
}
