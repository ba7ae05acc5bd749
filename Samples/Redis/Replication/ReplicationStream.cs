using System.Buffers;
using System.Security.Cryptography;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Replication;

/// <summary>
/// The master side's stream of changes: every command that changed the keyspace, as the append-only file logs it
/// (<see cref="AofPropagation"/>, SELECT when the database changes, a transaction whole once it ends, in MULTI ... EXEC
/// when it has two commands or more: <see cref="TransactionFrame"/>), appended to a <see cref="Backlog"/> under a short
/// lock, and the replicas that read it. It joins the keyspace's logs (<see cref="Keyspace.ReplicationLog"/>) when the
/// first replica syncs and stays, as Redis keeps its backlog, so <see cref="Offset"/> (master_repl_offset) only grows.
/// Each append (of a transaction, its end) tells every replica's loop to send what it has not
/// (<see cref="ReplicaLink.Notify"/>): the lock is a process-wide lock on the write path, taken only once a
/// replica has synced, for the time it takes to copy a command (the append-only file's loops log into buffers of their
/// own instead, merged by tick: <see cref="AofLog"/>).
/// </summary>
internal sealed class ReplicationStream : ICommandLog
{
    private static readonly byte[][] PingCommand = ["PING"u8.ToArray()];
    private static readonly byte[][] GetAckCommand = ["REPLCONF"u8.ToArray(), "GETACK"u8.ToArray(), "*"u8.ToArray()];

    private readonly Lock _gate = new();
    private long _writtenUpTo;
    private readonly Backlog _backlog;
    private readonly List<ReplicaLink> _replicas = [];
    private readonly ArrayBufferWriter<byte> _transactionBytes = new();
    private TransactionFrame _transaction = new();
    private int _streamDb = -1; // the database the stream has selected

    public ReplicationStream() => _backlog = new Backlog(KeepFrom);

    private volatile string _id = NewId();

    /// <summary>Redis's replication id: 40 hex digits, new with each process.</summary>
    public string Id => _id;

    /// <summary>DEBUG CHANGE-REPL-ID: a new id, so that no replica continues the old stream (Redis's changeReplicationId).</summary>
    public void ChangeId() => _id = NewId();

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <summary>repl-backlog-size: how much of the stream is kept for INFO whatever the replicas need.</summary>
    public long BacklogSize { get; set; } = 1 << 20;

    /// <summary>Whether a replica ever synced (Redis's repl_backlog_active).</summary>
    public bool Active { get; private set; }

    /// <summary>Bytes of stream so far: master_repl_offset.</summary>
    public long Offset
    {
        get { lock (_gate) { return _backlog.End; } }
    }

    public long Appended => Offset;

    /// <summary>
    /// Where the stream ended after its last write, PINGs and GETACKs left out: what WAIT waits for replicas to acknowledge
    /// (Redis waits for the client's own last write; this is it or later).
    /// </summary>
    public long WrittenUpTo
    {
        get { lock (_gate) { return _writtenUpTo; } }
    }

    /// <summary>What INFO's repl_backlog_first_byte_offset and repl_backlog_histlen say: the last backlog-size bytes at most.</summary>
    public (long FirstByte, long Length) Window
    {
        get
        {
            lock (_gate)
            {
                if (!Active) { return (0, 0); }
                var length = Math.Min(_backlog.End - _backlog.Start, BacklogSize);
                return (_backlog.End - length + 1, length);
            }
        }
    }

    /// <summary>How many replicas <paramref name="good"/> says yes to, without a copy of the list.</summary>
    public int CountReplicas(Func<ReplicaLink, bool> good)
    {
        lock (_gate)
        {
            var count = 0;
            foreach (var replica in _replicas) { if (good(replica)) { count++; } }
            return count;
        }
    }

    /// <summary>The replicas, a copy (INFO, ROLE).</summary>
    public ReplicaLink[] Replicas
    {
        get { lock (_gate) { return [.. _replicas]; } }
    }

    public long Append(int db, params ReadOnlySpan<byte[]> arguments)
    {
        lock (_gate)
        {
            AofCommandWriter.Command(BeforeCommand(db), arguments);
            return _transaction.IsOpen ? _backlog.End : Notified(); // a transaction's commands go out when it ends
        }
    }

