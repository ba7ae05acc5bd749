using Loop.Samples.Redis.Acl;
using System.Collections.Concurrent;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Replication;
using Loop.Samples.Redis.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loop.Samples.Redis.Server;

/// <summary>What all sessions share: the keyspace, the command table, configuration, clients and counters.</summary>
internal sealed class RedisServer
{
    public RedisServer(RedisServerOptions options)
    {
        Options = options;
        // Keys past their deadline read as gone but stay while clients are paused, and on a replica, whose master's DEL
        // expires them (Redis's expireIfNeeded).
        Keyspace = new Keyspace(options.Databases) { ExpiryDeferred = () => ClientPause.Current is not null || Master is not null };
        Config = new RedisConfig(options);
        SlowLog = new SlowLog(Config);
        Latency = new LatencyMonitor(Config);
        Limits = new RespLimits { MaxBulkLength = options.MaxBulkLength };
        CommandFamilies.RegisterAll(Commands);
        Acl = new AclUsers(Commands);
        Acl.SetDefaultPassword(Config.RequirePass);
        DeclareUsers();
        Config.Changed += name => { if (name == "requirepass") { Acl.SetDefaultPassword(Config.RequirePass); } };
        Persistence = new RdbPersistence(this);
        Aof = new AppendOnlyFile(this);
        Replication = new ReplicationMaster(this);
        Keyspace.Events.Publisher = PubSub;
        Keyspace.Events.Enabled = Config.NotifyClasses;
        Config.Changed += name => { if (name == "notify-keyspace-events") { Keyspace.Events.Enabled = Config.NotifyClasses; } };
        Scripting = new Scripting.Scripting(this);
        Eviction = new Eviction(this);
    }

    public RedisServerOptions Options { get; }

    // The config file's (and command line's) user lines, as Redis's ACLLoadConfiguredUsers; not beside an aclfile.
    private void DeclareUsers()
    {
        if (Config.Users.Count > 0 && Config.Get("aclfile").Length > 0)
        {
            throw new ArgumentException("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.");
        }
        foreach (var line in Config.Users)
        {
            var args = ConfigArgs.Split(line) ?? [];
            if (args.Count == 0 || Acl.Find(args[0]) is { Name: not "default" }) { throw new ArgumentException($"user {line}: Duplicate user found. A user can only be defined once in config files"); }
            if (Acl.Set(args[0], args[1..], out _) is { } error) { throw new ArgumentException($"user {line}: {error}"); }
        }
    }

    /// <summary>The ACL users and the ACL LOG.</summary>
    public AclUsers Acl { get; }
    public Keyspace Keyspace { get; }
    public RedisConfig Config { get; }
    public RespLimits Limits { get; }
    public SlowLog SlowLog { get; }
    public LatencyMonitor Latency { get; }
    public ClientPause ClientPause { get; } = new();
    public CommandTable Commands { get; } = new();
    public PubSubHub PubSub { get; } = new();
    public CommandMonitor Monitor { get; } = new();
    public RdbPersistence Persistence { get; }
    public AppendOnlyFile Aof { get; }
    public ReplicationMaster Replication { get; }

    /// <summary>The master this server replicates (REPLICAOF host port), or null while it is a master itself.</summary>
    public MasterLink? Master { get; private set; }

    private volatile DatasetLoading? _loading;

    /// <summary>The RDB file being loaded while the loops serve (LOADING), or null.</summary>
    public DatasetLoading? Loading { get => _loading; set => _loading = value; }

    /// <summary>
    /// Makes this server a replica of <paramref name="host"/>:<paramref name="port"/> (or of none), replacing any master
    /// it had; the master's commands run on <paramref name="loop"/>. Replicas of this server are disconnected, as
    /// Redis's replicationSetMaster does: they sync again with what this server becomes.
    /// </summary>
    public void Follow(EventLoop loop, string host, int port)
    {
        var link = new MasterLink(this, loop, host, port);
        SetMaster(link);
        Replication.DisconnectReplicas();
        // As Redis's disconnectAllBlockedClients: a client waiting here would wait on a replica now; it is told and
        // closed, so that it reconnects to whichever server is the master.
        foreach (var client in Clients.Values) { client.UnblockWait(RoleChanged, close: true); }
        link.Start();
    }

    private const string RoleChanged = "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)";

    /// <summary>REPLICAOF NO ONE: the link ends and this server keeps its keys, a master again.</summary>
    public void Unfollow() => SetMaster(null);

    // Holding the keyspace, so that no change of the old link runs after this (see MasterLink).
    private void SetMaster(MasterLink? link)
    {
        using (Keyspace.Lock.Exclusive())
        {
            Master?.Stop();
            Master = link;
        }
        Config.Replace("replicaof", link is null ? "" : $"{link.Host} {link.Port}");
    }

