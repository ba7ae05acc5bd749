using System.Buffers;
using System.Diagnostics;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Store;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Loop.Samples.Redis.Persistence;

/// <summary>Redis's appendfsync: when the log's writes are synced to disk.</summary>
internal enum AofFsync { Always, EverySecond, No }

/// <summary>
/// The commands the keyspace's changes are logged as, on their way to the current incr file. Each loop appends to a
/// buffer of its own (<see cref="AofLoopBuffer"/>: no lock, no shared write), each command with its tick of the
/// keyspace's clock, which orders any two that touched a key in common as they ran. After a batch a loop hands its
/// records over and writes what is ready (<see cref="WritePending"/>): the records of every loop merged in tick order up
/// to the watermark (the lowest tick a loop has not handed over yet, below which no record can still come), a SELECT
/// wherever the database changes, through its own ring (<see cref="EventLoop.WriteFile"/>: an io_uring WRITE, with an
/// FSYNC linked behind it when due): one write at a time for all loops, so the file never has a hole a crash could
/// keep, and whatever gathers meanwhile goes in the next, started once the write is done (a group commit; the next FSYNC
/// overlaps the last, each covering what was written before it). Replies wait for <see cref="WhenSafe"/>: their commands
/// written (everysec, no: a crash of the process loses nothing acknowledged, as Redis writes before it replies) or
/// synced (always). everysec syncs once a second. No loop ever waits for the disk.
/// </summary>
internal sealed class AofLog : ICommandLog, IDisposable
{
    private static readonly long SecondTicks = Stopwatch.Frequency;

    // The calling thread's buffer, when it is this log's.
    [ThreadStatic] private static AofLoopBuffer? t_buffer;

    private readonly KeyspaceLock _keyspace;

    // Under the gate, held for a few fields' time: the loops' buffers and the segments they handed over, the writes'
    // progress and their waiters. A spin lock costs one atomic where Lock costs two.
    private SpinLock _gate = new(enableThreadOwnerTracking: false);
    private readonly List<AofLoopBuffer> _buffers = [];
    private readonly List<AofSegment> _published = [];
    private readonly List<(long Offset, Action<bool> Done)> _waiters = [];
    private long _written, _durable, _lastSync;
    private bool _inFlight, _syncInFlight, _stopped;
    private Chunk? _ringWrite; // the ring write under way
    private readonly List<SafeFileHandle> _retiring = []; // old files whose last FSYNC is under way

    // Under the write lock: the merge and the bytes it made, up to the write.
    private readonly Lock _writeLock = new();
    private readonly List<AofSegment> _merging = [];
    private ArrayBufferWriter<byte> _pending = new(1 << 16), _writing = new(1 << 16);
    private SafeFileHandle _file;
    private long _fileStart; // the log offset where the current file begins
    private long _flushed; // the log offset up to which bytes went to a write
    private int _streamDb = -1; // the database the stream has selected
    private readonly Queue<(long Tick, SafeFileHandle File)> _switches = new(); // rewrites' next files, each for the records after its tick
    private (long At, SafeFileHandle File)? _switch; // the first of them, from that log offset on
    private int _switchesWaiting; // those not taken for a write yet, read without the lock: every loop writes meanwhile
    private long _size; // the log offset the merge reached

    private volatile AofFsync _fsync;

    /// <summary>Logs into <paramref name="file"/> (empty, new) the changes made under <paramref name="keyspace"/>'s holds.</summary>
    public AofLog(AofFsync fsync, SafeFileHandle file, KeyspaceLock keyspace)
    {
        (_fsync, _file, _keyspace) = (fsync, file, keyspace);
        _lastSync = Stopwatch.GetTimestamp();
    }

    /// <summary>The policy; CONFIG SET appendfsync changes it from the next write on.</summary>
    public AofFsync Fsync
    {
        get => _fsync;
        set => _fsync = value;
    }

    /// <summary>The first write or sync error, after which nothing more is written; null while all is well.</summary>
    public IOException? Failure { get; private set; }

    /// <summary>The bytes merged into the log so far, written or about to be (INFO aof_current_size).</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>The number of the calling thread's last logged command, which its replies wait on (<see cref="WhenSafe"/>).</summary>
    public long Appended => Buffer().Appended;

