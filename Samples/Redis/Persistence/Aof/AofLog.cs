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
/// The commands the keyspace's changes are logged as, on their way to the current incr file. The loops append (holding
/// the keys a command changes, so conflicting commands are logged in the order they ran). After a batch a loop starts
/// writing what has gathered (<see cref="WritePending"/>) through its own ring (<see cref="EventLoop.WriteFile"/>: an
/// io_uring WRITE, with an FSYNC linked behind it when due): one write at a time for all loops, so the file never has a
/// hole a crash could keep, and whatever gathers meanwhile goes in the next, started once the write is done (a group
/// commit; the next FSYNC overlaps the last, each covering what was written before it). Replies wait for <see cref="WhenSafe"/>: their commands written (everysec, no: a crash of the process loses
/// nothing acknowledged, as Redis writes before it replies) or synced (always). everysec syncs once a second. No loop
/// ever waits for the disk.
/// </summary>
internal sealed class AofLog : ICommandLog, IDisposable
{
    private static readonly long SecondTicks = Stopwatch.Frequency;

    // Taken for every logged command: a spin lock costs one atomic where Lock costs two (it is held for a copy).
    private SpinLock _gate = new(enableThreadOwnerTracking: false);
    private readonly Lock _writeLock = new();
    private readonly List<(long Offset, Action<bool> Done)> _waiters = [];
    private ArrayBufferWriter<byte> _pending = new(1 << 16), _writing = new(1 << 16);
    private volatile AofFsync _fsync;
    private SafeFileHandle _file;
    private long _fileStart; // the log offset where the current file begins
    private long _flushed, _written, _durable, _lastSync;
    private readonly CommandFraming _framing = new();
    private bool _inFlight, _syncInFlight, _stopped;
    private Chunk? _ringWrite; // the ring write under way
    private readonly List<SafeFileHandle> _retiring = []; // old files whose last FSYNC is under way
    private (long At, SafeFileHandle File)? _switch;

