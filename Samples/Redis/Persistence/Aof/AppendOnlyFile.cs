using System.Buffers;
using System.Diagnostics;
using Loop.Samples.Redis.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Redis 7.0's append-only file: a directory (appenddirname) with a manifest, a base (an RDB snapshot) and incr files of
/// commands (see <see cref="AofLog"/>). At startup the files are loaded and then rewritten: a new base of what was loaded
/// and an empty incr file replace them, so a truncated tail or an old-style file is dealt with once. BGREWRITEAOF (and
/// CONFIG SET appendonly yes) switches the log to a new incr file and writes the base from a <see cref="Snapshot"/> taken
/// at the same instant, without stopping the loops. The manifest is replaced atomically (temp file, fsync, rename) and
/// names only complete files, and old files are deleted only after it: a crash at any point leaves a loadable directory.
/// </summary>
internal sealed class AppendOnlyFile
{
    private readonly RedisServer _server;
    private readonly object _gate = new();
    private AofLog? _log;
    private long _baseSequence, _incrSequence;
    private List<AofFileInfo> _incrs = [];
    private AofFileInfo? _base;
    // The files a directory's manifest named when a rewrite began with appendonly off: deleted once its base is named.
    private List<AofFileInfo> _superseded = [];
    private bool _rewriting;
    private long _rewriteStartedMs;
    // The current base's size, and the log offset where the incr file after it began (and the next one's, mid-rewrite).
    private long _baseSize, _incrStart, _nextIncrStart;

    public AppendOnlyFile(RedisServer server)
    {
        _server = server;
        server.Config.Apply += Apply;
        server.Persistence.SaveFinished += () =>
        {
            if (TakeSchedule()) { Rewrite(); }
        };
    }

    /// <summary>The log commands go to, or null when appendonly is no.</summary>
    public AofLog? Log => _log;

    /// <summary>Whether files go through io_uring.</summary>
    public bool UseIoUring { get; set; }

    public bool RewriteInProgress
    {
        get { lock (_gate) { return _rewriting; } }
    }

    public long CurrentRewriteSeconds
    {
        get { lock (_gate) { return _rewriting ? (Store.Clock.NowMs - _rewriteStartedMs) / 1000 : -1; } }
    }

    public long LastRewriteSeconds { get; private set; } = -1;
    public bool LastRewriteOk { get; private set; } = true;
    public long Rewrites { get; private set; }

    private string Dir => _server.Config.Get("dir");
    private string FileName => _server.Config.Get("appendfilename");
    private string Directory => Path.Combine(Dir, _server.Config.Get("appenddirname"));

    private AofFsync Fsync => _server.Config.Get("appendfsync") switch { "always" => AofFsync.Always, "no" => AofFsync.No, _ => AofFsync.EverySecond };

    /// <summary>
    /// At startup with appendonly yes: loads the append-only file (or dump.rdb when there is none), then rewrites it and
    /// starts logging. Returns what to log; a truncated last command is logged as a warning. Throws <see cref="AofFormatException"/>
    /// and the RDB loader's exceptions.
    /// </summary>
    public string Start()
    {
        var started = Stopwatch.GetTimestamp();
        var keyspace = _server.Keyspace;
        var loader = new KeyspaceLoader(keyspace, _server.Scripting.RestoreLibrary, keepExpired: true);
        var replay = new AofReplay(_server);
        AofLoadResult loaded;
        using (keyspace.Lock.Exclusive())
        {
            keyspace.ExpiryPaused = true;
            try
            {
                loaded = AofLoader.Load(Dir, _server.Config.Get("appenddirname"), FileName, loader, replay,
                    _server.Config.Get("aof-load-truncated") == "yes");
            }
            finally { keyspace.ExpiryPaused = false; }
        }
        string message;
        if (loaded.Manifest is null)
        {
            message = _server.Persistence.Load() ?? "No append-only file yet: starting empty";
        }
        else
        {
            _baseSequence = loaded.Manifest.Base?.Sequence ?? 0;
            _incrSequence = loaded.Manifest.Incrs.Count > 0 ? loaded.Manifest.Incrs[^1].Sequence : 0;
            message = $"DB loaded from append only file: {Stopwatch.GetElapsedTime(started).TotalSeconds:F3} seconds ({loader.Loaded} keys, {replay.Commands} commands)";
            if (loaded.Truncated is { } truncated)
            {
                _server.Log.LogWarning("!!! Warning: short read while loading the AOF file {Path}!!! AOF loaded anyway because aof-load-truncated is enabled (the commands up to byte offset {ValidUpTo})",
                    truncated.Path, truncated.ValidUpTo);
            }
        }
        // The loaded files give way to a base of what they held and an empty incr file: written before the manifest
        // names them, the old files deleted after.
        var old = FilesOf(loaded);
        System.IO.Directory.CreateDirectory(Directory);
        using (keyspace.Lock.Exclusive())
        {
            var (baseFile, size) = WriteBase(BaseSnapshot());
            lock (_gate) { (_base, _incrs, _baseSize, _incrStart) = (baseFile, [], size, 0); }
            var incr = NextIncr();
            var file = CreateIncr(incr);
            NameIncr(incr, file);
            _log = new AofLog(Fsync, file, keyspace.Lock);
            keyspace.Log = _log;
        }
        foreach (var file in old) { TryDelete(Path.Combine(Directory, file.Name)); }
        if (loaded.FromOldStyleFile) { TryDelete(Path.Combine(Dir, FileName)); }
        return message;
    }