    public long Append(int db, RespCommand command) => Buffer().Append(db, command);

    public long Append(int db, params ReadOnlySpan<byte[]> arguments) => Buffer().Append(db, arguments);

    /// <summary>EXEC starts: what it logs is wrapped in MULTI and EXEC (when it is two commands or more), so a crash cannot keep half of it.</summary>
    public void BeginTransaction() => Buffer().BeginTransaction();

    public long EndTransaction() => Buffer().EndTransaction();

    private AofLoopBuffer Buffer() => t_buffer is { } buffer && buffer.Log == this ? buffer : Register();

    private AofLoopBuffer Register()
    {
        var buffer = new AofLoopBuffer(this, _keyspace);
        using (Gate()) { _buffers.Add(buffer); }
        return t_buffer = buffer;
    }

    /// <summary>
    /// After a batch, before its replies leave: hands over the calling loop's records and merges what is ready; with
    /// appendfsync always, starts writing it as an io_uring WRITE with an FSYNC linked behind it on
    /// <paramref name="loop"/>'s ring, unless a write is under way (once it is written, it starts the next: a group
    /// commit); otherwise writes it at once, a page-cache write as Redis makes in its event loop (a loop that finds
    /// another writing waits for it, since that write may hold its commands), and with everysec starts an FSYNC on the
    /// ring once a second. A rewrite's switch to a new file is made here. Loop thread only.
    /// </summary>
    public void WritePending(EventLoop loop)
    {
        // Only a loop that hands records over merges: the watermark rises only then, so what another loop's records held
        // back waits for that loop's next hand-over, and a batch that logged nothing (a read) costs no lock.
        if (Publish() || Volatile.Read(ref _switchesWaiting) > 0) { Write(loop); }
        else { SyncIfDue(loop); }
    }

    private void Write(EventLoop loop)
    {
        if (_fsync == AofFsync.Always)
        {
            WriteThroughRing(loop);
            return;
        }
        Chunk? taken;
        lock (_writeLock)
        {
            Merge(all: false);
            if ((taken = Take(ring: false)) is { } chunk)
            {
                try
                {
                    RandomAccess.Write(chunk.File, chunk.Bytes.Span, chunk.FileOffset);
                    Written(chunk.End, synced: false, error: null);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Written(chunk.End, synced: false, AsIOException(e)); }
            }
        }
        if (taken is not { EndsFile: true } ended)
        {
            SyncIfDue(loop);
            return;
        }
        // The old file is complete: synced on the ring (the periodic FSYNC goes to the new one now) and then closed,
        // while what followed it is written to the new file.
        using (Gate()) { _retiring.Add(ended.File); }
        loop.WriteFile(ended.File, 0, ReadOnlyMemory<byte>.Empty, sync: true, result =>
        {
            Retired(ended.File);
            Written(ended.End, synced: true, ErrorOf(result));
        });
        Write(loop);
    }

    // The calling thread's records go to the writer; false when it has none (the gate is not taken then: every loop comes
    // here after every batch, writes or not).
    private bool Publish()
    {
        if (t_buffer is not { } buffer || buffer.Log != this || !buffer.HasRecords) { return false; }
        using (Gate())
        {
            if (_stopped || buffer.TakeSegment() is not { } segment) { return false; }
            _published.Add(segment);
            return true;
        }
    }

    private void WriteThroughRing(EventLoop loop)
    {
        Chunk chunk;
        lock (_writeLock)
        {
            Merge(all: false);
            if (Take(ring: true) is not { } taken) { return; }
            chunk = taken;
        }
        // Once written (its FSYNC may still be under way), or failed: what gathered meanwhile is written next, its
        // FSYNC overlapping this one's. After an old file's last bytes, only once they are synced: the next FSYNC is
        // the new file's and would not cover them.
        var writing = true;
        void NextWrite()
        {
            if (writing)
            {
                writing = false;
                using (Gate()) { (_inFlight, _ringWrite) = (false, null); }
            }
            Write(loop);
        }
        loop.WriteFile(chunk.File, chunk.FileOffset, chunk.Bytes, sync: true,
            completed: result =>
            {
                if (chunk.EndsFile) { Retired(chunk.File); }
                Written(chunk.End, synced: true, ErrorOf(result));
                NextWrite();
            },
            written: chunk.EndsFile ? null : NextWrite);
    }

