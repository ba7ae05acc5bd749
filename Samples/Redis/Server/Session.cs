using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Replication;
using Loop.Samples.Redis.Store;
using Microsoft.Extensions.Logging;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// One client connection: the RESP state machine plus what Redis keeps per client (selected database,
/// authentication, name, protocol, transaction, subscriptions). Dispatches each command through the
/// command table, holding the keyspace as the command's keys need (see Run).
/// </summary>
internal sealed partial class Session(RedisServer server) : RespConnectionHandler(server.Limits), IKeyWatcher
{
    public RedisServer Server => server;

    /// <summary>Where this session's replies go.</summary>
    public RespWriter Reply => Writer;

    /// <summary>The connection, for its loop and id (valid while open).</summary>
    public Connection Client => Connection;

    public long Id { get; private set; }

    /// <summary>
    /// Whether this session still serves the open client it had as <paramref name="id"/>: work that comes back later
    /// checks before it replies, since a session is reset once its client leaves, and reused for another.
    /// </summary>
    public bool StillServes(long id) => Id == id && Connection is { IsClosing: false };

    /// <summary>Its loop's INFO counters.</summary>
    public RedisLoopCounters Counters { get; private set; } = null!;
    public Database Db { get; private set; } = null!;
    public bool Authenticated { get; set; }
    public string Name { get; set; } = "";
    public long CreatedAtMs { get; private set; }

    /// <summary>When this session's last command started (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public long LastCommandAt { get; private set; }
    public string LastCommand { get; private set; } = "";

    /// <summary>The client's address as CLIENT LIST and SLOWLOG show it.</summary>
    public string Peer => Connection?.RemoteEndPoint?.ToString() ?? (IsMasterClient ? _masterPeer : $"{server.Options.Bind}:0");

    /// <summary>Redis's islocalClient: connected from a loopback address (or through no socket at all).</summary>
    public bool IsLocalClient => Connection?.RemoteEndPoint is not System.Net.IPEndPoint endPoint || System.Net.IPAddress.IsLoopback(endPoint.Address);

    /// <summary>The address the client connected to, as CLIENT LIST shows it (the configured one).</summary>
    public string LocalAddress => IsMasterClient ? _masterLocal : $"{server.Options.Bind}:{server.Options.Port}";

    public override void OnOpen(Connection connection)
    {
        base.OnOpen(connection);
        Id = connection.Id;
        Db = server.Keyspace.Databases[0];
        SignInAsDefault();
        CreatedAtMs = Clock.NowMs;
        LastCommandAt = System.Diagnostics.Stopwatch.GetTimestamp();
        Writer.ErrorWritten ??= CountError;
        server.Clients[Id] = this;
        Counters = server.CountersOf(connection.Loop);
        Counters.Connections++;
        _heldReplies = HeldReplies.Of(connection.Loop, server.Aof);
        TrackingMessages.SendBeforeSends(connection.Loop, server);
        // maxclients: a client past it is told so and closed, as Redis's acceptCommonHandler does.
        if (server.Clients.Count > server.Config.GetNumber("maxclients"))
        {
            Interlocked.Increment(ref server.RejectedConnections);
            connection.Write("-ERR max number of clients reached\r\n"u8);
            connection.Close();
        }
    }

    public override void OnClose(Connection connection, CloseReason reason)
    {
        if (reason == CloseReason.InputLimit)
        {
            server.Log.LogWarning("Closing client that reached max query buffer length: id={Id} addr={Addr} name={Name} (client-query-buffer-limit {Limit})",
                Id, connection.RemoteEndPoint, Name, server.Options.QueryBufferLimit);
        }
        server.Clients.TryRemove(Id, out _);
        EndTransaction();
        LeaveAllChannels();
        StopTracking();
        CancelBlocking();
        StopReplicating();
        StopMonitoring();
    }

    public override bool TryReset()
    {
        _replyMode = ReplyMode.On;
        Name = LastCommand = "";
        HeldUpTo = _loggedUpTo = 0;
        (_redirect, _scriptRead) = (0, false);
        return base.TryReset();
    }

    public void Select(int index) => Db = server.Keyspace.Databases[index];

    /// <summary>Holds back further commands until <see cref="Resume"/> (a blocking command waits).</summary>
    public void Block() => IsBlocked = true;

    /// <summary>Ends a block and runs the commands that arrived meanwhile. Loop thread only.</summary>
    public void Resume()
    {
        FinishedBlocked();
        Unblock();
    }

    protected override void Execute(RespCommand command)
    {
        if (!Dispatch(command)) { return; }
        if (_replyMode != ReplyMode.On) { AdvanceReplyMode(); }
        if (server.Keyspace.Tracking.Active) { TrackingAfterCommand(command); }
    }