    /// <summary>Logs into <paramref name="file"/> (empty, new).</summary>
    public AofLog(AofFsync fsync, SafeFileHandle file)
    {
        _fsync = fsync;
        _file = file;
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

    public long Appended
    {
        get { using (Gate()) { return _flushed + _pending.WrittenCount; } }
    }

    public long Append(int db, RespCommand command)
    {
        using (Gate())
        {
            AofCommandWriter.Command(_framing.BeforeCommand(_pending, db), command);
            return _flushed + _pending.WrittenCount + _framing.HeldBytes;
        }
    }

    public long Append(int db, params ReadOnlySpan<byte[]> arguments)
    {
        using (Gate())
        {
            AofCommandWriter.Command(_framing.BeforeCommand(_pending, db), arguments);
            return _flushed + _pending.WrittenCount + _framing.HeldBytes;
        }
    }

    /// <summary>EXEC starts: what it logs is wrapped in MULTI and EXEC (when it is two commands or more), so a crash cannot keep half of it.</summary>
    public void BeginTransaction()
    {
        using (Gate()) { _framing.BeginTransaction(); }
    }

    public long EndTransaction()
    {
        using (Gate())
        {
            _framing.EndTransaction(_pending);
            return _flushed + _pending.WrittenCount;
        }
    }

    /// <summary>
    /// After a batch, before its replies leave: with appendfsync always, starts writing what has gathered as an io_uring
    /// WRITE with an FSYNC linked behind it on <paramref name="loop"/>'s ring, unless a write is under way (once it is
    /// written, it starts the next: a group commit); otherwise writes it at once, a page-cache write as Redis makes in its event
    /// loop (a loop that finds another writing waits for it, since that write may hold its commands), and with everysec
    /// starts an FSYNC on the ring once a second. A rewrite's switch to a new file is made here. Loop thread only.
    /// </summary>
    public void WritePending(EventLoop loop)
    {
        if (_fsync == AofFsync.Always)
        {
            WriteThroughRing(loop);
            return;
        }
        Chunk chunk;
        lock (_writeLock)
        {
            if (Take(ring: false) is not { } taken) { return; }
            chunk = taken;
            try
            {
                RandomAccess.Write(chunk.File, chunk.Bytes.Span, chunk.FileOffset);
                Written(chunk.End, synced: false, error: null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Written(chunk.End, synced: false, AsIOException(e)); }
        }
        if (!chunk.EndsFile)
        {
            SyncIfDue(loop);
            return;
        }
        // The old file is complete: synced on the ring (the periodic FSYNC goes to the new one now) and then closed,
        // while what followed it is written to the new file.
        using (Gate()) { _retiring.Add(chunk.File); }
        loop.WriteFile(chunk.File, 0, ReadOnlyMemory<byte>.Empty, sync: true, result =>
        {
            Retired(chunk.File);
            Written(chunk.End, synced: true, ErrorOf(result));
        });
        WritePending(loop);
    }

    private void WriteThroughRing(EventLoop loop)
    {
        Chunk chunk;
        lock (_writeLock)
        {
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
            WritePending(loop);
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

    // Takes what has gathered for one write, or null when there is nothing to write, a ring write is under way, or the
    // log is stopped or failed. Where a rewrite switches files, the write ends the old file and what follows waits for
    // the next one, into the new file.
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
        long target;
        SafeFileHandle file;
        using (Gate())
        {
            if (_fsync != AofFsync.EverySecond || _syncInFlight || _stopped || Failure is not null || _written <= _durable
                || Stopwatch.GetTimestamp() - _lastSync < SecondTicks) { return; }
            (_syncInFlight, target, file) = (true, _written, _file);
        }
        loop.WriteFile(file, 0, ReadOnlyMemory<byte>.Empty, sync: true, result =>
        {
            using (Gate()) { _syncInFlight = false; }
            Written(target, synced: true, ErrorOf(result));
        });
    }

    // A write or sync is done (or failed): the waiters it covers are told.
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
            var safe = _fsync == AofFsync.Always ? _durable : _written;
            _waiters.RemoveAll(waiter =>
            {
                if (waiter.Offset > safe && Failure is null) { return false; }
                (done ??= []).Add(waiter.Done);
                return true;
            });
        }
        if (done is not null) { foreach (var callback in done) { callback(Failure is null); } }
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
    /// Calls <paramref name="done"/> (on whichever loop completes the write) with true once the commands up to
    /// <paramref name="offset"/> may be acknowledged: written, and with appendfsync always synced; false if the log
    /// failed first. Returns false, without calling, when they already may.
    /// </summary>
    public bool WhenSafe(long offset, Action<bool> done)
    {
        using (Gate())
        {
            if (offset <= (_fsync == AofFsync.Always ? _durable : _written)) { return false; }
            if (Failure is null && !_stopped)
            {
                _waiters.Add((offset, done));
                return true;
            }
        }
        done(Failure is null);
        return true;
    }

    /// <summary>
    /// From the current end of the log on, commands go to <paramref name="next"/> (a rewrite's new incr file, created
    /// and named in the manifest already); the ones before end the current file. False when the log is stopped.
    /// Exclusive, so no command is logged meanwhile.
    /// </summary>
    public bool SwitchFile(SafeFileHandle next)
    {
        using (Gate())
        {
            if (_stopped) { return false; }
            _switch = (_flushed + _pending.WrittenCount, next);
            _framing.SelectAgain(); // Redis starts each incr file with a SELECT
            return true;
        }
    }

    /// <summary>
    /// Writes and syncs what is left on the calling thread, then closes the file (a write still in the kernel keeps its
    /// descriptor until it completes; its bytes are written again here, to the same place, and an old file a rewrite
    /// left is synced too).
    /// </summary>
    public void Dispose()
    {
        List<Action<bool>> done;
        lock (_writeLock)
        using (Gate())
        {
            if (_stopped) { return; }
            _stopped = true;
            try
            {
                if (_ringWrite is { } write)
                {
                    RandomAccess.Write(write.File, write.Bytes.Span, write.FileOffset);
                    if (write.EndsFile) { RandomAccess.FlushToDisk(write.File); }
                }
                foreach (var retiring in _retiring) { RandomAccess.FlushToDisk(retiring); }
                RandomAccess.Write(_file, _pending.WrittenSpan, _flushed - _fileStart);
                RandomAccess.FlushToDisk(_file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Failure ??= e as IOException ?? new IOException(e.Message, e);
            }
            done = [.. _waiters.Select(waiter => waiter.Done)];
            _waiters.Clear();
            _file.Dispose();
            _switch?.File.Dispose();
        }
        foreach (var callback in done) { callback(Failure is null); }
    }
}
