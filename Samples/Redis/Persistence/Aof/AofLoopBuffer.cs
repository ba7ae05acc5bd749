using System.Buffers;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// One thread's commands on their way to the append-only file, appended with no lock and no write that another thread
/// reads per command: each a record of its bytes, its database and its tick of the keyspace's clock
/// (<see cref="KeyspaceLock.Tick"/>), handed to the log a batch at a time (<see cref="TakeSegment"/>), whose writer
/// merges the threads' records in tick order. A transaction (EXEC, a script) is one record, which goes inside MULTI ...
/// EXEC once it holds two commands, as Redis 7.0 frames it. A record's number (how many this thread has logged) is what
/// the replies of its command wait on. Owner thread only, but for what says otherwise.
/// </summary>
internal sealed class AofLoopBuffer
{
    private readonly KeyspaceLock _keyspace;
    private AofSegment _segment;
    private long _count;
    private long _unpublishedFrom = long.MaxValue; // the tick of the first record not handed over yet
    private TransactionFrame _transaction = new();

    public AofLoopBuffer(AofLog log, KeyspaceLock keyspace)
    {
        (Log, _keyspace) = (log, keyspace);
        _segment = new AofSegment(this) { FirstNumber = 1 };
    }

    public AofLog Log { get; }

    /// <summary>The tick of the first record not handed over yet, long.MaxValue when none: read by the writer.</summary>
    public long UnpublishedFrom => Volatile.Read(ref _unpublishedFrom);

    /// <summary>Whether there are records to hand over. Owner thread only.</summary>
    public bool HasRecords => _segment.Records.Count > 0;

    /// <summary>The number of this thread's last record (counting one open transaction that has a command).</summary>
    public long Appended => _transaction.HasCommands ? _count + 1 : _count;

    // The writer's side, under the log's write lock: the last record merged into the stream, and where the stream
    // ended after it.
    public long Merged, MergedEnd;

    // The log's side, under its gate: what was merged as of the last merge; the reply request waiting for more; the
    // segments the writer is done with.
    public long Emitted, EmittedEnd;
    public (long Number, Action<bool> Done)? Request;
    public readonly Stack<AofSegment> Free = [];

    public long Append(int db, RespCommand command)
    {
        var start = BeforeCommand(db);
        AofCommandWriter.Command(_segment.Bytes, command);
        return AfterCommand(db, start);
    }

    public long Append(int db, ReadOnlySpan<byte[]> arguments)
    {
        var start = BeforeCommand(db);
        AofCommandWriter.Command(_segment.Bytes, arguments);
        return AfterCommand(db, start);
    }

    public void BeginTransaction() => _transaction.Begin(_segment.Bytes.WrittenCount);

    /// <summary>The transaction is one record (none when it logged nothing); returns the number of the thread's last.</summary>
    public long EndTransaction() =>
        _transaction.End(_segment.Bytes) is { } piece ? Add(piece.Start, piece.Db, piece.ExitDb, piece.Multi) : _count;

    // A transaction's commands are framed as they come; its first one's database is the record's, which the writer
    // selects ahead of MULTI.
    private int BeforeCommand(int db)
    {
        if (_transaction.IsOpen) { _transaction.BeforeCommand(_segment.Bytes, db); }
        return _segment.Bytes.WrittenCount;
    }

    private long AfterCommand(int db, int start) => _transaction.IsOpen ? _count + 1 : Add(start, db, db, multi: false);

    private long Add(int start, int db, int exitDb, bool multi)
    {
        var tick = _keyspace.Tick();
        _segment.Records.Add(new AofRecord(tick, start, _segment.Bytes.WrittenCount, db, exitDb, multi));
        if (_unpublishedFrom == long.MaxValue) { Volatile.Write(ref _unpublishedFrom, tick); }
        return ++_count;
    }

    /// <summary>
    /// Under the log's gate: the records so far, for the writer to merge (null when there are none or a transaction is
    /// open); the thread goes on in a free segment. From another thread only while this one logs nothing.
    /// </summary>
    public AofSegment? TakeSegment()
    {
        if (_segment.Records.Count == 0 || _transaction.IsOpen) { return null; }
        var full = _segment;
        _segment = Free.TryPop(out var free) ? free : new AofSegment(this);
        _segment.FirstNumber = _count + 1;
        Volatile.Write(ref _unpublishedFrom, long.MaxValue);
        return full;
    }
}

/// <summary>A batch of one thread's records, and how far the writer has merged them.</summary>
internal sealed class AofSegment(AofLoopBuffer owner)
{
    /// <summary>
    /// What a segment's buffer keeps between batches: one that took more (a huge command) lets it go. Large enough for
    /// a big pipeline's batch, since a buffer grown again and again is garbage of the large-object heap, collected
    /// only with generation 2, which used_memory counts meanwhile.
    /// </summary>
    public const int KeptCapacity = 16 << 20;

    public AofLoopBuffer Owner { get; } = owner;

    public ArrayBufferWriter<byte> Bytes { get; private set; } = new(1 << 12);
    public readonly List<AofRecord> Records = [];
    public long FirstNumber; // the thread's number for the first record
    public int Next; // the first record not merged yet

    public bool Done => Next == Records.Count;

    public void Reset()
    {
        if (Bytes.Capacity > KeptCapacity) { Bytes = new(1 << 12); } else { Bytes.ResetWrittenCount(); }
        Records.Clear();
        Next = 0;
    }
}

/// <summary>
/// A logged command (or transaction): its tick, its bytes in the segment, the database they run in and the one they
/// leave selected, and whether they go inside MULTI (their EXEC is among them).
/// </summary>
internal readonly record struct AofRecord(long Tick, int Start, int End, int Db, int ExitDb, bool Multi);
