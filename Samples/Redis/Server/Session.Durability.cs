using System.Buffers;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

// The session's side of the append-only file: with appendfsync always a batch's replies leave only once its commands
// are on disk, and the commands after it wait; a log that failed refuses writes; replaying a file runs commands here.
internal sealed partial class Session
{
    // Where the log ended after this session's last logged command (0: nothing logged since the last wait), and how
    // many waits for the disk are under way: the held replies go once the last one is done.
    private long _loggedUpTo;
    private int _durabilityWaits;

    /// <summary>
    /// After a batch: with appendfsync always, holds its replies and the connection's next commands until the log is
    /// durable up to its last command (one FSYNC covers every batch that waits on it), then lets them go; a log that
    /// failed meanwhile closes the connection instead, its replies unsent.
    /// </summary>
    private void AwaitDurable()
    {
        var upTo = _loggedUpTo;
        _loggedUpTo = 0;
        if (upTo == 0 || server.Aof.Log is not { Fsync: AofFsync.Always } log || Client.IsClosing) { return; }
        WaitForDisk(log, upTo);
    }

    // Apart from AwaitDurable so that its closure is allocated only when waiting, not after every batch.
    private void WaitForDisk(AofLog log, long upTo)
    {
        var connection = Client;
        var wasBlocked = IsBlocked; // a blocking command's wait, which its own reply ends
        connection.HoldOutput();
        Block();
        _durabilityWaits++;
        if (!log.WhenDurable(upTo, durable => connection.Loop.Post(() => Durable(connection, durable, wasBlocked))))
        {
            Durable(connection, durable: true, wasBlocked);
        }
    }

    private void Durable(Connection connection, bool durable, bool wasBlocked)
    {
        if (connection != Client || connection.IsClosing) { return; } // closed, and the handler reused meanwhile
        if (!durable)
        {
            connection.Close(CloseReason.Local);
            return;
        }
        if (--_durabilityWaits > 0) { return; }
        connection.ReleaseOutput();
        if (!wasBlocked && _blocked is null) { Resume(); }
    }

    // Why a write is refused now, or null: a failed background save (MISCONF), a failed append-only file.
    private string? WritesRefused()
    {
        if (server.Persistence.RefusesWrites) { return RdbPersistence.MisconfError; }
        return server.Aof.Log?.Failure is { } failure ? $"MISCONF Errors writing to the AOF file: {failure.Message}" : null;
    }

    /// <summary>EXEC's commands go to the log between MULTI and EXEC. Exclusive.</summary>
    private void LogTransaction(bool begin)
    {
        if (Db.Log is not AofLog log) { return; }
        if (begin) { log.BeginTransaction(); }
        else if (log.EndTransaction() is var end && _loggedUpTo > 0) { _loggedUpTo = end; }
    }

    /// <summary>A session with no connection, for loading an append-only file: its replies go to <paramref name="replies"/>, and are dropped.</summary>
    public static Session ForReplay(RedisServer server, ArrayBufferWriter<byte> replies)
    {
        var session = new Session(server) { Authenticated = true, Db = server.Keyspace.Databases[0], Counters = new RedisLoopCounters() };
        session.Writer.Output = replies;
        return session;
    }

    /// <summary>Runs a command of the file being loaded. The loader holds the keyspace.</summary>
    public void Replay(CommandSpec spec, RespCommand command)
    {
        spec.Handler(this, command);
        ((ArrayBufferWriter<byte>)Writer.Output).ResetWrittenCount();
    }
}
