using System.Buffers;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

// The client a script's redis.call runs commands as (Redis's lua_client): one per loop, no connection, its replies
// gathered for the script to read. Commands run through Handle, as EXEC runs its queue: the script's caller already
// holds the keyspace exclusively, and the writes are logged (between the caller's MULTI and EXEC) as they happen.
internal sealed partial class Session
{
    /// <summary>A script client for <paramref name="counters"/>' loop, writing its replies to <paramref name="replies"/>.</summary>
    public static Session ForScripts(RedisServer server, RedisLoopCounters counters, ArrayBufferWriter<byte> replies)
    {
        var session = new Session(server) { Authenticated = true, User = server.Acl.Default, Db = server.Keyspace.Databases[0], Counters = counters, InExec = true, IsScriptClient = true };
        session.Writer.Output = replies;
        session.Writer.ErrorWritten = session.CountError; // as Redis counts them: when the command fails, not again when the script returns the error
        return session;
    }

    /// <summary>A script client (MONITOR shows its commands as lua's).</summary>
    public bool IsScriptClient { get; private init; }

    /// <summary>
    /// Where a script's commands run: the caller's database, RESP2 until the script asks for RESP3; its reads count for
    /// a caller that tracks keys.
    /// </summary>
    public void StartScript(Session caller)
    {
        Db = caller.Db;
        Reply.Protocol = 2;
        _loggedUpTo = 0;
        (_scriptCaller, User) = (caller, caller.User);
        _tracking = (caller._tracking & TrackingModes.On) != 0 ? TrackingModes.ForCaller : TrackingModes.None;
    }

    /// <summary>Runs one command of a script; true when it changed the keyspace.</summary>
    public bool RunFromScript(CommandSpec spec, RespCommand command)
    {
        var changes = Database.ChangesOnThisThread;
        LastCommand = spec.Name;
        Counters.Commands++;
        var started = Starting(spec, command);
        Handle(spec, command);
        Finished(spec, command, started);
        return Database.ChangesOnThisThread != changes;
    }

    /// <summary>Opens the append-only file's MULTI for a script's effects (unless the caller is in EXEC, which has one).</summary>
    public void BeginScriptEffects()
    {
        if (!InExec) { LogTransaction(begin: true); }
    }

    /// <summary>
    /// Closes it: the replies of the caller wait for what <paramref name="scriptClient"/> logged; a script that wrote
    /// serves the clients blocked on what it filled, as Redis does once the script is done.
    /// </summary>
    public void EndScriptEffects(Session scriptClient, bool wrote)
    {
        _loggedUpTo = Math.Max(_loggedUpTo, scriptClient._loggedUpTo);
        if (InExec) { return; }
        LogTransaction(begin: false);
        if (wrote && server.Keyspace.Lock.HeldExclusively) { server.Keyspace.ServeBlocked(); }
    }

    /// <summary>Logs a command to the append-only file as received (FUNCTION LOAD, DELETE, FLUSH, RESTORE).</summary>
    public void LogAsReceived(RespCommand command)
    {
        if (Db.Log is AofLog log) { _loggedUpTo = log.Append(Db.Index, command); }
    }

    /// <summary>
    /// A command the script may not run, refused with <paramref name="error"/> (Redis's scriptCall): counted in the error
    /// statistics, and as a rejected call of <paramref name="called"/> when the command is known.
    /// </summary>
    public void RefusedInScript(CommandSpec? called, string error)
    {
        Counters.PerCommand.CountError(error);
        if (called is not null) { Counters.PerCommand.RejectedCalls[called.Id]++; }
    }

    /// <summary>Why a write is refused now (MISCONF), or null.</summary>
    public string? WriteRefusal => WritesRefused();
}