    /// <summary>The append-only file's size: its base and the commands logged since (INFO aof_current_size); 0 when off.</summary>
    public long CurrentSize
    {
        get { lock (_gate) { return _log is { } log ? _baseSize + log.Size - _incrStart : 0; } }
    }

    /// <summary>The base's size at the last rewrite (INFO aof_base_size).</summary>
    public long BaseSize
    {
        get { lock (_gate) { return _log is null ? 0 : _baseSize; } }
    }

    /// <summary>
    /// Starts a rewrite when the file has grown auto-aof-rewrite-percentage past its base and is at least
    /// auto-aof-rewrite-min-size, as Redis's serverCron does; the loops ask every second.
    /// </summary>
    public void RewriteIfGrown()
    {
        var percentage = _server.Config.GetNumber("auto-aof-rewrite-percentage");
        if (_log is null || percentage == 0 || RewriteInProgress || RewriteScheduled) { return; }
        var (current, baseSize) = (CurrentSize, Math.Max(BaseSize, 1));
        if (current < _server.Config.GetNumber("auto-aof-rewrite-min-size") || current * 100 / baseSize - 100 < percentage) { return; }
        _server.Log.LogInformation("Starting automatic rewriting of AOF on {Growth}% growth", current * 100 / baseSize - 100);
        Rewrite();
    }

    /// <summary>A BGREWRITEAOF waits for a BGSAVE to finish (INFO aof_rewrite_scheduled).</summary>
    public bool RewriteScheduled { get; private set; }

    private bool TakeSchedule()
    {
        lock (_gate)
        {
            var scheduled = RewriteScheduled;
            RewriteScheduled = false;
            return scheduled;
        }
    }

    /// <summary>BGREWRITEAOF: null when started or scheduled (<see cref="RewriteScheduled"/>), else the error reply.</summary>
    public string? Rewrite()
    {
        if (ClaimRewrite() is { } refused) { return refused == "" ? null : refused; }
        if (_log is not { } log) { return RewriteWhileOff(); }
        if (!TryCreateIncr(out var incr, out var file, out var error))
        {
            _server.Log.LogWarning("Background AOF rewrite failed: {Error}", error);
            lock (_gate) { LastRewriteOk = false; }
            return "ERR Background append only file rewriting failed";
        }
        // Naming the incr file in the manifest takes two syncs, which Redis makes in its main thread: here the rewrite's
        // thread makes them before it moves the log there, so no loop waits for the disk. A log turned off meanwhile
        // leaves the rewrite's files unused.
        StartRewriteThread(incr, () =>
        {
            NameIncr(incr, file);
            return Begin(file, next =>
            {
                if (!log.SwitchFile(next)) { next.Dispose(); }
                return log;
            });
        });
        return null;
    }

    // The rewrite's turn: null when claimed, "" when it waits for a BGSAVE (as Redis, it starts once that is done), else
    // the error reply.
    private string? ClaimRewrite()
    {
        lock (_gate)
        {
            if (_rewriting) { return "ERR Background append only file rewriting already in progress"; }
            if (!_server.Persistence.TryClaimSnapshot())
            {
                RewriteScheduled = true;
                return "";
            }
            _rewriting = true;
            _rewriteStartedMs = Store.Clock.NowMs;
            return null;
        }
    }

