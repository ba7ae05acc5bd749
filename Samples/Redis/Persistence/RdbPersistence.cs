using System.Diagnostics;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using Microsoft.Extensions.Logging;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// RDB persistence as Redis has it: dump.rdb loaded at startup; SAVE (on the caller's loop, holding the keyspace, as
/// Redis blocks), BGSAVE (a <see cref="Snapshot"/> written by a thread of its own while the loops go on), save points
/// checked every second, the save at SHUTDOWN and SIGTERM, DEBUG RELOAD, and the state INFO persistence reports and
/// MISCONF refuses writes on. A file is written as temp-PID.rdb, fsynced and renamed over dump.rdb, so a crash at any
/// point leaves the previous file or the new one.
/// </summary>
internal sealed class RdbPersistence
{
    private readonly RedisServer _server;
    private readonly object _gate = new();
    private bool _inProgress, _lentOut, _scheduled; // a save runs, or the snapshot is lent to an AOF rewrite (and a BGSAVE waits)
    private long _changesAtLastSave, _changesInSnapshot, _lastAttemptMs, _startedMs;
    private volatile bool _refusesWrites;
    private volatile (long Seconds, long Changes)[] _savePoints = [];

    public RdbPersistence(RedisServer server)
    {
        _server = server;
        ReadSavePoints();
        server.Config.Changed += name =>
        {
            if (name == "save") { ReadSavePoints(); }
            if (name is "save" or "stop-writes-on-bgsave-error") { UpdateWriteRefusal(); }
        };
    }

    /// <summary>Whether files go through io_uring (the backend has it) or plain writes.</summary>
    public bool UseIoUring { get; set; }

