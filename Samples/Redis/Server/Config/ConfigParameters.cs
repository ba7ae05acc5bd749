using static Loop.Samples.Redis.Server.ConfigFlags;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// Every parameter of Redis 7.0.15 (its config.c's static_configs, as the TLS build reports them), with Redis's defaults.
/// Only some change what this server does (see <see cref="RedisConfig"/>); the others are kept and reported, as a client
/// or a config file may set them (replication, cluster, TLS, lazyfree, defragmentation have nothing to act on here).
/// </summary>
internal static class ConfigParameters
{
    private const long IntMax = int.MaxValue, LongMax = long.MaxValue;

    private static ConfigParameter Bool(string name, bool value, ConfigFlags flags = None, string? alias = null) =>
        new(name, alias, BoolConfig.Instance, value ? "yes" : "no", flags);

    private static ConfigParameter Text(string name, string value = "", ConfigFlags flags = None, bool emptyIsUnset = false,
        Func<string, string?>? invalid = null, string? alias = null) =>
        new(name, alias, new TextConfig(emptyIsUnset, invalid), value, flags);

    private static ConfigParameter Unset(string name, ConfigFlags flags = None, string? alias = null) =>
        new(name, alias, TextConfig.Unset, "", flags);

    private static ConfigParameter Enum(string name, string value, string[] names, ConfigFlags flags = None) =>
        new(name, null, new EnumConfig(names), value, flags);

    private static ConfigParameter Number(string name, long lower, long upper, long value, ConfigFlags flags = None,
        string? alias = null, NumericForm form = NumericForm.Integer, bool unsigned = false, Func<long, long>? adjust = null)
    {
        var type = new NumericConfig(lower, upper, form, unsigned, adjust);
        return new(name, alias, type, type.Format(value), flags);
    }

    private static ConfigParameter Memory(string name, long lower, long upper, long value, ConfigFlags flags = None,
        string? alias = null, bool unsigned = false) => Number(name, lower, upper, value, flags, alias, NumericForm.Memory, unsigned);

    private static readonly string[] ProtectedAction = ["no", "yes", "local"];