    public long Append(int db, RespCommand command)
    {
        lock (_gate)
        {
            AofCommandWriter.Command(BeforeCommand(db), command);
            return _transaction.IsOpen ? _backlog.End : Notified(); // a transaction's commands go out when it ends
        }
    }

    public void BeginTransaction()
    {
        lock (_gate) { _transaction.Begin(_transactionBytes.WrittenCount); }
    }

    public long EndTransaction()
    {
        lock (_gate)
        {
            if (_transaction.End(_transactionBytes) is { } piece)
            {
                AofCommandWriter.BeforePiece(_backlog, _streamDb, piece.Db, piece.Multi);
                _backlog.Write(_transactionBytes.WrittenSpan);
                _streamDb = piece.ExitDb;
            }
            _transactionBytes.ResetWrittenCount();
            return Notified();
        }
    }

    // Under the lock: where a command of db goes, the transaction's bytes while one is open.
    private IBufferWriter<byte> BeforeCommand(int db)
    {
        if (_transaction.IsOpen)
        {
            _transaction.BeforeCommand(_transactionBytes, db);
            return _transactionBytes;
        }
        AofCommandWriter.BeforePiece(_backlog, _streamDb, db, multi: false);
        _streamDb = db;
        return _backlog;
    }

    /// <summary>
    /// repl-ping-replica-period: a PING into the stream, in no database, so replicas can tell the link lives. Exclusive,
    /// so it never lands inside an EXEC's MULTI ... EXEC.
    /// </summary>
    public void PingReplicas() => Control(PingCommand);

    /// <summary>WAIT: REPLCONF GETACK *, which replicas answer with their offset. Exclusive, as <see cref="PingReplicas"/>.</summary>
    public void RequestAcks() => Control(GetAckCommand);

    // A command for the replicas themselves, in no database.
    private void Control(byte[][] command)
    {
        lock (_gate)
        {
            if (_replicas.Count == 0) { return; }
            AofCommandWriter.Command(_backlog, command);
            Notified(written: false);
        }
    }

    // Under the lock: every replica hears there is more. Returns where the stream ends.
    private long Notified(bool written = true)
    {
        foreach (var replica in _replicas) { replica.Notify(); }
        if (written) { _writtenUpTo = _backlog.End; }
        return _backlog.End;
    }

    /// <summary>
    /// A full sync's instant (exclusive, with the snapshot): the replica will read the stream from here, which starts
    /// with a SELECT as Redis's does after a full sync. Returns the offset.
    /// </summary>
    public long Attach(ReplicaLink replica)
    {
        lock (_gate)
        {
            Active = true;
            _streamDb = -1;
            replica.Position = _backlog.End;
            _replicas.Add(replica);
            return _backlog.End;
        }
    }

    /// <summary>
    /// PSYNC with this stream's id: attaches <paramref name="replica"/> from offset <paramref name="next"/> (the first byte
    /// it lacks) when the backlog still holds it; false when it does not, and the replica needs a full sync.
    /// </summary>
    public bool TryContinue(ReplicaLink replica, long next)
    {
        lock (_gate)
        {
            if (!Active || next < _backlog.Start || next > _backlog.End) { return false; }
            replica.Position = next;
            _replicas.Add(replica);
            return true;
        }
    }

    public void Detach(ReplicaLink replica)
    {
        lock (_gate) { _replicas.Remove(replica); }
    }

    /// <summary>Copies to <paramref name="output"/> the stream from <paramref name="replica"/>'s position, at most <paramref name="most"/> bytes; true when it has all.</summary>
    public bool CopyTo(ReplicaLink replica, Connection output, int most)
    {
        lock (_gate)
        {
            var bytes = _backlog.From(replica.Position, most);
            output.Write(bytes);
            replica.Position += bytes.Length;
            return replica.Position == _backlog.End;
        }
    }

    /// <summary>How many bytes of stream <paramref name="replica"/> has not been sent yet.</summary>
    public long Behind(ReplicaLink replica)
    {
        lock (_gate) { return _backlog.End - replica.Position; }
    }

    // The backlog keeps its size's worth, and whatever a replica has not been sent.
    private long KeepFrom()
    {
        var keep = _backlog.End - BacklogSize;
        foreach (var replica in _replicas) { keep = Math.Min(keep, replica.Position); }
        return keep;
    }
}