    /// <summary>The port the loops listen on (the one chosen when asked for 0), which a replica tells its master.</summary>
    public int ListeningPort { get; private set; }
    public Scripting.Scripting Scripting { get; }
    public Eviction Eviction { get; }

    /// <summary>The process it runs in as redis-server runs (pid file, systemd, the log's lifecycle lines); null in-process.</summary>
    public ServerProcess? Process { get; set; }

    /// <summary>Stops the server (SHUTDOWN), set by whoever hosts it; null where nothing can stop it.</summary>
    public Action? RequestShutdown { get; set; }
    public ConcurrentDictionary<long, Session> Clients { get; } = new();
    public DateTimeOffset StartTime { get; } = DateTimeOffset.UtcNow;

    /// <summary>INFO's run_id: 40 random hex digits, new each time the server starts.</summary>
    public string RunId { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
    private readonly List<RedisLoopCounters> _loopCounters = new();
    // A copy of _loopCounters replaced on each addition, for a sum read before every command (no lock taken).
    private RedisLoopCounters[] _countersToRead = [];

    /// <summary>The counters of <paramref name="loop"/>'s sessions, created on first use. Loop thread only.</summary>
    public RedisLoopCounters CountersOf(EventLoop loop) => loop.GetState(_ =>
    {
        var counters = new RedisLoopCounters(Commands.Counted.Count);
        lock (_loopCounters)
        {
            _loopCounters.Add(counters);
            _countersToRead = [.. _loopCounters];
        }
        return counters;
    });

    /// <summary>Every loop's counters summed (INFO stats).</summary>
    public RedisTotals Totals()
    {
        // A plain loop, not LINQ: the save-point check reads this every second and allocates nothing.
        long connections = 0, commands = 0, hits = 0, misses = 0, changes = 0;
        lock (_loopCounters)
        {
            foreach (var c in _loopCounters)
            {
                connections += c.Connections;
                commands += c.Commands;
                hits += c.KeyspaceHits;
                misses += c.KeyspaceMisses;
                changes += Volatile.Read(ref c.Changes);
            }
        }
        return new RedisTotals(connections, commands, hits, misses, changes);
    }

    /// <summary>The bytes every loop's writes brought in, ever (what <see cref="MemoryGauge"/> adds between measures).</summary>
    public long WrittenBytes()
    {
        long written = 0;
        foreach (var c in Volatile.Read(ref _countersToRead)) { written += Volatile.Read(ref c.WrittenBytes); }
        return written;
    }

    /// <summary>Every loop's statistics per command summed (INFO commandstats, errorstats, latencystats).</summary>
    public CommandStatistics CommandStatisticsTotal()
    {
        var total = new CommandStatistics(Commands.Counted.Count);
        lock (_loopCounters) { _loopCounters.ForEach(c => total.Add(c.PerCommand)); }
        return total;
    }

    /// <summary>
    /// Error replies to the commands of an append-only file being loaded (Redis's unexpected_error_replies, which
    /// total_error_replies counts too).
    /// </summary>
    public long UnexpectedErrorReplies;

    /// <summary>Clients refused for maxclients (rejected_connections adds the loops' own refusals).</summary>
    public long RejectedConnections;

    /// <summary>CONFIG RESETSTAT.</summary>
    public void ResetStatistics()
    {
        lock (_loopCounters) { _loopCounters.ForEach(c => c.Reset()); }
        Interlocked.Exchange(ref UnexpectedErrorReplies, 0);
        Interlocked.Exchange(ref RejectedConnections, 0);
        Interlocked.Exchange(ref _memoryPeak, 0);
        Interlocked.Exchange(ref Replication.FullSyncs, 0);
        Interlocked.Exchange(ref Replication.PartialSyncs, 0);
        Interlocked.Exchange(ref Replication.PartialSyncsRefused, 0);
        _networkAtReset = Traffic();
        Eviction.ResetStatistics();
    }

    /// <summary>Where Redis's own log lines go (the host's logger once the server runs).</summary>
    public ILogger Log { get; set; } = NullLogger.Instance;

    /// <summary>DEBUG SET-ACTIVE-EXPIRE: whether the active expiry cycle deletes keys (lazy expiry goes on regardless).</summary>
    public volatile bool ActiveExpiryEnabled = true;

    /// <summary>The counts INFO stats shows of the server's loops (connections refused, bytes in and out), and their rates.</summary>
    public void StartNetworkStatistics(global::Loop.Server server)
    {
        _loops = server.Loops;
        Instantaneous.Start(server.Loops[0], () =>
        {
            var (received, sent, _) = Traffic();
            return (Totals().Commands, received, sent);
        });
    }

    private IReadOnlyList<EventLoop> _loops = [];
    private (long Received, long Sent, long Rejected) _networkAtReset;

    // The loops' counts summed, allocating nothing (the sampler reads them ten times a second).
    private (long Received, long Sent, long Rejected) Traffic()
    {
        var (received, sent, rejected) = (0L, 0L, 0L);
        for (var i = 0; i < _loops.Count; i++)
        {
            var traffic = _loops[i].Traffic;
            (received, sent, rejected) = (received + traffic.BytesReceived, sent + traffic.BytesSent, rejected + traffic.Rejected);
        }
        return (received, sent, rejected);
    }

    /// <summary>The loops' bytes received and sent and connections they refused, since CONFIG RESETSTAT (or start).</summary>
    public (long Received, long Sent, long Rejected) Network
    {
        get
        {
            var (traffic, reset) = (Traffic(), _networkAtReset);
            return (traffic.Received - reset.Received, traffic.Sent - reset.Sent, traffic.Rejected - reset.Rejected);
        }
    }

    public InstantaneousMetrics Instantaneous { get; } = new();

    private long _memoryPeak;

    /// <summary>INFO's used_memory_peak: the most used_memory INFO has shown, <paramref name="used"/> now included.</summary>
    public long MemoryPeak(long used)
    {
        var peak = Interlocked.Read(ref _memoryPeak);
        while (used > peak && Interlocked.CompareExchange(ref _memoryPeak, used, peak) is var seen && seen != peak) { peak = seen; }
        return Math.Max(peak, used);
    }

    /// <summary>
    /// Gives each loop its side of the append-only file before any client comes (<see cref="HeldReplies"/>): whatever a
    /// loop logs, a client's write or the expiry cycle's DEL, goes to the file after its batch. Then follows the master
    /// the configuration names (replicaof), on the first loop.
    /// </summary>
    public void StartLoops(global::Loop.Server server)
    {
        ListeningPort = server.EndPoint.Port;
        foreach (var loop in server.Loops) { loop.Post(() => HeldReplies.Of(loop, Aof)); }
        if (Config.Get("replicaof").Split(' ') is [var host, var port]) { Follow(server.Loops[0], host, int.Parse(port)); }
    }

    /// <summary>
    /// Starts the active expiry cycle on <paramref name="loop"/>: every 100 ms, sample keys with a TTL and
    /// delete the expired ones, so they free memory without being touched; and keep the tracking table within
    /// tracking-table-max-keys, as Redis's serverCron does.
    /// </summary>
    public void StartActiveExpiry(EventLoop loop) => loop.Post(() => loop.Every(TimeSpan.FromMilliseconds(100), ExpireCycle));

    private void ExpireCycle()
    {
        // Keys do not change while clients are paused, nor on a replica but by its master; DEBUG SET-ACTIVE-EXPIRE 0 turns
        // the cycle off. Behind a script (or anything holding the keyspace) the cycle waits for its next turn, so loop 0
        // still answers BUSY meanwhile.
        var tracking = Keyspace.Tracking.Active;
        if (ClientPause.Current is not null || Master is not null || !(ActiveExpiryEnabled || tracking) || !Keyspace.Lock.TryExclusive(out var hold)) { return; }
        using (hold)
        {
            for (var i = 0; ActiveExpiryEnabled && i < Keyspace.Databases.Length; i++) { Keyspace.Databases[i].ExpireSample(20); }
            if (tracking) { Keyspace.Tracking.Limit(Config.GetNumber("tracking-table-max-keys")); }
        }
        if (tracking) { TrackingMessages.Send(this, current: null); }
    }
}

/// <summary>The Redis sample's own settings, from its command line.</summary>
/// <param name="QueryBufferLimit">Redis's client-query-buffer-limit: the most input one client may have waiting
/// (an incomplete command, or commands behind a blocked one); past it the client is closed and logged.</param>
/// <param name="Dir">Where dump.rdb is read at startup and written (Redis's dir).</param>
/// <param name="Save">Redis's save points ("3600 1 300 100"; empty: none).</param>
/// <param name="Settings">Other configuration parameters given at startup (--appendonly yes), as CONFIG SET takes them.</param>
/// <param name="ConfigFile">The config file's full path, which CONFIG REWRITE writes back, or null.</param>
internal sealed record RedisServerOptions(int Port, string Bind, int Databases, string? RequirePass, long MaxBulkLength,
    long QueryBufferLimit = RedisServerOptions.DefaultQueryBufferLimit, string Dir = ".", string DbFileName = "dump.rdb",
    string Save = RedisServerOptions.DefaultSave, IReadOnlyList<(string Name, string Value)>? Settings = null, string? ConfigFile = null)
{
    public const long DefaultQueryBufferLimit = 1024L * 1024 * 1024;

    /// <summary>Redis 7.0's default save points: an hour after one change, 5 minutes after 100, a minute after 10000.</summary>
    public const string DefaultSave = "3600 1 300 100 60 10000";

    /// <summary>Sets what the loops must keep for this server: the query-buffer limit is their unconsumed-input limit.</summary>
    public void ApplyTo(ServerOptions options) => options.MaxUnconsumedBytes = (int)Math.Min(QueryBufferLimit, int.MaxValue);
}