    public static readonly ConfigParameter[] All =
    [
        Bool("rdbchecksum", true, Immutable),
        Bool("daemonize", false, Immutable),
        Bool("io-threads-do-reads", false, Immutable),
        Bool("always-show-logo", false, Immutable),
        Bool("protected-mode", true),
        Bool("rdbcompression", true),
        Bool("rdb-del-sync-files", false),
        Bool("activerehashing", true),
        Bool("stop-writes-on-bgsave-error", true),
        Bool("set-proc-title", true, Immutable),
        Bool("dynamic-hz", true),
        Bool("lazyfree-lazy-eviction", false),
        Bool("lazyfree-lazy-expire", false),
        Bool("lazyfree-lazy-server-del", false),
        Bool("lazyfree-lazy-user-del", false),
        Bool("lazyfree-lazy-user-flush", false),
        Bool("repl-disable-tcp-nodelay", false),
        Bool("repl-diskless-sync", true),
        Bool("aof-rewrite-incremental-fsync", true),
        Bool("no-appendfsync-on-rewrite", false),
        Bool("cluster-require-full-coverage", true),
        Bool("rdb-save-incremental-fsync", true),
        Bool("aof-load-truncated", true),
        Bool("aof-use-rdb-preamble", true),
        Bool("aof-timestamp-enabled", false),
        Bool("cluster-replica-no-failover", false, alias: "cluster-slave-no-failover"),
        Bool("replica-lazy-flush", false, alias: "slave-lazy-flush"),
        Bool("replica-serve-stale-data", true, alias: "slave-serve-stale-data"),
        Bool("replica-read-only", true, alias: "slave-read-only"),
        Bool("replica-ignore-maxmemory", true, alias: "slave-ignore-maxmemory"),
        Bool("jemalloc-bg-thread", true),
        // As a Redis built without its own jemalloc (Debian's): there is nothing to defragment here either.
        new("activedefrag", null, new BoolConfig(on => on ? "Active defragmentation cannot be enabled: it requires a Redis server "
            + "compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution" : null), "no"),
        Bool("syslog-enabled", false, Immutable),
        Bool("cluster-enabled", false, Immutable),
        Bool("appendonly", false),
        Bool("cluster-allow-reads-when-down", false),
        Bool("cluster-allow-pubsubshard-when-down", true),
        Bool("crash-log-enabled", true),
        Bool("crash-memcheck-enabled", true),
        Bool("use-exit-on-panic", false, Hidden),
        Bool("disable-thp", true, Immutable),
        Bool("cluster-allow-replica-migration", true),
        Bool("replica-announced", true),
        Bool("latency-tracking", true),
        Bool("aof-disable-auto-gc", false),
        Bool("replica-ignore-disk-write-errors", false),

        Text("aclfile", flags: Immutable),
        Unset("unixsocket", Immutable),
        Unset("pidfile", Immutable),
        Unset("replica-announce-ip", alias: "slave-announce-ip"),
        Unset("masteruser", Sensitive),
        Unset("cluster-announce-ip"),
        Text("cluster-config-file", "nodes.conf", Immutable),
        Text("cluster-announce-hostname", emptyIsUnset: true, invalid: InvalidHostname),
        Text("syslog-ident", "redis", Immutable),
        Text("dbfilename", "dump.rdb", Protected, invalid: v => v.Contains('/') ? "dbfilename can't be a path, just a filename" : null),
        Text("appendfilename", "appendonly.aof", Immutable, invalid: v => v.Length == 0 ? "appendfilename can't be empty"
            : v.Contains('/') ? "appendfilename can't be a path, just a filename" : null),
        Text("appenddirname", "appendonlydir", Immutable, invalid: v => v.Length == 0 ? "appenddirname can't be empty"
            : v.Contains('/') ? "appenddirname can't be a path, just a dirname" : null),
        Unset("server_cpulist", Immutable),
        Unset("bio_cpulist", Immutable),
        Unset("aof_rewrite_cpulist", Immutable),
        Unset("bgsave_cpulist", Immutable),
        Text("ignore-warnings"),
        Text("proc-title-template", "{title} {listen-addr} {server-mode}", invalid: InvalidProcTitleTemplate),
        Unset("bind-source-addr"),
        Text("logfile", flags: Immutable, invalid: v => v.Length > 0 ? RedisLog.CannotOpen(v) : null),
        Unset("masterauth", Sensitive),
        Unset("requirepass", Sensitive),

        Enum("supervised", "no", ["upstart", "systemd", "auto", "no"], Immutable),
        Enum("syslog-facility", "local0", ["user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"], Immutable),
        Enum("repl-diskless-load", "disabled", ["disabled", "on-empty-db", "swapdb"]),
        Enum("loglevel", "notice", ["debug", "verbose", "notice", "warning"]),
        Enum("maxmemory-policy", "noeviction", ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
            "allkeys-lfu", "allkeys-random", "noeviction"]),
        Enum("appendfsync", "everysec", ["everysec", "always", "no"]),
        new("oom-score-adj", null, new EnumConfig(("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)), "no"),
        Enum("acl-pubsub-default", "resetchannels", ["allchannels", "resetchannels"]),
        Enum("sanitize-dump-payload", "no", ["no", "yes", "clients"]),
        Enum("enable-protected-configs", "no", ProtectedAction, Immutable),
        Enum("enable-debug-command", "no", ProtectedAction, Immutable),
        Enum("enable-module-command", "no", ProtectedAction, Immutable),
        Enum("cluster-preferred-endpoint-type", "ip", ["ip", "hostname", "unknown-endpoint"]),
        Enum("propagation-error-behavior", "ignore", ["ignore", "panic", "panic-on-replicas"]),
        new("shutdown-on-sigint", null, new ShutdownFlagsConfig(), "default"),
        new("shutdown-on-sigterm", null, new ShutdownFlagsConfig(), "default"),

        Number("databases", 1, IntMax, 16, Immutable),
        Number("port", 0, 65535, 6379, StartupOnly),
        Number("io-threads", 1, 128, 1, Immutable),
        Number("auto-aof-rewrite-percentage", 0, IntMax, 100),
        Number("cluster-replica-validity-factor", 0, IntMax, 10, alias: "cluster-slave-validity-factor"),
        Number("list-max-listpack-size", int.MinValue, IntMax, -2, alias: "list-max-ziplist-size"),
        Number("tcp-keepalive", 0, IntMax, 300),
        Number("cluster-migration-barrier", 0, IntMax, 1),
        Number("active-defrag-cycle-min", 1, 99, 1),
        Number("active-defrag-cycle-max", 1, 99, 25),
        Number("active-defrag-threshold-lower", 0, 1000, 10),
        Number("active-defrag-threshold-upper", 0, 1000, 100),
        Number("lfu-log-factor", 0, IntMax, 10),
        Number("lfu-decay-time", 0, IntMax, 1),
        Number("replica-priority", 0, IntMax, 100, alias: "slave-priority"),
        Number("repl-diskless-sync-delay", 0, IntMax, 5),
        Number("maxmemory-samples", 1, IntMax, 5),
        Number("maxmemory-eviction-tenacity", 0, 100, 10),
        Number("timeout", 0, IntMax, 0),
        Number("replica-announce-port", 0, 65535, 0, alias: "slave-announce-port"),
        Number("tcp-backlog", 0, IntMax, 511, Immutable),
        Number("cluster-port", 0, 65535, 0, Immutable),
        Number("cluster-announce-bus-port", 0, 65535, 0),
        Number("cluster-announce-port", 0, 65535, 0),
        Number("cluster-announce-tls-port", 0, 65535, 0),
        Number("repl-timeout", 1, IntMax, 60),
        Number("repl-ping-replica-period", 1, IntMax, 10, alias: "repl-ping-slave-period"),
        Number("list-compress-depth", 0, IntMax, 0),
        Number("rdb-key-save-delay", int.MinValue, IntMax, 0, Hidden),
        Number("key-load-delay", int.MinValue, IntMax, 0, Hidden),
        Number("active-expire-effort", 1, 10, 1),
        // Redis accepts any hz and keeps it within 1 and 500.
        Number("hz", 0, IntMax, 10, adjust: hz => Math.Clamp(hz, 1, 500)),
        Number("min-replicas-to-write", 0, IntMax, 0, alias: "min-slaves-to-write"),
        Number("min-replicas-max-lag", 0, IntMax, 10, alias: "min-slaves-max-lag"),
        // Redis raises a watchdog period under two of its cron ticks to two ticks (200 ms at the default hz).
        Number("watchdog-period", 0, IntMax, 0, Hidden, adjust: ms => ms is > 0 and < 200 ? 200 : ms),
        Number("shutdown-timeout", 0, IntMax, 10),
        Number("repl-diskless-sync-max-replicas", 0, IntMax, 0),
        Number("maxclients", 1, uint.MaxValue, 10000, unsigned: true),
        Number("unixsocketperm", 0, Convert.ToInt64("777", 8), 0, Immutable, form: NumericForm.Octal, unsigned: true),
        Number("socket-mark-id", 0, uint.MaxValue, 0, Immutable, unsigned: true),
        Number("active-defrag-max-scan-fields", 1, LongMax, 1000),
        Number("slowlog-max-len", 0, LongMax, 128),
        Number("acllog-max-len", 0, LongMax, 128),
        Number("busy-reply-threshold", 0, LongMax, 5000, alias: "lua-time-limit"),
        Number("cluster-node-timeout", 0, LongMax, 15000),
        Number("slowlog-log-slower-than", -1, LongMax, 10000),
        Number("latency-monitor-threshold", 0, LongMax, 0),
        Memory("proto-max-bulk-len", 1024 * 1024, LongMax, 512L * 1024 * 1024, StartupOnly),
        Number("stream-node-max-entries", 0, LongMax, 100),
        // Redis keeps a replication backlog of at least 16 kB.
        Number("repl-backlog-size", 1, LongMax, 1024 * 1024, form: NumericForm.Memory, adjust: bytes => Math.Max(bytes, 16 * 1024)),
        Memory("maxmemory", 0, -1, 0, unsigned: true),
        Memory("cluster-link-sendbuf-limit", 0, -1, 0, unsigned: true),
        Number("hash-max-listpack-entries", 0, LongMax, 512, alias: "hash-max-ziplist-entries", unsigned: true),
        Number("set-max-intset-entries", 0, LongMax, 512, unsigned: true),
        Number("zset-max-listpack-entries", 0, LongMax, 128, alias: "zset-max-ziplist-entries", unsigned: true),
        Memory("active-defrag-ignore-bytes", 1, LongMax, 100 << 20, unsigned: true),
        Memory("hash-max-listpack-value", 0, LongMax, 64, alias: "hash-max-ziplist-value", unsigned: true),
        Memory("stream-node-max-bytes", 0, LongMax, 4096, unsigned: true),
        Memory("zset-max-listpack-value", 0, LongMax, 64, alias: "zset-max-ziplist-value", unsigned: true),
        Memory("hll-sparse-max-bytes", 0, LongMax, 3000, unsigned: true),
        Number("tracking-table-max-keys", 0, LongMax, 1000000, unsigned: true),
        Memory("client-query-buffer-limit", 1024 * 1024, LongMax, 1024 * 1024 * 1024, StartupOnly, unsigned: true),
        Number("maxmemory-clients", -100, LongMax, 0, form: NumericForm.Memory | NumericForm.Percent),
        Number("repl-backlog-ttl", 0, LongMax, 3600),
        Memory("auto-aof-rewrite-min-size", 0, LongMax, 64 * 1024 * 1024),
        Number("loading-process-events-interval-bytes", 1024, IntMax, 2 * 1024 * 1024, Hidden),

        Number("tls-port", 0, 65535, 0),
        Number("tls-session-cache-size", 0, IntMax, 20 * 1024),
        Number("tls-session-cache-timeout", 0, IntMax, 300),
        Bool("tls-cluster", false),
        Bool("tls-replication", false),
        Enum("tls-auth-clients", "yes", ["no", "yes", "optional"]),
        Bool("tls-prefer-server-ciphers", false),
        Bool("tls-session-caching", true),
        Unset("tls-cert-file"),
        Unset("tls-key-file"),
        Unset("tls-key-file-pass"),
        Unset("tls-client-cert-file"),
        Unset("tls-client-key-file"),
        Unset("tls-client-key-file-pass"),
        Unset("tls-dh-params-file"),
        Unset("tls-ca-cert-file"),
        Unset("tls-ca-cert-dir"),
        Unset("tls-protocols"),
        Unset("tls-ciphers"),
        Unset("tls-ciphersuites"),

        new("dir", null, new DirConfig(), "", Protected),
        new("save", null, new SaveConfig(), "3600 1 300 100 60 10000"),
        new("client-output-buffer-limit", null, new ClientOutputBufferLimitConfig(),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
        new("oom-score-adj-values", null, new OomScoreAdjValuesConfig(), "0 200 800"),
        new("notify-keyspace-events", null, new NotifyKeyspaceEventsConfig(), ""),
        new("bind", null, new BindConfig(), "* -::*", StartupOnly),
        new("replicaof", "slaveof", new ReplicaOfConfig(), "", Immutable),
        new("latency-tracking-info-percentiles", null, new PercentilesConfig(), "50 99 99.9"),
    ];

    private static readonly Dictionary<string, ConfigParameter> ByName =
        All.SelectMany(NamesOf).ToDictionary(pair => pair.Name, pair => pair.Parameter, StringComparer.OrdinalIgnoreCase);

    /// <summary>The parameter called <paramref name="name"/> (or by its alias), in any case.</summary>
    public static ConfigParameter? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>Every name CONFIG GET's patterns see: each parameter's and its alias's, hidden ones left out.</summary>
    public static IEnumerable<(string Name, ConfigParameter Parameter)> Names =>
        All.Where(p => !p.Is(Hidden)).SelectMany(NamesOf);

    private static IEnumerable<(string Name, ConfigParameter Parameter)> NamesOf(ConfigParameter p) =>
        p.Alias is null ? [(p.Name, p)] : [(p.Name, p), (p.Alias, p)];

    // Redis's validateProcTitleTemplate: {{ and }} stand for braces, every {variable} is known, and the title it makes
    // (with an empty title, no unix socket, no config file, the standalone mode's empty name) is not blank.
    private static string? InvalidProcTitleTemplate(string template)
    {
        var title = new System.Text.StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] != '{' || (i + 1 < template.Length && template[i + 1] == '{'))
            {
                title.Append(template[i]);
                i += template[i] is '{' or '}' && i + 1 < template.Length && template[i + 1] == template[i] ? 1 : 0;
                continue;
            }
            var end = template.IndexOf('}', i + 1);
            if (end < 0) { return ProcTitleError; }
            var known = template[(i + 1)..end] switch
            {
                "title" or "server-mode" or "unixsocket" or "config-file" => "",
                "listen-addr" or "port" or "tls-port" => "0",
                _ => null,
            };
            if (known is null) { return ProcTitleError; }
            title.Append(known);
            i = end;
        }
        return title.ToString().Trim(' ').Length == 0 ? ProcTitleError : null;
    }

    private const string ProcTitleError = "template format is invalid or contains unknown variables";

    // Redis's isValidAnnouncedHostname: under 256 characters, letters, digits, hyphens and dots.
    private static string? InvalidHostname(string value) =>
        value.Length >= 256 ? "Hostnames must be less than 256 characters"
        : value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') ? null
        : "Hostnames may only contain alphanumeric characters, hyphens or dots";
}