    // Under the write lock: the segments handed over join the merge, and its records go into the stream in tick order,
    // as far as the watermark (all of them when the loops log no more). A rewrite's switch goes where its tick falls.
    // Then each loop's request for its replies becomes a wait on the offset its last merged record ends at.
    private void Merge(bool all)
    {
        var watermark = long.MaxValue;
        using (Gate())
        {
            _merging.AddRange(_published);
            _published.Clear();
            if (!all) { foreach (var buffer in _buffers) { watermark = Math.Min(watermark, buffer.UnpublishedFrom - 1); } }
        }
        // A switch waits for the last one's to be taken for a write, and the records after its tick wait for it.
        while (_switch is null && _switches.TryPeek(out var next) && next.Tick <= watermark)
        {
            MergeUpTo(next.Tick);
            _switches.Dequeue();
            (_switch, _streamDb) = ((_flushed + _pending.WrittenCount, next.File), -1); // each incr file starts with a SELECT
        }
        MergeUpTo(_switches.TryPeek(out var waiting) ? Math.Min(watermark, waiting.Tick) : watermark);
        Volatile.Write(ref _size, _flushed + _pending.WrittenCount);
        using (Gate())
        {
            foreach (var buffer in _buffers)
            {
                if (buffer.Merged == buffer.Emitted) { continue; }
                (buffer.Emitted, buffer.EmittedEnd) = (buffer.Merged, buffer.MergedEnd);
                if (buffer.Request is { } request && request.Number <= buffer.Emitted)
                {
                    _waiters.Add((buffer.EmittedEnd, request.Done));
                    buffer.Request = null;
                }
            }
            _merging.RemoveAll(segment =>
            {
                if (!segment.Done) { return false; }
                segment.Reset();
                segment.Owner.Free.Push(segment);
                return true;
            });
        }
    }

    // The records up to the tick, lowest first: each step takes the segment with the lowest next tick and copies its
    // records up to the next segment's.
    private void MergeUpTo(long tick)
    {
        while (true)
        {
            AofSegment? lowest = null;
            var following = long.MaxValue;
            foreach (var segment in _merging)
            {
                if (segment.Done) { continue; }
                var next = segment.Records[segment.Next].Tick;
                if (lowest is null || next < lowest.Records[lowest.Next].Tick)
                {
                    if (lowest is not null) { following = Math.Min(following, lowest.Records[lowest.Next].Tick); }
                    lowest = segment;
                }
                else { following = Math.Min(following, next); }
            }
            if (lowest is null || lowest.Records[lowest.Next].Tick > tick) { return; }
            var until = Math.Min(tick, following);
            do { Copy(lowest, until); }
            while (!lowest.Done && lowest.Records[lowest.Next].Tick <= until);
            (lowest.Owner.Merged, lowest.Owner.MergedEnd) = (lowest.FirstNumber + lowest.Next - 1, _flushed + _pending.WrittenCount);
        }
    }

    // The segment's next record, and those after it up to the tick that follow on in its bytes in the same database
    // (a batch's commands, usually), in one copy.
    private void Copy(AofSegment segment, long until)
    {
        var records = segment.Records;
        var first = records[segment.Next++];
        AofCommandWriter.BeforePiece(_pending, _streamDb, first.Db, first.Multi);
        var last = first;
        while (!segment.Done && records[segment.Next] is var next && next.Tick <= until && !next.Multi && next.Db == last.ExitDb
            && next.Start == last.End)
        {
            (last, segment.Next) = (next, segment.Next + 1);
        }
        _pending.Write(segment.Bytes.WrittenSpan[first.Start..last.End]);
        _streamDb = last.ExitDb;
    }

