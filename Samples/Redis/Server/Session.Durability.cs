using System.Buffers;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

// The session's side of the append-only file: a batch's replies leave only once its commands are written (and with
// appendfsync always synced); a log that failed refuses writes; replaying a file runs commands here.
internal sealed partial class Session
{
    // Where the log ended after this session's last logged command (0: nothing logged since its batch ended), and its
    // loop's side of the log.
    private long _loggedUpTo;
    private HeldReplies _heldReplies = null!;

    /// <summary>Where the log must be safe before this session's held replies may go; 0 when none are held.</summary>
    public long HeldUpTo { get; private set; }

    /// <summary>
    /// After a batch that logged commands: its replies (and those of the batches after it) stay unsent until the log
    /// says they are safe, which the loop asks once for all its sessions after writing the log (<see cref="HeldReplies"/>):
    /// at once with everysec or no (the write is made before the replies leave), after the FSYNC with always. A failed
    /// write closes the connection with the replies unsent. Later commands run meanwhile: their replies queue behind.
    /// </summary>
    private void HoldRepliesForTheLog()
    {
        var upTo = _loggedUpTo;
        _loggedUpTo = 0;
        if (upTo == 0 || server.Aof.Log is null || Client.IsClosing) { return; }
        if (HeldUpTo == 0) { Client.HoldOutput(); }
        HeldUpTo = upTo;
        _heldReplies.Hold(this);
    }

    /// <summary>
    /// The log is safe up to <see cref="HeldUpTo"/> (<paramref name="safe"/>), or failed: the replies go, or the
    /// connection is closed with them unsent. True when this session is done waiting (also when it closed meanwhile).
    /// </summary>
    public bool ReleaseReplies(bool safe)
    {
        HeldUpTo = 0;
        if (Connection is not { IsClosing: false } connection) { return true; }
        if (safe) { connection.ReleaseOutput(); } else { connection.Abort(CloseReason.Local); }
        return true;
    }

    // Why a write is refused now, or null: a failed background save (MISCONF), a failed append-only file, too few good
    // replicas (min-replicas-to-write), a read-only replica; in processCommand's order.
    private string? WritesRefused()
    {
        if (server.Persistence.RefusesWrites) { return RdbPersistence.MisconfError; }
        if (server.Aof.Log?.Failure is { } failure) { return $"MISCONF Errors writing to the AOF file: {failure.Message}"; }
        if (server.Replication.TooFewGoodReplicas) { return NoReplicasError; }
        return server.Master is not null && server.Config.Get("replica-read-only") == "yes" ? "READONLY You can't write against a read only replica." : null;
    }

    public const string NoReplicasError = "NOREPLICAS Not enough good replicas to write.";

    /// <summary>EXEC's commands go to the log between MULTI and EXEC. Exclusive.</summary>
    private void LogTransaction(bool begin)
    {
        if (Db.Log is not { } log) { return; }
        if (begin) { log.BeginTransaction(); }
        else if (log.EndTransaction() is var end && _loggedUpTo > 0) { _loggedUpTo = end; }
    }

    /// <summary>A session with no connection, for loading an append-only file: its replies go to <paramref name="replies"/>, and are dropped.</summary>
    public static Session ForReplay(RedisServer server, ArrayBufferWriter<byte> replies)
    {
        var session = new Session(server) { Authenticated = true, User = server.Acl.Default, Db = server.Keyspace.Databases[0], Counters = new RedisLoopCounters(server.Commands.Counted.Count) };
        session.Writer.Output = replies;
        session.Writer.ErrorWritten = (_, _) => Interlocked.Increment(ref server.UnexpectedErrorReplies);
        return session;
    }

    /// <summary>Runs a command of the file being loaded. The loader holds the keyspace.</summary>
    public void Replay(CommandSpec spec, RespCommand command)
    {
        spec.Handler(this, command);
        ((ArrayBufferWriter<byte>)Writer.Output).ResetWrittenCount();
    }
}
