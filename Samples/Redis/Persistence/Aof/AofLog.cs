using System.Buffers;
using System.Diagnostics;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Store;
using Microsoft.Win32.SafeHandles;

namespace Loop.Samples.Redis.Persistence;

/// <summary>Redis's appendfsync: when the log's writes are synced to disk.</summary>
internal enum AofFsync { Always, EverySecond, No }

/// <summary>
/// The commands the keyspace's changes are logged as, on their way to the current incr file. The loops append (holding
/// the keys a command changes, so conflicting commands are logged in the order they ran) and, after each batch and
/// before its replies leave, write what has gathered (<see cref="WritePending"/>: one write to the page cache, as Redis
/// writes in its event loop before replying), so a crash of the process loses nothing acknowledged. A thread of its own
/// syncs: once a second (everysec), for whoever waits (always: one fsync covers every batch waiting, a group commit, and
/// the loops hold those replies meanwhile, never waiting for the disk), or never (no). Offsets count the bytes ever
/// appended.
/// </summary>
internal sealed class AofLog : ICommandLog, IDisposable
{
    private static readonly long SecondTicks = Stopwatch.Frequency;
    private static readonly byte[] Multi = "MULTI"u8.ToArray(), Exec = "EXEC"u8.ToArray();

    private readonly object _gate = new(), _writing = new();
    private readonly Thread _syncer;
    private readonly List<(long Offset, Action<bool> Done)> _waiters = [];
    private ArrayBufferWriter<byte> _pending = new(1 << 16), _spare = new(1 << 16);
    private volatile AofFsync _fsync;
    private SafeFileHandle _file;
    private long _fileStart; // the log offset where the current file begins
    private long _flushed, _written, _durable, _lastSync;
    private int _selectedDb = -1;
    private bool _inTransaction, _multiWritten, _syncerIdle, _stopped;
    private (long At, Func<SafeFileHandle> Open)? _switch;

    /// <summary>Logs into <paramref name="file"/> (empty, new) and starts the thread that syncs it.</summary>
    public AofLog(AofFsync fsync, SafeFileHandle file)
    {
        _fsync = fsync;
        _file = file;
        _lastSync = Stopwatch.GetTimestamp();
        _syncer = new Thread(SyncLoop) { IsBackground = true, Name = "loop-redis aof fsync" };
        _syncer.Start();
    }

    /// <summary>The policy; CONFIG SET appendfsync changes it from the next write on.</summary>
    public AofFsync Fsync
    {
        get => _fsync;
        set => _fsync = value;
    }

    /// <summary>The first write or sync error, after which nothing more is written; null while all is well.</summary>
    public IOException? Failure { get; private set; }

    /// <summary>Bytes appended so far.</summary>
    public long Appended
    {
        get { lock (_gate) { return _flushed + _pending.WrittenCount; } }
    }

    /// <summary>Logs a command as it was received; returns the offset where it ends.</summary>
    public long Append(int db, RespCommand command)
    {
        lock (_gate)
        {
            BeforeCommand(db);
            AofCommandWriter.Command(_pending, command);
            return _flushed + _pending.WrittenCount;
        }
    }

    /// <summary>Logs a command from its arguments; returns the offset where it ends.</summary>
    public long Append(int db, params ReadOnlySpan<byte[]> arguments)
    {
        lock (_gate)
        {
            BeforeCommand(db);
            AofCommandWriter.Command(_pending, arguments);
            return _flushed + _pending.WrittenCount;
        }
    }

    void ICommandLog.Append(int db, params ReadOnlySpan<byte[]> arguments) => Append(db, arguments);

    /// <summary>EXEC starts: what it logs is wrapped in MULTI and EXEC, so a crash cannot keep half of it. Exclusive.</summary>
    public void BeginTransaction()
    {
        lock (_gate) { (_inTransaction, _multiWritten) = (true, false); }
    }

    /// <summary>EXEC is done; returns the offset where the log ends.</summary>
    public long EndTransaction()
    {
        lock (_gate)
        {
            _inTransaction = false;
            if (_multiWritten) { AofCommandWriter.Command(_pending, [Exec]); }
            return _flushed + _pending.WrittenCount;
        }
    }

    private void BeforeCommand(int db)
    {
        if (_inTransaction && !_multiWritten)
        {
            AofCommandWriter.Command(_pending, [Multi]);
            _multiWritten = true;
        }
        if (db == _selectedDb) { return; }
        AofCommandWriter.Select(_pending, db);
        _selectedDb = db;
    }

