using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

// MULTI / EXEC / DISCARD / WATCH state of one session.
internal sealed partial class Session
{
    private readonly List<(CommandSpec Spec, byte[] Buffer, RespArgument[] Arguments)> _queued = new();
    private readonly List<(Database Db, byte[] Key, bool WasLive)> _watched = new();

    public bool InMulti { get; set; }

    /// <summary>True while EXEC runs the queued commands: blocking commands must not block then.</summary>
    public bool InExec { get; private set; }

    /// <summary>A queued command was rejected: EXEC answers EXECABORT.</summary>
    public bool TransactionAborted { get; private set; }

    /// <summary>Set (under the keyspace lock) when a watched key changes.</summary>
    public bool WatchedKeyChanged { get; private set; }

    void IKeyWatcher.KeyChanged() => WatchedKeyChanged = true;

    void IKeyWatcher.ExpiredKeyReplaced(Database db, ReadOnlySpan<byte> key)
    {
        foreach (var (watchedDb, watchedKey, wasLive) in _watched)
        {
            if (wasLive && watchedDb == db && key.SequenceEqual(watchedKey)) { WatchedKeyChanged = true; }
        }
    }

    public void Watch(ReadOnlySpan<byte> key)
    {
        var copy = key.ToArray();
        _watched.Add((Db, copy, Db.IsLive(copy)));
        Db.Watch(copy, this);
    }

    /// <summary>Runs the queued commands atomically, or answers null when a watched key changed.</summary>
    public void Exec()
    {
        if (TransactionAborted)
        {
            EndTransaction();
            Reply.Error("EXECABORT Transaction discarded because of previous errors.");
            return;
        }
        if (WatchedKeyChanged || WatchedKeyExpired())
        {
            EndTransaction();
            Reply.NullArray();
            return;
        }
        var queued = _queued.ToArray();
        EndTransaction();
        Reply.Array(queued.Length);
        InExec = true;
        LogTransaction(begin: true);
        try
        {
            foreach (var (spec, buffer, arguments) in queued)
            {
                Counters.Commands++;
                var command = new RespCommand(buffer, default, arguments);
                if (!User.Rules.Unrestricted && ExecAclRefusal(spec, command) is { } refused)
                {
                    Reply.Error(refused);
                    continue;
                }
                var started = Starting(spec, command);
                Handle(spec, command);
                Finished(spec, command, started);
            }
        }
        finally
        {
            InExec = false;
            LogTransaction(begin: false);
        }
    }

    /// <summary>
    /// Forgets the queue and every watch. Needs no hold of the keyspace: the watches go first, so no change made
    /// meanwhile on another loop can mark the next transaction.
    /// </summary>
    public void EndTransaction()
    {
        foreach (var (db, key, _) in _watched) { db.Unwatch(key, this); }
        _watched.Clear();
        InMulti = false;
        TransactionAborted = false;
        WatchedKeyChanged = false;
        _queued.Clear();
        (QueuedCount, QueuedBytes) = (0, 0);
    }

    // A watched key that was live and whose deadline has passed counts as changed, as in Redis, even if nothing
    // touched it since (so neither lazy nor active expiry has deleted it yet).
    private bool WatchedKeyExpired()
    {
        var now = Clock.NowMs;
        foreach (var (db, key, wasLive) in _watched)
        {
            if (wasLive && db.ExpireAt(key) is { } deadline && deadline <= now) { return true; }
        }
        return false;
    }

    public void FlagTransactionError()
    {
        if (InMulti) { TransactionAborted = true; }
    }

    private void Enqueue(CommandSpec spec, RespCommand command)
    {
        var length = 0;
        for (var i = 0; i < command.Count; i++) { length += command[i].Length; }
        var buffer = new byte[length];
        var arguments = new RespArgument[command.Count];
        var offset = 0;
        for (var i = 0; i < command.Count; i++)
        {
            command[i].CopyTo(buffer.AsSpan(offset));
            arguments[i] = new RespArgument(offset, command[i].Length, InScratch: false);
            offset += command[i].Length;
        }
        _queued.Add((spec, buffer, arguments));
        (QueuedCount, QueuedBytes) = (QueuedCount + 1, QueuedBytes + buffer.Length);
    }

    /// <summary>Commands queued in MULTI and their bytes (CLIENT LIST's multi and multi-mem, read from any loop).</summary>
    public int QueuedCount { get; private set; }

    public long QueuedBytes { get; private set; }
}
