using System.Buffers;
using System.Diagnostics;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Persistence;

/// <summary>Redis's appendfsync: when the log's writes are synced to disk.</summary>
internal enum AofFsync { Always, EverySecond, No }

/// <summary>
/// The commands the keyspace's changes are logged as, on their way to the current incr file. The loops append
/// (holding the keys a command changes, so conflicting commands are logged in the order they ran); a thread of
/// its own writes whatever has gathered as one write (an io_uring WRITE on its own ring) and, as appendfsync says,
/// syncs it with an FSYNC linked behind: every write (always: one fsync per batch of the loops' commands, a group
/// commit), once a second (everysec) or never (no). Offsets count the bytes ever appended; a command may be
/// acknowledged once <see cref="WhenSafe"/> says so, and the loops never wait for the disk.
/// </summary>
internal sealed class AofLog : ICommandLog, IDisposable
{
    private static readonly long SecondTicks = Stopwatch.Frequency;

    private readonly object _gate = new();
    private volatile AofFsync _fsync;
    private readonly Thread _thread;
    private readonly List<(long Offset, Action<bool> Done)> _waiters = [];
    private ArrayBufferWriter<byte> _pending = new(1 << 16), _writing = new(1 << 16);
    private Func<DurableFile> _openFile;
    private DurableFile? _file;
    private long _flushed, _written, _durable, _lastSync;
    private int _selectedDb = -1;
    private bool _inTransaction, _multiWritten, _writerIdle, _stopping;
    private (long At, Func<DurableFile> Open)? _switch;

    /// <summary>Starts the writer thread, which opens the first file with <paramref name="openFile"/> (a file on io_uring belongs to the thread that made it).</summary>
    public AofLog(AofFsync fsync, Func<DurableFile> openFile)
    {
        _fsync = fsync;
        _openFile = openFile;
        _thread = new Thread(WriteLoop) { IsBackground = true, Name = "loop-redis aof" };
        _thread.Start();
    }

    /// <summary>The policy; CONFIG SET appendfsync changes it from the next write on.</summary>
    public AofFsync Fsync
    {
        get => _fsync;
        set => _fsync = value;
    }

    /// <summary>The first write or sync error, after which the log takes nothing more; null while all is well.</summary>
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
            return AfterCommand();
        }
    }

    /// <summary>Logs a command from its arguments; returns the offset where it ends.</summary>
    public long Append(int db, params ReadOnlySpan<byte[]> arguments)
    {
        lock (_gate)
        {
            BeforeCommand(db);
            AofCommandWriter.Command(_pending, arguments);
            return AfterCommand();
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
            return AfterCommand();
        }
    }

    private static readonly byte[] Multi = "MULTI"u8.ToArray(), Exec = "EXEC"u8.ToArray();

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

    private long AfterCommand()
    {
        if (_writerIdle)
        {
            _writerIdle = false;
            Monitor.Pulse(_gate);
        }
        return _flushed + _pending.WrittenCount;
    }

    /// <summary>
    /// Calls <paramref name="done"/> (on the writer thread) with true once the commands up to <paramref name="offset"/>
    /// may be acknowledged, or false if the log failed first: synced to disk with appendfsync always, else written to
    /// the kernel (they survive a crash of the process, as Redis writes before it replies). Returns false, without
    /// calling, when they already may.
    /// </summary>
    public bool WhenSafe(long offset, Action<bool> done)
    {
        lock (_gate)
        {
            if (offset <= (_fsync == AofFsync.Always ? _durable : _written)) { return false; }
            if (Failure is null)
            {
                _waiters.Add((offset, done));
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
    public void SwitchFile(Func<DurableFile> open)
    {
        lock (_gate)
        {
            _switch = (_flushed + _pending.WrittenCount, open);
            _selectedDb = -1; // Redis starts each incr file with a SELECT
            AfterCommand();
        }
    }

    /// <summary>Writes and syncs what is left, then stops the writer and closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        _thread.Join();
    }

    private void WriteLoop()
    {
        List<Action<bool>> done = [];
        try { _file = _openFile(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Fail(new IOException(e.Message, e), done); }
        while (true)
        {
            long start, end;
            bool stopping;
            (long At, Func<DurableFile> Open)? next;
            lock (_gate)
            {
                while (_pending.WrittenCount == 0 && _switch is null && !_stopping && !SyncDue())
                {
                    _writerIdle = true;
                    Monitor.Wait(_gate, _fsync == AofFsync.EverySecond && _written > _durable ? 1000 : Timeout.Infinite);
                    _writerIdle = false;
                }
                (_writing, _pending) = (_pending, _writing);
                start = _flushed;
                end = _flushed += _writing.WrittenCount;
                stopping = _stopping;
                next = _switch is { } s && s.At <= end ? s : null;
                if (next is not null) { _switch = null; }
            }
            if (Failure is null) { Write(start, end, next, stopping, done); }
            _writing.ResetWrittenCount();
            foreach (var callback in done) { callback(Failure is null); }
            done.Clear();
            if (stopping) { break; }
        }
        _file?.Dispose();
    }

    private bool SyncDue() => _fsync == AofFsync.EverySecond && _written > _durable && Stopwatch.GetTimestamp() - _lastSync >= SecondTicks;

    private void Write(long start, long end, (long At, Func<DurableFile> Open)? next, bool stopping, List<Action<bool>> done)
    {
        try
        {
            var bytes = _writing.WrittenSpan;
            if (next is { } change)
            {
                var before = (int)(change.At - start);
                _file!.Append(bytes[..before]);
                _file.Commit();
                _file.Dispose();
                _file = null;
                _file = change.Open();
                bytes = bytes[before..];
            }
            _file!.Append(bytes);
            var sync = _fsync == AofFsync.Always || stopping || next is not null
                || (_fsync == AofFsync.EverySecond && Stopwatch.GetTimestamp() - _lastSync >= SecondTicks);
            if (sync) { _file.Commit(); } else { _file.Flush(); }
            lock (_gate)
            {
                _written = end;
                if (sync)
                {
                    _durable = end;
                    _lastSync = Stopwatch.GetTimestamp();
                }
                if (sync || _fsync != AofFsync.Always)
                {
                    _waiters.RemoveAll(waiter =>
                    {
                        if (waiter.Offset > end) { return false; }
                        done.Add(waiter.Done);
                        return true;
                    });
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(e as IOException ?? new IOException(e.Message, e), done);
        }
    }

    private void Fail(IOException error, List<Action<bool>> done)
    {
        lock (_gate)
        {
            Failure = error;
            done.AddRange(_waiters.Select(waiter => waiter.Done));
            _waiters.Clear();
        }
    }
}