    /// <summary>
    /// Writes what has gathered to the kernel (and switches files where a rewrite said to). A loop calls it after each
    /// batch, before the batch's replies are sent; one that finds another loop writing waits for it, since that write
    /// may hold its commands.
    /// </summary>
    public void WritePending()
    {
        lock (_writing)
        {
            long start, end;
            (long At, Func<SafeFileHandle> Open)? change;
            lock (_gate)
            {
                if (_pending.WrittenCount == 0 && _switch is null) { return; }
                (_spare, _pending) = (_pending, _spare);
                start = _flushed;
                end = _flushed += _spare.WrittenCount;
                change = _switch is { } s && s.At <= end ? s : null;
                if (change is not null) { _switch = null; }
            }
            try
            {
                if (Failure is null) { Write(start, change); }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fail(e as IOException ?? new IOException(e.Message, e));
            }
            _spare.ResetWrittenCount();
            lock (_gate)
            {
                _written = end;
                if (_waiters.Count > 0 && _syncerIdle) { Monitor.Pulse(_gate); }
            }
        }
    }

    private void Write(long start, (long At, Func<SafeFileHandle> Open)? change)
    {
        var bytes = _spare.WrittenSpan;
        if (change is { } next)
        {
            var before = (int)(next.At - start);
            RandomAccess.Write(_file, bytes[..before], start - _fileStart);
            Sync(_file);
            var old = _file;
            var opened = next.Open();
            lock (_gate) { (_file, _fileStart) = (opened, next.At); }
            old.Dispose();
            bytes = bytes[before..];
            start = next.At;
        }
        RandomAccess.Write(_file, bytes, start - _fileStart);
    }

    /// <summary>
    /// Calls <paramref name="done"/> (on the syncing thread) with true once the commands up to <paramref name="offset"/>
    /// are on disk, or false if the log failed first. Returns false, without calling, when they already are.
    /// </summary>
    public bool WhenSynced(long offset, Action<bool> done)
    {
        lock (_gate)
        {
            if (offset <= _durable) { return false; }
            if (Failure is null)
            {
                _waiters.Add((offset, done));
                if (_syncerIdle) { Monitor.Pulse(_gate); }
                return true;
            }
        }
        done(false);
        return true;
    }

    /// <summary>
    /// From the current end of the log on, commands go to the file <paramref name="open"/> makes (a rewrite's new incr
    /// file); the ones before end the current file. Exclusive, so no command is logged meanwhile.
    /// </summary>
    public void SwitchFile(Func<SafeFileHandle> open)
    {
        lock (_gate)
        {
            _switch = (_flushed + _pending.WrittenCount, open);
            _selectedDb = -1; // Redis starts each incr file with a SELECT
        }
    }

    /// <summary>Writes and syncs what is left, then stops the syncing thread and closes the file.</summary>
    public void Dispose()
    {
        WritePending();
        lock (_gate)
        {
            _stopped = true;
            Monitor.Pulse(_gate);
        }
        _syncer.Join();
        lock (_gate) { _file.Dispose(); }
    }

    // Syncs once a second (everysec) or when someone waits (always), and a last time when stopped.
    private void SyncLoop()
    {
        List<Action<bool>> done = [];
        while (true)
        {
            long target;
            bool stopped;
            lock (_gate)
            {
                while (!_stopped && !(_written > _durable && (_waiters.Count > 0 || EverySecondDue())))
                {
                    _syncerIdle = true;
                    Monitor.Wait(_gate, _fsync == AofFsync.EverySecond ? 1000 : Timeout.Infinite);
                    _syncerIdle = false;
                }
                (target, stopped) = (_written, _stopped);
            }
            if (Failure is null && target > _durable)
            {
                try { SyncCurrentFile(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Fail(e as IOException ?? new IOException(e.Message, e)); }
            }
            lock (_gate)
            {
                if (Failure is null)
                {
                    _durable = Math.Max(_durable, target);
                    _lastSync = Stopwatch.GetTimestamp();
                }
                _waiters.RemoveAll(waiter =>
                {
                    if (waiter.Offset > _durable && Failure is null) { return false; }
                    done.Add(waiter.Done);
                    return true;
                });
            }
            foreach (var callback in done) { callback(Failure is null); }
            done.Clear();
            if (stopped) { return; }
        }
    }

    private bool EverySecondDue() => _fsync == AofFsync.EverySecond && Stopwatch.GetTimestamp() - _lastSync >= SecondTicks;

    private static void Sync(SafeFileHandle file) => RandomAccess.FlushToDisk(file);

    // A switch may close the file being synced: the old one was synced before it closed, so the new one is synced.
    private void SyncCurrentFile()
    {
        while (true)
        {
            SafeFileHandle file;
            lock (_gate) { file = _file; }
            try
            {
                Sync(file);
                return;
            }
            catch (ObjectDisposedException) { }
        }
    }

    private void Fail(IOException error)
    {
        lock (_gate) { Failure ??= error; }
    }
}
