using System.Buffers;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;

namespace Loop.Samples.Redis.Server;

// What CLIENT does to a session: its replies turned off or skipped (REPLY), waiting out a pause (PAUSE), being killed
// (KILL) or unblocked (UNBLOCK) from another client, whose loop may be another: those arrive as messages to this one.
internal sealed partial class Session
{
    private ReplyMode _replyMode;

    // Where replies go while they are off: written and forgotten.
    private ArrayBufferWriter<byte>? _discarded;

    /// <summary>While open: a closed session may already serve another client. The master's client is, while listed.</summary>
    public bool IsOpen => Connection is { IsClosing: false } || IsMasterClient;

    /// <summary>
    /// Open and not yet chosen by a CLIENT KILL: what CLIENT LIST and KILL see, at once on every loop, as Redis frees a
    /// killed client before its reply, though the session's own loop closes it a moment later.
    /// </summary>
    public bool IsListed => IsOpen && Volatile.Read(ref _killedId) != Id;

    private long _killedId;

    /// <summary>Commands are queued in MULTI that write or that Redis may propagate (a WRITE pause holds their EXEC).</summary>
    public bool QueuedWrites => _queued.Exists(q => MayReplicate(q.Spec, new RespCommand(q.Buffer, default, q.Arguments)));

    /// <summary>
    /// Whether the command writes or Redis may propagate it, with getCommandFlags' flags: a script that declares its
    /// flags writes unless it says no-writes, and is otherwise not propagated.
    /// </summary>
    public bool MayReplicate(CommandSpec spec, RespCommand command) =>
        DeclaredScriptFlags(spec, command) is { } flags ? (flags & Scripting.ScriptFlags.NoWrites) == 0 : spec.Recorded.WritesOrMayReplicate;

    /// <summary>
    /// CLIENT LIST's qbuf and qbuf-free: while this session's commands run, the batch they came in (as Redis's query
    /// buffer holds the running command); otherwise the input received and not yet consumed, and the room beside it.
    /// </summary>
    public (int Pending, int Free) QueryBuffer =>
        BatchBytes is > 0 and var batch ? (batch, 0) : Connection is { } connection ? connection.InputBuffer : (0, 0);

    /// <summary>The output not yet sent; 0 once the connection is gone (read from any loop, as the session may close meanwhile).</summary>
    public long PendingOutput => Connection is { } connection ? connection.PendingOutputBytes : 0;

    /// <summary>CLIENT REPLY ON, OFF or SKIP (the next command's reply only).</summary>
    public void SetReplyMode(ReplyMode mode)
    {
        if (mode == ReplyMode.SkipNext && _replyMode == ReplyMode.Off) { return; }
        _replyMode = mode;
        Writer.Output = mode == ReplyMode.Off ? Discarded() : Connection;
    }

    /// <summary>
    /// Until disposed, replies go to the connection whatever CLIENT REPLY says, as Redis writes pub/sub notifications
    /// (CLIENT_PUSHING): a subscription's confirmation and the messages it brings are not replies to silence.
    /// </summary>
    public PushScope Pushing() => new(this);

    public readonly ref struct PushScope
    {
        private readonly Session _session;
        private readonly IBufferWriter<byte>? _silenced;

        public PushScope(Session session)
        {
            _session = session;
            if (session._replyMode == ReplyMode.On || session.Connection is not { } connection) { return; }
            _silenced = session.Writer.Output;
            session.Writer.Output = connection;
        }

        public void Dispose()
        {
            if (_silenced is not null) { _session.Writer.Output = _silenced; }
        }
    }

    // After a command, when replies are not simply on: SKIP's command is the next one, whose reply is then dropped.
    private void AdvanceReplyMode()
    {
        if (_replyMode == ReplyMode.Skip) { SetReplyMode(ReplyMode.On); }
        else if (_replyMode == ReplyMode.SkipNext)
        {
            _replyMode = ReplyMode.Skip;
            Writer.Output = Discarded();
        }
    }

    private ArrayBufferWriter<byte> Discarded()
    {
        _discarded ??= new ArrayBufferWriter<byte>();
        _discarded.ResetWrittenCount();
        return _discarded;
    }

    // The command waits for the pause to end, unconsumed: it runs again then, first of those that arrived meanwhile.
    private void WaitOutPause(PauseWindow window)
    {
        Postpone();
        server.ClientPause.On(Client.Loop).Add(this, window);
    }

    /// <summary>CLIENT KILL of this session from another: closed at once, its unsent replies dropped (Redis's freeClient).</summary>
    public void Kill(long id)
    {
        if (_masterLink is { } link)
        {
            link.Disconnect();
            return;
        }
        Volatile.Write(ref _killedId, id);
        Client.Loop.Post(() =>
        {
            if (Id == id && Connection is { IsClosing: false } connection) { connection.Abort(CloseReason.Local); }
        });
    }

    /// <summary>
    /// CLIENT UNBLOCK, or this server becoming a replica: ends this session's wait (a blocking pop, XREAD, WAIT) as its
    /// timeout would, or with <paramref name="error"/>, and then closes the connection when <paramref name="close"/>;
    /// false when it is not waiting. Any loop; the reply is written on this session's.
    /// </summary>
    public bool UnblockWait(string? error, bool close = false)
    {
        if (server.Replication.Acks.End(this, error, close)) { return true; }
        if (_blocked is not { } client) { return false; }
        using (server.Keyspace.Lock.Exclusive())
        {
            if (!client.Waiting) { return false; }
            client.Db.Unblock(client);
        }
        client.Loop.Post(() =>
        {
            if (_blocked != client) { return; }
            EndWaitUnserved(client, error);
            if (close) { Client.Close(); }
        });
        return true;
    }
}

/// <summary>CLIENT REPLY's modes: SkipNext is set by SKIP, Skip while the next command runs.</summary>
internal enum ReplyMode { On, Off, SkipNext, Skip }