    // Under the write lock: takes what the merge made for one write, or null when there is nothing to write, a ring write
    // is under way, or the log is stopped or failed. Where a rewrite switches files, the write ends the old file and
    // what follows waits for the next one, into the new file.
    private Chunk? Take(bool ring)
    {
        using (Gate())
        {
            if (_inFlight || _stopped || Failure is not null || (_pending.WrittenCount == 0 && _switch is null)) { return null; }
            _writing.ResetWrittenCount(); // the last write's, done
            (_writing, _pending) = (_pending, _writing);
            var (start, length, file, fileStart) = (_flushed, _writing.WrittenCount, _file, _fileStart);
            var endsFile = false;
            if (_switch is { } next && next.At <= start + length)
            {
                length = (int)(next.At - start);
                _pending.Write(_writing.WrittenSpan[length..]);
                (_file, _fileStart, _switch, endsFile) = (next.File, next.At, null, true);
                Interlocked.Decrement(ref _switchesWaiting);
            }
            _flushed = start + length;
            var chunk = new Chunk(_flushed, _writing.WrittenMemory[..length], file, start - fileStart, endsFile);
            (_inFlight, _ringWrite) = (ring, ring ? chunk : null);
            return chunk;
        }
    }
    // An old file's last FSYNC is done: closed, and no longer one for Dispose to finish.
    private void Retired(SafeFileHandle file)
    {
        using (Gate())
        {
            if (_ringWrite?.File == file) { _ringWrite = null; }
            _retiring.Remove(file);
        }
        file.Dispose();
    }

    /// <summary>One write: the log's bytes up to <paramref name="End"/>, at <paramref name="FileOffset"/> of <paramref name="File"/>; the last ones of that file when <paramref name="EndsFile"/>.</summary>
    private readonly record struct Chunk(long End, ReadOnlyMemory<byte> Bytes, SafeFileHandle File, long FileOffset, bool EndsFile);

    // everysec: an FSYNC on the ring a second after the last, covering what is written by then.
    private void SyncIfDue(EventLoop loop)
    {
        // First without the gate, since nearly every batch comes here within the second.
        if (_fsync != AofFsync.EverySecond || Stopwatch.GetTimestamp() - Volatile.Read(ref _lastSync) < SecondTicks) { return; }
        long target;
        SafeFileHandle file;
        using (Gate())
        {
            if (_syncInFlight || _stopped || Failure is not null || _written <= _durable
                || Stopwatch.GetTimestamp() - _lastSync < SecondTicks) { return; }
            (_syncInFlight, target, file) = (true, _written, _file);
        }
        loop.WriteFile(file, 0, ReadOnlyMemory<byte>.Empty, sync: true, result =>
        {
            using (Gate()) { _syncInFlight = false; }
            Written(target, synced: true, ErrorOf(result));
        });
    }

    // A write or sync is done (or failed): the waiters it covers are told (all of them, and every loop's request, on a
    // failure).
    private void Written(long end, bool synced, IOException? error)
    {
        List<Action<bool>>? done = null;
        using (Gate())
        {
            if (_stopped) { return; }
            if (error is not null) { Failure ??= error; }
            else
            {
                _written = Math.Max(_written, end);
                if (synced) { (_durable, _lastSync) = (Math.Max(_durable, end), Stopwatch.GetTimestamp()); }
            }
            var safe = Safe;
            _waiters.RemoveAll(waiter =>
            {
                if (waiter.Offset > safe && Failure is null) { return false; }
                (done ??= []).Add(waiter.Done);
                return true;
            });
            if (Failure is not null) { TakeRequests(ref done); }
        }
        if (done is not null) { foreach (var callback in done) { callback(Failure is null); } }
    }

    // Under the gate: where replies may go up to, written or (always) synced.
    private long Safe => _fsync == AofFsync.Always ? _durable : _written;

    // Under the gate: the loops' requests, answered once the log failed or stopped.
    private void TakeRequests(ref List<Action<bool>>? done)
    {
        foreach (var buffer in _buffers)
        {
            if (buffer.Request is not { } request) { continue; }
            (done ??= []).Add(request.Done);
            buffer.Request = null;
        }
    }

    private GateHold Gate()
    {
        var taken = false;
        _gate.Enter(ref taken);
        return new GateHold(this);
    }

    private readonly ref struct GateHold(AofLog log)
    {
        public void Dispose() => log._gate.Exit(useMemoryBarrier: false);
    }

