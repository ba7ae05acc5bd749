using System.Buffers;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Replication;
using Loop.Samples.Redis.Store;
using Microsoft.Extensions.Logging;

namespace Loop.Samples.Redis.Server;

// The session's side of replication: its client is a replica of this server (or redis-cli --rdb), or the session is
// this replica's master client, running the master's stream.
internal sealed partial class Session
{
    private ReplicaHandshake? _handshake;

    /// <summary>What REPLCONF said before SYNC or PSYNC (made on first use: most clients never say anything).</summary>
    public ReplicaHandshake Handshake => _handshake ??= new ReplicaHandshake();

    /// <summary>The replica this connection became with SYNC or PSYNC, or null.</summary>
    public ReplicaLink? AsReplica { get; set; }

    partial void StopReplicating()
    {
        AsReplica?.Detach();
        AsReplica = null;
        _handshake = null;
    }

    // replica-serve-stale-data no, with the link to the master down: only the commands Redis flags stale run (INFO,
    // REPLICAOF, CONFIG, ...; a script that declares flags, with allow-stale), and EXEC only when all it queued are such.
    private bool RefusedWhileStale(CommandSpec spec, CommandSpec called, RespCommand command) =>
        server.Config.Get("replica-serve-stale-data") == "no"
        && (!RunsStale(spec, called, command) || (spec.Name == "exec" && _queued.Exists(queued =>
        {
            var queuedCommand = new RespCommand(queued.Buffer, default, queued.Arguments);
            return !RunsStale(queued.Spec, queued.Spec.CountedAs(queuedCommand) ?? queued.Spec, queuedCommand);
        })));

    // While a dataset loads, only the commands Redis flags loading run (INFO, CONFIG, SHUTDOWN, ...), and EXEC only when
    // all it queued are such.
    private bool RefusedWhileLoading(CommandSpec spec, CommandSpec called) =>
        !called.Recorded.HasFlag("loading") || (spec.Name == "exec" && _queued.Exists(queued =>
            !queued.Spec.Recorded.Called(new RespCommand(queued.Buffer, default, queued.Arguments)).HasFlag("loading")));

    private bool RunsStale(CommandSpec spec, CommandSpec called, RespCommand command) =>
        DeclaredScriptFlags(spec, command) is { } flags ? (flags & Scripting.ScriptFlags.AllowStale) != 0 : called.Recorded.HasFlag("stale");

    // The link this session is the master's client of (null for any other session), and the addresses of its connection.
    private MasterLink? _masterLink;
    private string _masterPeer = "", _masterLocal = "";

    /// <summary>The master's client of this replica: CLIENT LIST shows it with flags M, as type master.</summary>
    public bool IsMasterClient => _masterLink is not null;

    /// <summary>The master's client connected again: CLIENT LIST shows these addresses, and its age from now.</summary>
    public void ConnectedAt(string peer, string local) => (_masterPeer, _masterLocal, CreatedAtMs) = (peer, local, Clock.NowMs);

    /// <summary>
    /// The master's client of a replica (<see cref="MasterLink"/>), on <paramref name="loop"/>: no connection of its own
    /// (its id is from the connections' sequence), replies dropped.
    /// </summary>
    public static Session ForMaster(RedisServer server, EventLoop loop, MasterLink link)
    {
        var session = new Session(server)
        {
            Authenticated = true, User = server.Acl.Default, Db = server.Keyspace.Databases[0], Counters = server.CountersOf(loop),
            Id = Connection.NextId(), LastCommandAt = System.Diagnostics.Stopwatch.GetTimestamp(), _masterLink = link,
        };
        session.Writer.Output = new ArrayBufferWriter<byte>();
        session.Writer.ErrorWritten = (error, _) =>
        {
            Interlocked.Increment(ref server.UnexpectedErrorReplies);
            server.Log.LogWarning("== CRITICAL == This replica is sending an error to its master: '{Error}' after processing the command '{Command}'",
                error, session.LastCommand);
        };
        return session;
    }

    /// <summary>
    /// Runs a command of the master's stream as Redis runs its master client's: none of a client's checks (a read-only
    /// replica obeys its master), changes logged and counted as any write's. A transaction comes whole within one call of
    /// the caller, which holds the keyspace exclusively with expiry paused.
    /// </summary>
    public void FromMaster(IReadOnlyList<byte[]> arguments)
    {
        var name = arguments[0];
        if (Args.Is(name, "MULTI") || Args.Is(name, "EXEC"))
        {
            InExec = Args.Is(name, "MULTI");
            LogTransaction(begin: InExec); // blocked readers of what it added are served after it, as after a client's EXEC
            return;
        }
        if (server.Commands.Find(name) is not { } spec || !spec.AcceptsArgumentCount(arguments.Count))
        {
            LastCommand = Args.Text(name).ToLowerInvariant();
            Reply.Error($"ERR unknown command '{LastCommand}', or wrong number of arguments");
            return;
        }
        LastCommand = spec.Name; // named by the table, as a client's: no string made per command
        Counters.Commands++;
        Handle(spec, AofReplay.ToCommand(arguments));
        ((ArrayBufferWriter<byte>)Writer.Output).ResetWrittenCount();
    }
}