    // BGREWRITEAOF with appendonly off, as Redis: a base of this instant, which the manifest then names alone; the files
    // it named before are deleted. Nothing is logged.
    private string? RewriteWhileOff()
    {
        try { AdoptDirectory(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or AofFormatException)
        {
            _server.Log.LogWarning("Background AOF rewrite failed: {Error}", e.Message);
            lock (_gate) { _rewriting = false; }
            _server.Persistence.ReleaseSnapshot();
            return "ERR Background append only file rewriting failed";
        }
        StartRewriteThread(null, () =>
        {
            using (_server.Keyspace.Lock.Exclusive()) { return BaseSnapshot(); }
        });
        return null;
    }

    // A rewrite's next incr file, created on the caller's thread, so a directory that cannot take it fails the command as
    // in Redis; the rewrite, claimed and marked by the caller, then ends before it began, its snapshot released.
    private bool TryCreateIncr(out AofFileInfo incr, out SafeFileHandle file, out string error)
    {
        incr = NextIncr();
        try
        {
            file = CreateIncr(incr);
            error = "";
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            (file, error) = (null!, e.Message);
            lock (_gate) { _rewriting = false; }
            _server.Persistence.ReleaseSnapshot();
            return false;
        }
    }

    // In one exclusive hold: the log moves to the new incr file (or starts in it), and the snapshot of that instant is
    // taken, for the base.
    private Snapshot Begin(SafeFileHandle incrFile, Func<SafeFileHandle, AofLog> startIncr)
    {
        using (_server.Keyspace.Lock.Exclusive())
        {
            _nextIncrStart = startIncr(incrFile).Size; // about: the loops may still hand over commands for the old file
            return BaseSnapshot();
        }
    }

    private void StartRewriteThread(AofFileInfo? incr, Func<Snapshot> begin)
    {
        _server.Log.LogInformation("Background append only file rewriting started");
        new Thread(() => FinishRewrite(begin, incr)) { IsBackground = true, Name = "loop-redis aof rewrite" }.Start();
    }

    // CONFIG SET appendonly and appendfsync, in effect at once.
    private string? Apply(string name, string value)
    {
        switch (name)
        {
            case "appendonly" when value == "yes": return Enable();
            case "appendonly": Stop(); return null;
            case "appendfsync" when _log is { } log: log.Fsync = value == "always" ? AofFsync.Always : value == "no" ? AofFsync.No : AofFsync.EverySecond; return null;
            default: return null;
        }
    }

    /// <summary>
    /// CONFIG SET appendonly yes: commands are logged from now on into a new incr file, and a rewrite writes the base
    /// of this instant; the manifest names them once the base is in place, as Redis waits for its first rewrite.
    /// </summary>
    private string? Enable()
    {
        if (_log is not null) { return null; }
        if (!_server.Persistence.TryClaimSnapshot()) { return "a background save is in progress; try again once it is done"; }
        try { AdoptDirectory(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or AofFormatException)
        {
            _server.Persistence.ReleaseSnapshot();
            return e.Message;
        }
        lock (_gate)
        {
            _rewriting = true;
            _rewriteStartedMs = Store.Clock.NowMs;
        }
        if (!TryCreateIncr(out var incr, out var file, out var error)) { return error; }
        // Logging starts before CONFIG SET answers; with no base yet, naming the incr file writes no manifest.
        NameIncr(incr, file);
        var snapshot = Begin(file, next =>
        {
            _server.Keyspace.Log = _log = new AofLog(Fsync, next, _server.Keyspace.Lock);
            return _log;
        });
        StartRewriteThread(incr, () => snapshot);
        return null;
    }

    // A rewrite begun with appendonly off starts from what the directory holds: its new files take the next numbers, so
    // none is overwritten, and the files the manifest names are the ones it supersedes.
    private void AdoptDirectory()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, AofFileNames.Manifest(FileName));
        var manifest = File.Exists(path) ? AofManifest.Load(path) : null;
        List<AofFileInfo> files = manifest is null ? [] : [.. manifest.History, .. manifest.Incrs, .. manifest.Base is { } b ? [b] : Array.Empty<AofFileInfo>()];
        lock (_gate)
        {
            _baseSequence = Math.Max(_baseSequence, files.Where(f => f.Name.Contains(".base.")).Select(f => f.Sequence).DefaultIfEmpty().Max());
            _incrSequence = Math.Max(_incrSequence, files.Where(f => f.Type == AofFileType.Incr || f.Name.Contains(".incr.")).Select(f => f.Sequence).DefaultIfEmpty().Max());
            (_base, _incrs, _superseded) = (null, [], files);
        }
    }

    /// <summary>SHUTDOWN and SIGTERM: the last commands are written and synced.</summary>
    public void Stop()
    {
        if (_log is not { } log) { return; }
        using (_server.Keyspace.Lock.Exclusive()) { _server.Keyspace.Log = null; }
        log.Dispose();
        _log = null;
    }

    private static List<AofFileInfo> FilesOf(AofLoadResult loaded) => loaded.Manifest is not { } manifest || loaded.FromOldStyleFile
        ? []
        : [.. manifest.History, .. manifest.Base is { } baseFile ? [baseFile] : Array.Empty<AofFileInfo>(), .. manifest.Incrs];

    private AofFileInfo NextIncr()
    {
        lock (_gate) { return new AofFileInfo(AofFileNames.Incr(FileName, ++_incrSequence), _incrSequence, AofFileType.Incr); }
    }