    // A ring write's result: the bytes written, or a negative errno.
    private static IOException? ErrorOf(int result) => result >= 0 ? null : new IOException(Marshal.GetPInvokeErrorMessage(-result));

    private static IOException AsIOException(Exception e) => e as IOException ?? new IOException(e.Message, e);

    /// <summary>
    /// Calls <paramref name="done"/> (on whichever loop completes the write) with true once the calling thread's commands
    /// up to its <paramref name="number"/>th (<see cref="Appended"/>) may be acknowledged: merged and written, and with
    /// appendfsync always synced; false if the log failed first. Returns false, without calling, when they already may.
    /// One request per thread at a time.
    /// </summary>
    public bool WhenSafe(long number, Action<bool> done)
    {
        var buffer = Buffer();
        using (Gate())
        {
            if (Failure is null && !_stopped)
            {
                if (number > buffer.Emitted) { buffer.Request = (number, done); }
                else if (buffer.EmittedEnd <= Safe) { return false; }
                else { _waiters.Add((buffer.EmittedEnd, done)); }
                return true;
            }
        }
        done(Failure is null);
        return true;
    }

    /// <summary>
    /// The commands logged from now on go to <paramref name="next"/> (a rewrite's new incr file, created and named in the
    /// manifest already); those logged before end the current file, once every loop has handed them over. False when the
    /// log is stopped. Exclusive, so no command is logged meanwhile, and the ones after tick above this hold.
    /// </summary>
    public bool SwitchFile(SafeFileHandle next)
    {
        lock (_writeLock)
        {
            using (Gate()) { if (_stopped) { return false; } }
            _switches.Enqueue((_keyspace.ExclusiveClock, next));
            Interlocked.Increment(ref _switchesWaiting);
            return true;
        }
    }

    /// <summary>
    /// Merges every loop's records, writes and syncs what is left on the calling thread, then closes the file (a write
    /// still in the kernel keeps its descriptor until it completes; its bytes are written again here, to the same place,
    /// and an old file a rewrite left is synced too). The loops log nothing more: the keyspace no longer names this log.
    /// </summary>
    public void Dispose()
    {
        List<Action<bool>> done;
        lock (_writeLock)
        {
            using (Gate())
            {
                if (_stopped) { return; }
                _stopped = true;
                foreach (var buffer in _buffers) { if (buffer.TakeSegment() is { } segment) { _published.Add(segment); } }
            }
            IOException? failure = null;
            try
            {
                using (Gate())
                {
                    if (_ringWrite is { } write)
                    {
                        RandomAccess.Write(write.File, write.Bytes.Span, write.FileOffset);
                        if (write.EndsFile) { RandomAccess.FlushToDisk(write.File); }
                    }
                    foreach (var retiring in _retiring) { RandomAccess.FlushToDisk(retiring); }
                }
                WriteRest();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { failure = AsIOException(e); }
            using (Gate())
            {
                Failure ??= failure;
                List<Action<bool>>? requests = null;
                TakeRequests(ref requests);
                done = [.. _waiters.Select(waiter => waiter.Done), .. requests ?? []];
                _waiters.Clear();
            }
            _file.Dispose();
            _switch?.File.Dispose(); // files a failed write did not reach
            foreach (var (_, file) in _switches) { file.Dispose(); }
        }
        foreach (var callback in done) { callback(Failure is null); }
    }

    // Under the write lock, once the loops log no more: every record merged and written on this thread, across the
    // rewrites' switches (each old file synced before the next), and the last file synced.
    private void WriteRest()
    {
        do
        {
            Merge(all: true);
            var rest = _pending.WrittenMemory;
            if (_switch is { } next)
            {
                var old = (int)(next.At - _flushed);
                RandomAccess.Write(_file, rest.Span[..old], _flushed - _fileStart);
                RandomAccess.FlushToDisk(_file);
                _file.Dispose();
                (_file, _fileStart, _flushed, _switch, rest) = (next.File, next.At, next.At, null, rest[old..]);
            }
            RandomAccess.Write(_file, rest.Span, _flushed - _fileStart);
            _flushed += rest.Length;
            _pending.ResetWrittenCount();
        }
        while (_switches.Count > 0);
        RandomAccess.FlushToDisk(_file);
    }
}