    // Checks, queues or runs a command, as Redis's processCommand; false when it waits for a pause to end, unrun.
    private bool Dispatch(RespCommand command)
    {
        var spec = server.Commands.Find(command[0]);
        if (spec is null)
        {
            FlagTransactionError();
            Reply.Error(UnknownCommand(command));
            return true;
        }
        if (!spec.AcceptsArgumentCount(command.Count))
        {
            Reject(spec, command, Args.WrongArgumentCount(spec.Name));
            return true;
        }
        // A container's subcommand is looked up and its arity checked before it runs, as Redis's lookupCommand does; its
        // own flags decide whether it is a write.
        var called = spec;
        if (spec.Subcommands is not null && command.Count > 1)
        {
            if (spec.CountedAs(command) is not { } subcommand)
            {
                FlagTransactionError();
                Reply.Error(Subcommands.UnknownRefused(command[1], spec.Name));
                return true;
            }
            if (!subcommand.AcceptsArgumentCount(command.Count))
            {
                Reject(spec, command, Args.WrongArgumentCount(subcommand.Name));
                return true;
            }
            called = subcommand;
        }
        LastCommand = called.Name; // a subcommand as Redis names it (client|list), as looked up: refused, queued or run
        if (!Authenticated && (spec.Flags & CommandFlags.NoAuth) == 0)
        {
            Reject(spec, command, "NOAUTH Authentication required.");
            return true;
        }
        if (!User.Rules.Unrestricted && AclRefusal(spec, called, command) is { } denied)
        {
            Reject(spec, command, denied);
            return true;
        }
        if (InMulti && (spec.Flags & CommandFlags.NoMulti) != 0)
        {
            Reject(spec, command, "ERR Command not allowed inside a transaction");
            return true;
        }
        if (server.Scripting.Running is not null && server.Scripting.BusyRefusal(spec, command) is { } busy)
        {
            Reject(spec, command, busy);
            return true;
        }
        if (server.Eviction.MaxMemory > 0 && server.Loading is null && RefusedForMemory(spec, called, command)) // no eviction while loading, as Redis
        {
            Reject(spec, command, Eviction.OutOfMemoryError);
            return true;
        }
        if (Subscribed && Reply.Protocol == 2 && (spec.Flags & CommandFlags.InSubscribedContext) == 0)
        {
            Reject(spec, command, $"ERR Can't execute '{called.Name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return true;
        }
        if (IsMonitor && (spec.Flags & (CommandFlags.Write | CommandFlags.ReadOnly)) != 0)
        {
            Reject(spec, command, "ERR Replica can't interact with the keyspace"); // a monitor is a replica to Redis
            return true;
        }
        if (((called.Flags & CommandFlags.Write) != 0 || spec.WritesByContent) && WritesRefused() is { } refusal && IsWrite(spec, called, command))
        {
            Reject(spec, command, refusal);
            return true;
        }
        if (server.Master is { State: not MasterLinkState.Connected } && RefusedWhileStale(spec, called, command))
        {
            Reject(spec, command, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
            return true;
        }
        if (server.Loading is not null && RefusedWhileLoading(spec, called))
        {
            Reject(spec, command, DatasetLoading.Error);
            return true;
        }
        if (server.ClientPause.Current is { } pause && pause.Holds(called, command, this))
        {
            WaitOutPause(pause);
            return false;
        }
        if (InMulti && (spec.Flags & CommandFlags.NotQueued) == 0)
        {
            Enqueue(spec, command);
            Reply.SimpleString("QUEUED");
            return true;
        }
        var started = Starting(spec, command);
        try
        {
            Run(spec, command);
        }
        catch (KeyspaceBusyException)
        {
            Reject(spec, command, server.Scripting.BusyError()); // it waited for a script that ran past busy-reply-threshold
            return true;
        }
        Counters.Commands++;
        Finished(spec, command, started);
        return true;
    }

    /// <summary>
    /// Runs a command atomically with respect to every other loop: one with keys holding their stripes, any other
    /// holding the whole keyspace (and one touching no key, nothing). A write to a key that clients wait on serves
    /// them, which reaches beyond the stripes: it holds the whole keyspace too.
    /// </summary>
    private void Run(CommandSpec spec, RespCommand command)
    {
        if ((spec.Flags & CommandFlags.NoKeyspace) != 0)
        {
            ReleaseBatchStripe(); // some (CONFIG RESETSTAT) hold the keyspace exclusively inside
            spec.Handler(this, command);
            return;
        }
        if ((spec.Flags & CommandFlags.Exclusive) == 0 && !spec.MayBlock(command) && RunOnStripes(spec, command)) { return; }
        ReleaseBatchStripe();
        using (server.Keyspace.Lock.Exclusive(BusyScriptElsewhere)) { Handle(spec, command); }
    }

    // Runs the handler. A write is counted while its keys are still held, so a snapshot's count of changes is exact;
    // one that changed something is logged to the append-only file then too, so conflicting commands are logged in
    // the order they ran. Then, as Redis does before the next command, clients blocked on the keys it filled are served.
    private void Handle(CommandSpec spec, RespCommand command)
    {
        var changes = Database.ChangesOnThisThread;
        spec.Handler(this, command);
        if (_tracking != TrackingModes.None) { TrackCommand(spec, command); }
        if ((spec.Flags & CommandFlags.Write) == 0) { return; }
        if (Database.ChangesOnThisThread != changes)
        {
            Counters.Changes += Database.ChangesOnThisThread - changes; // Redis's dirty: a write that changed nothing adds none
            if (server.Eviction.MaxMemory > 0) { CountWrittenBytes(command); }
            if (Db.Log is { } log) { _loggedUpTo = AofPropagation.Log(log, this, spec, command); }
        }
        if (!InExec && server.Keyspace.Lock.HeldExclusively) { server.Keyspace.ServeBlocked(); }
    }

    // The stripe a single-key command of this batch took, kept for the batch's next commands: a pipeline on one key
    // (or one stripe) takes it once per batch instead of once per command, so loops racing on a hot key hand it over
    // per batch. Released before any other command and when the batch is done.
    private KeyspaceLock.SharedScope _batchHold;
    private int _batchStripe = -1;

    // The stripes of the running multi-key command, reused from command to command.
    private int[] _stripes = new int[8];

    /// <summary>
    /// Holds <paramref name="key"/>'s stripe shared, for a command that runs holding nothing (NoKeyspace) but must not
    /// interleave with another loop's transaction; a script busy elsewhere makes it give up (BUSY).
    /// </summary>
    public KeyspaceLock.SharedScope HoldStripeOf(ReadOnlySpan<byte> key) => server.Keyspace.Lock.Shared(KeyspaceLock.StripeOf(key), BusyScriptElsewhere);

    // Asked while a command waits for the keyspace: true once a script of another loop has held it past
    // busy-reply-threshold, and the command gives up, answered BUSY (so this loop can take SCRIPT KILL).
    private Func<bool>? _busyScriptWaited;
    private Func<bool> BusyScriptElsewhere => _busyScriptWaited ??= () => server.Scripting.BusyElsewhere(Connection?.Loop);

    protected override void OnBatchDone()
    {
        ReleaseBatchStripe();
        var (hits, misses) = Database.TakeReadsOnThisThread();
        Counters.KeyspaceHits += hits;
        Counters.KeyspaceMisses += misses;
        HoldRepliesForTheLog();
    }

    private void ReleaseBatchStripe()
    {
        if (_batchStripe < 0) { return; }
        _batchStripe = -1;
        _batchHold.Dispose();
    }

    /// <summary>Runs the command holding only its keys' stripes; false (nothing run) when it has no key or one is waited on.</summary>
    private bool RunOnStripes(CommandSpec spec, RespCommand command)
    {
        var keys = spec.Keys.Touched(command);
        if (!keys.MoveNext()) { return false; }
        var first = command[keys.Current];
        if (!keys.MoveNext())
        {
            var stripe = KeyspaceLock.StripeOf(first);
            if (stripe != _batchStripe)
            {
                ReleaseBatchStripe();
                _batchHold = server.Keyspace.Lock.Shared(stripe, BusyScriptElsewhere);
                _batchStripe = stripe;
            }
            if (Db.HasWaiters(first)) { return false; }
            Handle(spec, command);
            return true;
        }
        ReleaseBatchStripe();
        var count = SortedStripes(spec, command);
        using (server.Keyspace.Lock.Shared(_stripes, count, BusyScriptElsewhere))
        {
            foreach (var position in spec.Keys.Touched(command))
            {
                if (Db.HasWaiters(command[position])) { return false; }
            }
            Handle(spec, command);
            return true;
        }
    }

    /// <summary>Fills <see cref="_stripes"/> with the command's key stripes, sorted and distinct; returns how many.</summary>
    private int SortedStripes(CommandSpec spec, RespCommand command)
    {
        var count = 0;
        foreach (var position in spec.Keys.Touched(command))
        {
            if (count == _stripes.Length) { Array.Resize(ref _stripes, count * 2); }
            _stripes[count++] = KeyspaceLock.StripeOf(command[position]);
        }
        var stripes = _stripes.AsSpan(0, count);
        stripes.Sort();
        var distinct = 1;
        for (var i = 1; i < stripes.Length; i++)
        {
            if (stripes[i] != stripes[distinct - 1]) { stripes[distinct++] = stripes[i]; }
        }
        return distinct;
    }

    private static string UnknownCommand(RespCommand command)
    {
        var text = new System.Text.StringBuilder($"ERR unknown command '{Args.Text(command[0])}', with args beginning with: ");
        for (var i = 1; i < command.Count && i < 4; i++) { text.Append('\'').Append(Args.Text(command[i])).Append("' "); }
        return text.ToString();
    }
}