    private SafeFileHandle CreateIncr(AofFileInfo incr) =>
        File.OpenHandle(Path.Combine(Directory, incr.Name), FileMode.Create, FileAccess.Write, FileShare.Read);

    // A manifest naming the new incr file after the current files, before the log writes to it: when the log starts, and
    // where a rewrite switches it. A log started by a rewrite (CONFIG SET appendonly yes) has no base yet, and the base
    // names it. When the manifest cannot be written, the file is closed and deleted.
    private void NameIncr(AofFileInfo incr, SafeFileHandle file)
    {
        AofManifest manifest;
        lock (_gate)
        {
            _incrs = [.. _incrs, incr];
            if (_base is null) { return; }
            manifest = Manifest();
        }
        try { WriteManifest(manifest); }
        catch
        {
            lock (_gate) { _incrs = [.. _incrs.Where(f => f != incr)]; }
            file.Dispose();
            TryDelete(Path.Combine(Directory, incr.Name));
            throw;
        }
    }

    // On the rewrite's thread: begins it (see Begin), then writes the base while the loops go on; once it is in place,
    // the manifest names it and the incr file started with it (none when appendonly is off), and the files before are
    // deleted.
    private void FinishRewrite(Func<Snapshot> begin, AofFileInfo? incr)
    {
        var started = Stopwatch.GetTimestamp();
        var ok = false;
        try
        {
            var (baseFile, size) = WriteBase(begin());
            List<AofFileInfo> old;
            AofManifest manifest;
            lock (_gate)
            {
                old = [.. _superseded, .. _base is { } previous ? [previous] : Array.Empty<AofFileInfo>(), .. _incrs.TakeWhile(f => f != incr)];
                (_base, _incrs, _superseded) = (baseFile, [.. _incrs.SkipWhile(f => f != incr)], []);
                (_baseSize, _incrStart) = (size, _nextIncrStart);
                manifest = Manifest();
            }
            WriteManifest(manifest);
            foreach (var file in old) { TryDelete(Path.Combine(Directory, file.Name)); }
            ok = true;
            _server.Log.LogInformation("Background AOF rewrite finished successfully");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _server.Log.LogWarning("Background AOF rewrite failed: {Error}", e.Message);
        }
        finally
        {
            lock (_gate)
            {
                _rewriting = false;
                LastRewriteOk = ok;
                LastRewriteSeconds = (long)Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (ok) { Rewrites++; }
            }
            _server.Persistence.ReleaseSnapshot();
        }
    }

    // aof-use-rdb-preamble: an RDB base (Redis's default), or commands.
    private SnapshotFormat BaseFormat => _server.Config.Get("aof-use-rdb-preamble") == "yes" ? SnapshotFormat.Rdb : SnapshotFormat.Commands;

    // What a base holds: the keyspace and the libraries at this instant. Taken under the exclusive hold.
    private Snapshot BaseSnapshot() => new(_server.Keyspace, BaseFormat, _server.Scripting.Functions.Codes);

    // The snapshot as the next base file: written as a temp file, synced, renamed into place.
    private (AofFileInfo File, long Size) WriteBase(Snapshot snapshot)
    {
        AofFileInfo baseFile;
        var rdbPreamble = snapshot.Format == SnapshotFormat.Rdb;
        lock (_gate) { baseFile = new AofFileInfo(AofFileNames.Base(FileName, ++_baseSequence, rdbPreamble), _baseSequence, AofFileType.Base); }
        var temp = Path.Combine(Directory, $"temp-rewriteaof-{Environment.ProcessId}.aof");
        try
        {
            long size;
            using (var file = DurableFile.Create(temp, UseIoUring))
            {
                snapshot.WriteTo(_server.Keyspace.Lock, file);
                file.Commit();
                size = file.Length;
            }
            DurableFile.Rename(temp, Path.Combine(Directory, baseFile.Name));
            return (baseFile, size);
        }
        catch
        {
            snapshot.Abandon(_server.Keyspace.Lock);
            TryDelete(temp);
            throw;
        }
    }

    // The files as they are now. Under _gate; written outside it (by one thread at a time: startup, then the rewrite's),
    // so a loop reading INFO's fields does not wait for its syncs.
    private AofManifest Manifest() => new(_base, [], _incrs);

    private void WriteManifest(AofManifest manifest)
    {
        var bytes = new ArrayBufferWriter<byte>();
        manifest.Write(bytes);
        var path = Path.Combine(Directory, AofFileNames.Manifest(FileName));
        var temp = path + ".tmp";
        using (var file = DurableFile.Create(temp, useIoUring: false))
        {
            file.Append(bytes.WrittenSpan);
            file.Commit();
        }
        DurableFile.Rename(temp, path);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