    public long LastSaveUnix { get; private set; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    public bool LastBackgroundSaveOk { get; private set; } = true;
    public long LastBackgroundSaveSeconds { get; private set; } = -1;
    public long Saves { get; private set; }

    public bool InProgress
    {
        get { lock (_gate) { return _inProgress && !_lentOut; } }
    }

    /// <summary>Seconds the running BGSAVE has taken, or -1.</summary>
    public long CurrentSaveSeconds
    {
        get { lock (_gate) { return _inProgress && !_lentOut ? (Clock.NowMs - _startedMs) / 1000 : -1; } }
    }

    public long ChangesSinceLastSave => _server.Totals().Changes - Volatile.Read(ref _changesAtLastSave);

    /// <summary>MISCONF: the last background save failed, save points are set and stop-writes-on-bgsave-error is yes.</summary>
    public bool RefusesWrites => _refusesWrites;

    public const string MisconfError = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
        "Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if " +
        "RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

    private string FilePath => Path.Combine(_server.Config.Get("dir"), _server.Config.Get("dbfilename"));

    // Parsed once per CONFIG SET, not on each check: the check runs every second and allocates nothing.
    private void ReadSavePoints() =>
        _savePoints = RedisConfig.TryParseSavePoints(_server.Config.Get("save"), out var points) ? points : [];

    /// <summary>
    /// Loads dump.rdb when there is one and says what it loaded, or null without a file: before the server listens, or
    /// (DEBUG RELOAD) on <paramref name="loop"/>, which serves its clients meanwhile (<see cref="DatasetLoading"/>).
    /// Throws <see cref="RdbFormatException"/>, IOException or InvalidDataException.
    /// </summary>
    public string? Load(EventLoop? loop = null)
    {
        var path = FilePath;
        if (!File.Exists(path)) { return null; }
        var started = Stopwatch.GetTimestamp();
        var loader = new KeyspaceLoader(_server.Keyspace, _server.Scripting.RestoreLibrary) { KeyLoadDelayMicros = _server.Config.GetNumber("key-load-delay") };
        using (_server.Keyspace.Lock.Exclusive())
        using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        {
            DatasetLoading.Run(_server, input, loader, loop);
        }
        return $"DB loaded from disk: {Stopwatch.GetElapsedTime(started).TotalSeconds:F3} seconds ({loader.Loaded} keys, {loader.Expired} expired keys skipped)";
    }

    /// <summary>SAVE: writes the snapshot now, holding the whole keyspace. Null when saved, else the error reply.</summary>
    public string? Save()
    {
        if (Start() is { } refused) { return refused; }
        using (_server.Keyspace.Lock.Exclusive())
        {
            return Write(Begin(), background: false) ? null : "ERR";
        }
    }

    /// <summary>BGSAVE: marks the snapshot and hands it to a saver thread. Null when started, else the error reply.</summary>
    public string? BackgroundSave()
    {
        if (Start() is { } refused) { return refused; }
        Volatile.Write(ref _lastAttemptMs, _startedMs);
        Snapshot snapshot;
        using (_server.Keyspace.Lock.Exclusive()) { snapshot = Begin(); }
        _server.Log.LogInformation("Background saving started ({Keys} keys)", snapshot.Keys);
        new Thread(() => Write(snapshot, background: true)) { IsBackground = true, Name = "loop-redis bgsave" }.Start();
        return null;
    }

    /// <summary>SHUTDOWN has saved (or was told not to): the exit does not save again.</summary>
    public bool SavedForShutdown { get; set; }

    /// <summary>SHUTDOWN and SIGTERM: waits for a running save, then saves when asked to (null: when save points are set).</summary>
    public bool SaveForShutdown(bool? save)
    {
        if (save == false || (save is null && _savePoints.Length == 0)) { return true; }
        WaitUntilIdle();
        _server.Log.LogInformation("Saving the final RDB snapshot before exiting.");
        return Save() is null;
    }

    /// <summary>Waits until no save runs (a saver thread needs the stripes: call holding none).</summary>
    public void WaitUntilIdle()
    {
        lock (_gate)
        {
            while (_inProgress) { Monitor.Wait(_gate); }
        }
    }

    /// <summary>DEBUG RELOAD: saves, empties the keyspace and the function libraries and loads the file again. Null when done, else the error reply.</summary>
    public string? Reload(EventLoop? loop)
    {
        if (_server.Loading is not null) { return DatasetLoading.Error; } // DEBUG RELOAD taken in while a load serves

        if (Save() is { } error) { return error; }
        using (_server.Keyspace.Lock.Exclusive())
        {
            foreach (var db in _server.Keyspace.Databases) { db.Clear(); }
            _server.Scripting.Functions.Flush();
            try { Load(loop); }
            catch (Exception e) when (e is RdbFormatException or IOException or InvalidDataException) { return $"ERR Error trying to load the RDB dump: {e.Message}"; }
        }
        return null;
    }

    /// <summary>Checks the save points every second on <paramref name="loop"/>, starting a BGSAVE when one is reached.</summary>
    public void StartSavePoints(EventLoop loop) => loop.Post(() => loop.Every(TimeSpan.FromSeconds(1), CheckSavePoints));

    private void CheckSavePoints()
    {
        var savePoints = _savePoints;
        if (savePoints.Length == 0) { return; }
        var now = Clock.NowMs;
        var changes = ChangesSinceLastSave;
        var elapsed = now / 1000 - LastSaveUnix;
        // As Redis: after a failed save, try again only after 5 seconds.
        var mayTry = LastBackgroundSaveOk || now - Volatile.Read(ref _lastAttemptMs) > 5000;
        foreach (var (seconds, needed) in savePoints)
        {
            if (changes < needed || elapsed < seconds || !mayTry || InProgress) { continue; }
            _server.Log.LogInformation("{Changes} changes in {Seconds} seconds. Saving...", changes, seconds);
            BackgroundSave();
            break;
        }
    }

    /// <summary>
    /// Claims the keyspace's one snapshot for another writer (an AOF rewrite): false while a save runs. BGSAVE waits
    /// for <see cref="ReleaseSnapshot"/>, as Redis refuses one child while another runs.
    /// </summary>
    public bool TryClaimSnapshot()
    {
        lock (_gate)
        {
            if (Start() is not null) { return false; }
            _lentOut = true;
            return true;
        }
    }

    /// <summary>The rewrite is done with the snapshot; a BGSAVE SCHEDULE made meanwhile starts now.</summary>
    public void ReleaseSnapshot()
    {
        bool scheduled;
        lock (_gate)
        {
            _inProgress = _lentOut = false;
            (scheduled, _scheduled) = (_scheduled, false);
            Monitor.PulseAll(_gate);
        }
        if (scheduled) { BackgroundSave(); }
    }

    /// <summary>BGSAVE SCHEDULE: starts one now, or once an AOF rewrite is done with the snapshot. Null when started, else the reply.</summary>
    public (string? Error, bool Scheduled) ScheduleBackgroundSave()
    {
        lock (_gate)
        {
            if (_lentOut)
            {
                _scheduled = true;
                return (null, true);
            }
        }
        return (BackgroundSave(), false);
    }

    // One save at a time: claims the turn, or says why not.
    private string? Start()
    {
        lock (_gate)
        {
            if (_lentOut) { return "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."; }
            if (_inProgress) { return "ERR Background save already in progress"; }
            _inProgress = true;
            _startedMs = Clock.NowMs;
            return null;
        }
    }

    // Exclusive: the snapshot's instant, and the changes it holds.
    private Snapshot Begin()
    {
        _changesInSnapshot = _server.Totals().Changes;
        return new Snapshot(_server.Keyspace, SnapshotFormat.Rdb, _server.Scripting.Functions.Codes);
    }

    private bool Write(Snapshot snapshot, bool background)
    {
        var path = FilePath;
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $"temp-{Environment.ProcessId}.rdb");
        var started = Stopwatch.GetTimestamp();
        var saved = false;
        try
        {
            using (var file = DurableFile.Create(temp, UseIoUring))
            {
                snapshot.WriteTo(_server.Keyspace.Lock, file);
                file.Commit();
            }
            DurableFile.Rename(temp, path);
            saved = true;
            _server.Log.LogInformation("DB saved on disk");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _server.Log.LogWarning("Write error saving DB on disk: {Error}", e.Message);
        }
        catch (Exception e) when (background)
        {
            // A bug, not the disk: the save fails and says so, and the server goes on.
            _server.Log.LogError(e, "Background saving failed");
        }
        finally
        {
            if (!saved)
            {
                snapshot.Abandon(_server.Keyspace.Lock);
                try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
            Finished(saved, background, Stopwatch.GetElapsedTime(started));
        }
        return saved;
    }

    private void Finished(bool saved, bool background, TimeSpan took)
    {
        lock (_gate)
        {
            if (saved)
            {
                LastSaveUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                Volatile.Write(ref _changesAtLastSave, _changesInSnapshot);
                Saves++;
            }
            if (background)
            {
                LastBackgroundSaveSeconds = (long)took.TotalSeconds;
                if (saved) { _server.Log.LogInformation("Background saving terminated with success"); }
                else { _server.Log.LogWarning("Background saving error"); }
            }
            LastBackgroundSaveOk = saved;
            _inProgress = false;
            Monitor.PulseAll(_gate);
        }
        UpdateWriteRefusal();
        SaveFinished?.Invoke();
    }

    /// <summary>Raised when a save is done and the snapshot free: a scheduled AOF rewrite starts then.</summary>
    public event Action? SaveFinished;

    private void UpdateWriteRefusal() =>
        _refusesWrites = !LastBackgroundSaveOk && _savePoints.Length > 0 && _server.Config.Get("stop-writes-on-bgsave-error") == "yes";
}
