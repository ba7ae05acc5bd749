using System.Diagnostics;
using System.Text;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>CONFIG (<see cref="ConfigCommand"/>), INFO, COMMAND, DBSIZE, FLUSHDB, FLUSHALL, TIME, FUNCTION, CLUSTER, WAIT.</summary>
internal static class ServerCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("config", -2, NoScript | NoKeyspace, 0, 0, 0, ConfigCommand.Run);
        // INFO holds nothing: what it reads is counted per loop or read from any loop, so monitoring stops no loop, and it
        // answers while a dataset loads (its counts are a moment old at most).
        t.Add("info", -1, NoKeyspace, 0, 0, 0, Info);
        t.Add("command", -1, NoKeyspace, 0, 0, 0, CommandInfo.Command);
        t.Add("dbsize", 1, ReadOnly | Fast, 0, 0, 0, (s, c) => s.Reply.Integer(s.Db.Count));
        t.Add("flushdb", -1, Write, 0, 0, 0, FlushDb);
        t.Add("flushall", -1, Write, 0, 0, 0, FlushAll);
        t.Add("time", 1, Fast | NoKeyspace, 0, 0, 0, Time);
        t.Add("cluster", -2, NoScript, 0, 0, 0, (s, c) => s.Reply.Error("ERR This instance has cluster support disabled"));
    }

    private static void FlushDb(Session s, RespCommand c)
    {
        if (!FlushArgumentsValid(c)) { s.Reply.Error(Args.Syntax); return; }
        s.Db.Clear();
        s.Server.Keyspace.Tracking.Flushed();
        s.Reply.Ok();
    }

    private static void FlushAll(Session s, RespCommand c)
    {
        if (!FlushArgumentsValid(c)) { s.Reply.Error(Args.Syntax); return; }
        foreach (var db in s.Server.Keyspace.Databases) { db.Clear(); }
        s.Server.Keyspace.Tracking.Flushed();
        s.Reply.Ok();
    }

    private static bool FlushArgumentsValid(RespCommand c) => c.Count == 1 || (c.Count == 2 && (Args.Is(c[1], "ASYNC") || Args.Is(c[1], "SYNC")));

    private static void Time(Session s, RespCommand c)
    {
        var micros = DateTimeOffset.UtcNow.Ticks / 10 - DateTimeOffset.UnixEpoch.Ticks / 10;
        s.Reply.Array(2);
        s.Reply.BulkInteger(micros / 1_000_000);
        s.Reply.BulkInteger(micros % 1_000_000);
    }

    private static void Info(Session s, RespCommand c)
    {
        var wanted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < c.Count; i++) { wanted.Add(Args.Text(c[i])); }
        // commandstats and latencystats are left out of INFO and INFO default, as in Redis.
        bool Want(string section) => wanted.Contains(section) || wanted.Contains("all") || wanted.Contains("everything") ||
            (section is not ("commandstats" or "latencystats") && (wanted.Count == 0 || wanted.Contains("default")));

        var server = s.Server;
        var text = new StringBuilder();
        void Section(string name, params (string Key, object Value)[] fields)
        {
            if (!Want(name)) { return; }
            if (text.Length > 0) { text.Append("\r\n"); } // between sections, as Redis: none after the last
            text.Append("# ").Append(char.ToUpperInvariant(name[0])).Append(name[1..]).Append("\r\n");
            foreach (var (key, value) in fields) { text.Append(key).Append(':').Append(value).Append("\r\n"); }
        }
        var usage = ProcessUsage();
        var uptime = (long)(DateTimeOffset.UtcNow - server.StartTime).TotalSeconds;
        var nowMicros = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        Section("server", ("redis_version", RedisVersion.Text), ("redis_git_sha1", "00000000"), ("redis_git_dirty", 0),
            ("redis_build_id", RedisVersion.BuildId), ("redis_mode", "standalone"), ("os", RedisVersion.OperatingSystem),
            ("arch_bits", IntPtr.Size * 8), ("monotonic_clock", "POSIX clock_gettime"), ("multiplexing_api", "loop"),
            ("atomicvar_api", "dotnet-interlocked"), ("gcc_version", "0.0.0"), ("process_id", Environment.ProcessId),
            ("process_supervised", "no"), ("run_id", server.RunId), ("tcp_port", server.Options.Port), ("server_time_usec", nowMicros),
            ("uptime_in_seconds", uptime), ("uptime_in_days", uptime / 86400), ("hz", server.Config.Get("hz")),
            ("configured_hz", server.Config.Get("hz")), ("lru_clock", nowMicros / 1_000_000 & 0xFFFFFF),
            ("executable", Environment.ProcessPath ?? ""), ("config_file", server.Config.ConfigFile ?? ""), ("io_threads_active", 0));
        // The clients' largest input and output buffers now (Redis keeps the largest of the last few seconds);
        // clients_in_timeout_table is not kept.
        var (largestInput, largestOutput) = (0L, 0L);
        foreach (var client in server.Clients.Values)
        {
            var (pending, free) = client.QueryBuffer;
            (largestInput, largestOutput) = (Math.Max(largestInput, pending + free), Math.Max(largestOutput, client.PendingOutput));
        }
        Section("clients", ("connected_clients", server.Clients.Count), ("cluster_connections", 0), ("maxclients", server.Config.Get("maxclients")),
            ("client_recent_max_input_buffer", largestInput), ("client_recent_max_output_buffer", largestOutput),
            ("blocked_clients", server.Keyspace.Databases.Sum(db => db.BlockedClients) + server.ClientPause.Waiting + server.Replication.Acks.Count), ("tracking_clients", server.Keyspace.Tracking.Clients));
        var used = server.Eviction.Gauge.Used;
        var (maxMemory, peak, rss) = (server.Eviction.MaxMemory, server.MemoryPeak(used), usage.ResidentBytes);
        var system = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var functions = server.Scripting.Functions;
        // Redis 7.0's fields in its order, less those of its allocator and its own accounting this server does not keep
        // (see docs/redis-compatibility.md); total_system_memory is what the runtime may use (a container's limit).
        Section("memory", ("used_memory", used), ("used_memory_human", BytesToHuman(used)), ("used_memory_rss", rss),
            ("used_memory_rss_human", BytesToHuman(rss)), ("used_memory_peak", peak), ("used_memory_peak_human", BytesToHuman(peak)),
            ("used_memory_peak_perc", TwoDecimals(100 * Ratio(used, peak)) + "%"), ("total_system_memory", system),
            ("total_system_memory_human", BytesToHuman(system)),
            ("number_of_cached_scripts", server.Scripting.CachedScripts), ("number_of_functions", functions.FunctionCount),
            ("number_of_libraries", functions.Libraries.Count), ("maxmemory", maxMemory), ("maxmemory_human", BytesToHuman(maxMemory)),
            ("maxmemory_policy", server.Config.Get("maxmemory-policy")), ("mem_fragmentation_ratio", TwoDecimals(Ratio(rss, used))),
            ("mem_fragmentation_bytes", rss - used), ("mem_not_counted_for_evict", 0), ("mem_cluster_links", 0), ("mem_allocator", "dotnet-gc"),
            ("active_defrag_running", 0), ("lazyfree_pending_objects", 0),
            // Not Redis's: the collector's pauses, which every loop waits out.
            ("gc_collections_gen2", GC.CollectionCount(2)), ("gc_pause_total_ms", (long)GC.GetTotalPauseDuration().TotalMilliseconds));
        var (rdb, aof) = (server.Persistence, server.Aof);
        var loading = server.Loading;
        Section("persistence", [("loading", loading is null ? 0 : 1), ("async_loading", 0), ("current_cow_peak", 0), ("current_save_keys_processed", 0),
            ("rdb_changes_since_last_save", rdb.ChangesSinceLastSave), ("rdb_bgsave_in_progress", rdb.InProgress ? 1 : 0),
            ("rdb_last_save_time", rdb.LastSaveUnix), ("rdb_last_bgsave_status", rdb.LastBackgroundSaveOk ? "ok" : "err"),
            ("rdb_last_bgsave_time_sec", rdb.LastBackgroundSaveSeconds), ("rdb_current_bgsave_time_sec", rdb.CurrentSaveSeconds),
            ("rdb_saves", rdb.Saves), ("rdb_last_cow_size", 0), ("aof_enabled", aof.Log is null ? 0 : 1),
            ("aof_rewrite_in_progress", aof.RewriteInProgress ? 1 : 0), ("aof_rewrite_scheduled", aof.RewriteScheduled ? 1 : 0),
            ("aof_last_rewrite_time_sec", aof.LastRewriteSeconds), ("aof_current_rewrite_time_sec", aof.CurrentRewriteSeconds),
            ("aof_last_bgrewrite_status", aof.LastRewriteOk ? "ok" : "err"), ("aof_rewrites", aof.Rewrites),
            ("aof_last_write_status", aof.Log?.Failure is null ? "ok" : "err"), ("aof_last_cow_size", 0),
            ("aof_current_size", aof.CurrentSize), ("aof_base_size", aof.BaseSize),
            ("module_fork_in_progress", 0), ("module_fork_last_cow_size", 0), .. loading?.Fields() ?? []]);
        var totals = server.Totals();
        var perCommand = server.CommandStatisticsTotal();
        var unexpectedErrors = Interlocked.Read(ref server.UnexpectedErrorReplies);
        var (network, rates, replication, tracked) = (server.Network, server.Instantaneous, server.Replication, server.Keyspace.Tracking.Size);
        // Redis 7.0's fields in its order, less those this server does not count (see docs/redis-compatibility.md);
        // the zeros are true here: no fork, no defragmentation, no I/O threads, no cached MIGRATE sockets.
        Section("stats", ("total_connections_received", totals.Connections), ("total_commands_processed", totals.Commands),
            ("instantaneous_ops_per_sec", rates.OpsPerSecond), ("total_net_input_bytes", network.Received),
            ("total_net_output_bytes", network.Sent), ("total_net_repl_input_bytes", 0),
            ("instantaneous_input_kbps", TwoDecimals(rates.InputKbps)),
            ("instantaneous_output_kbps", TwoDecimals(rates.OutputKbps)), ("instantaneous_input_repl_kbps", TwoDecimals(0)),
            ("rejected_connections", network.Rejected + Interlocked.Read(ref server.RejectedConnections)),
            ("sync_full", Interlocked.Read(ref replication.FullSyncs)), ("sync_partial_ok", Interlocked.Read(ref replication.PartialSyncs)),
            ("sync_partial_err", Interlocked.Read(ref replication.PartialSyncsRefused)), ("expired_keys", server.Keyspace.ExpiredKeys),
            ("evicted_keys", server.Eviction.EvictedKeys), ("keyspace_hits", totals.KeyspaceHits), ("keyspace_misses", totals.KeyspaceMisses),
            ("pubsub_channels", server.PubSub.ChannelCount(shard: false)), ("pubsub_patterns", server.PubSub.PatternCount),
            ("pubsubshard_channels", server.PubSub.ChannelCount(shard: true)), ("latest_fork_usec", 0), ("total_forks", 0),
            ("migrate_cached_sockets", 0), ("slave_expires_tracked_keys", 0), ("active_defrag_hits", 0), ("active_defrag_misses", 0),
            ("active_defrag_key_hits", 0), ("active_defrag_key_misses", 0), ("total_active_defrag_time", 0),
            ("current_active_defrag_time", 0), ("tracking_total_keys", tracked.Keys), ("tracking_total_items", tracked.Items),
            ("tracking_total_prefixes", server.Keyspace.Tracking.PrefixCount),
            ("unexpected_error_replies", unexpectedErrors), ("total_error_replies", perCommand.ErrorReplies + unexpectedErrors),
            ("io_threaded_reads_processed", 0), ("io_threaded_writes_processed", 0),
            // Not Redis's: how often a loop waited for a lock (the keyspace's stripes, pub/sub), for the scaling benchmark.
            ("lock_contentions", Monitor.LockContentionCount));
        Section("replication", ReplicationCommands.Info(server));
        Section("cpu", ("used_cpu_sys", usage.System.TotalSeconds.ToString("F6")), ("used_cpu_user", usage.User.TotalSeconds.ToString("F6")));
        Section("commandstats", StatisticsInfo.Commands(server.Commands, perCommand));
        Section("errorstats", StatisticsInfo.Errors(perCommand));
        Section("latencystats", StatisticsInfo.Latencies(server.Commands, perCommand));
        var keyspace = server.Keyspace.Databases.Where(db => db.Count > 0)
            .Select(db => ($"db{db.Index}", (object)$"keys={db.Count},expires={db.ExpiresCount},avg_ttl={db.AverageTtlMs}")).ToArray();
        Section("keyspace", keyspace);
        s.Reply.Bulk(text.ToString());
    }

    // Redis's %.2f: the rates, the peak's percentage, the fragmentation ratio.
    private static string TwoDecimals(double value) => value.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);

    private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;

    // Redis's bytesToHuman: bytes below 1 KB, else two decimals of the largest unit under the value.
    private static string BytesToHuman(long bytes)
    {
        if (bytes < 1024) { return $"{bytes}B"; }
        var units = "KMGTP";
        var value = bytes / 1024.0;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value:F2}{units[unit]}");
    }

    // Read from /proc, which takes a descriptor: with none to be had (RLIMIT_NOFILE reached) INFO answers zeros rather
    // than failing, so a client can still ask a server that is out of descriptors.
    private static (long ResidentBytes, TimeSpan System, TimeSpan User) ProcessUsage()
    {
        try
        {
            using var process = Process.GetCurrentProcess();
            return (process.WorkingSet64, process.PrivilegedProcessorTime, process.UserProcessorTime);
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }
}
