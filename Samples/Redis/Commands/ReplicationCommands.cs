using Loop.Protocols.Resp;
using Loop.Samples.Redis.Replication;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// The master side of replication: SYNC, PSYNC (a partial resync from the backlog, else a full one), REPLCONF, WAIT,
/// and what INFO replication and ROLE say about the replicas (see <see cref="ReplicationMaster"/>) or, on a replica,
/// about its master (<see cref="MasterLink"/>).
/// </summary>
internal static class ReplicationCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("sync", 1, NoScript | NoMulti | NoKeyspace, 0, 0, 0, (s, _) => Sync(s, psync: false, continuing: false));
        t.Add("psync", -3, NoScript | NoMulti | NoKeyspace, 0, 0, 0, PartialSync);
        t.Add("replconf", -1, NoScript | NoKeyspace, 0, 0, 0, ReplConf);
        t.Add("wait", 3, NoScript | NoKeyspace, 0, 0, 0, Wait);
    }

    // WAIT numreplicas timeout, as Redis's waitCommand: the replicas that acknowledged the stream's writes so far, at once
    // when there are enough (or inside a transaction), else once there are or the timeout passed, the replicas asked at
    // once for their offset. Refused on a replica.
    private static void Wait(Session s, RespCommand c)
    {
        if (s.Server.Master is not null)
        {
            s.Reply.Error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
            return;
        }
        if (!Args.TryLong(c[1], out var needed)) { s.Reply.Error("ERR value is not an integer or out of range"); return; }
        if (Args.TimeoutError(c[2], out var timeout) is { } error) { s.Reply.Error(error); return; }
        var replication = s.Server.Replication;
        var offset = replication.Stream.WrittenUpTo;
        var acknowledged = replication.Acks.Acknowledged(offset);
        if (acknowledged >= needed || s.InExec)
        {
            s.Reply.Integer(acknowledged);
            return;
        }
        replication.Acks.Wait(s, offset, needed, timeout);
        replication.RequestAcks();
    }

    // PSYNC replid offset continues the stream when this server's backlog still has it; otherwise, or with PSYNC ? -1, a
    // full resync (a refused continuation counted as sync_partial_err).
    private static void PartialSync(Session s, RespCommand c)
    {
        if (s.AsReplica is not null) { return; }
        var continuing = !Args.Is(c[1], "?");
        if (continuing && Args.TryLong(c[2], out var offset) && s.Server.Replication.TryContinue(s, Args.Text(c[1]), offset)) { return; }
        Sync(s, psync: true, continuing);
    }

    // A connection already a replica asking again is ignored, as Redis ignores it.
    private static void Sync(Session s, bool psync, bool continuing)
    {
        if (s.AsReplica is not null) { return; }
        if (continuing) { Interlocked.Increment(ref s.Server.Replication.PartialSyncsRefused); }
        s.Server.Replication.StartFullSync(s, psync);
    }

    // Options in pairs, as Redis's replconfCommand reads them: ACK and GETACK end the command without a reply (a master has
    // no master to acknowledge to), the others answer OK once all are read.
    private static void ReplConf(Session s, RespCommand c)
    {
        if (c.Count % 2 == 0) { s.Reply.Error(Args.Syntax); return; }
        for (var i = 1; i < c.Count; i += 2)
        {
            var option = c[i];
            var value = c[i + 1];
            if (Args.Is(option, "listening-port"))
            {
                if (!Args.TryLong(value, out var port)) { s.Reply.Error(Args.NotInteger); return; }
                s.Handshake.ListeningPort = (int)port;
            }
            else if (Args.Is(option, "ip-address"))
            {
                if (value.Length >= 46) { s.Reply.Error($"ERR REPLCONF ip-address provided by replica instance is too long: {value.Length} bytes"); return; }
                s.Handshake.AnnouncedIp = Args.Text(value);
            }
            else if (Args.Is(option, "capa")) { s.Handshake.Psync2 |= Args.Is(value, "psync2"); } // eof: RDBs are sent with their length
            else if (Args.Is(option, "ack"))
            {
                if (s.AsReplica is { } replica && Args.TryLong(value, out var offset) && offset > replica.AckOffset)
                {
                    replica.Acknowledge(offset);
                    s.Server.Replication.Acks.Acknowledge();
                }
                return;
            }
            else if (Args.Is(option, "getack")) { return; }
            else if (Args.Is(option, "rdb-only"))
            {
                if (!Args.TryLong(value, out var only)) { s.Reply.Error(Args.NotInteger); return; }
                if (only is < 0 or > 1) { s.Reply.Error("ERR value is out of range, value must between 0 and 1"); return; }
                s.Handshake.RdbOnly = only == 1;
            }
            else if (Args.Is(option, "rdb-filter-only"))
            {
                // What the snapshot includes (redis-cli --functions-rdb): "functions", or nothing at all when empty.
                if (ConfigArgs.Split(Args.Text(value)) is not { } filters) { s.Reply.Error("ERR Missing rdb-filter-only values"); return; }
                if (filters.FirstOrDefault(filter => !filter.Equals("functions", StringComparison.OrdinalIgnoreCase)) is { } unsupported)
                {
                    s.Reply.Error($"ERR Unsupported rdb-filter-only option: {unsupported}");
                    return;
                }
                (s.Handshake.RdbIncludesKeys, s.Handshake.RdbIncludesFunctions) = (false, filters.Count > 0);
            }
            else
            {
                s.Reply.Error($"ERR Unrecognized REPLCONF option: {Args.Text(option)}");
                return;
            }
        }
        s.Reply.Ok();
    }

    /// <summary>INFO replication's fields, as Redis 7.0 lists them for a master or a replica.</summary>
    public static (string Key, object Value)[] Info(RedisServer server)
    {
        var stream = server.Replication.Stream;
        var replicas = stream.Replicas;
        var master = server.Master;
        var fields = new List<(string, object)>();
        if (master is null) { fields.Add(("role", "master")); }
        else { fields.AddRange(ReplicaInfo(server, master)); }
        fields.Add(("connected_slaves", replicas.Length));
        if (server.Replication.CountsGoodReplicas) { fields.Add(("min_slaves_good_slaves", server.Replication.GoodReplicas)); }
        var now = Clock.NowMs;
        for (var i = 0; i < replicas.Length; i++)
        {
            var r = replicas[i];
            var state = r.State switch { ReplicaState.Online => "online", ReplicaState.SendBulk => "send_bulk", _ => "wait_bgsave" };
            fields.Add(($"slave{i}", $"ip={r.Ip},port={r.Handshake.ListeningPort},state={state},offset={r.AckOffset},lag={(now - r.LastAckMs) / 1000}"));
        }
        var (firstByte, length) = stream.Window;
        // A replica shows its master's id and the master's offset it has applied, as a Redis replica (which keeps
        // the master's stream as its own) shows them.
        var (id, offset) = master is { MasterId: { } masterId } ? (masterId, Math.Max(0, master.Offset)) : (stream.Id, stream.Offset);
        fields.AddRange([("master_failover_state", "no-failover"), ("master_replid", id), ("master_replid2", new string('0', 40)),
            ("master_repl_offset", offset), ("second_repl_offset", -1), ("repl_backlog_active", stream.Active ? 1 : 0),
            ("repl_backlog_size", server.Config.GetNumber("repl-backlog-size")), ("repl_backlog_first_byte_offset", firstByte),
            ("repl_backlog_histlen", length)]);
        return [.. fields];
    }

    private static IEnumerable<(string, object)> ReplicaInfo(RedisServer server, MasterLink master)
    {
        var up = master.State == MasterLinkState.Connected;
        var now = Clock.NowMs;
        var applied = Math.Max(0, master.Offset);
        yield return ("role", "slave");
        yield return ("master_host", master.Host);
        yield return ("master_port", master.Port);
        yield return ("master_link_status", up ? "up" : "down");
        yield return ("master_last_io_seconds_ago", up ? (now - master.LastIoMs) / 1000 : -1);
        yield return ("master_sync_in_progress", master.State == MasterLinkState.Sync ? 1 : 0);
        yield return ("slave_read_repl_offset", applied);
        yield return ("slave_repl_offset", applied);
        if (master.Transfer is var (size, read))
        {
            yield return ("master_sync_total_bytes", size);
            yield return ("master_sync_read_bytes", read);
            yield return ("master_sync_left_bytes", size - read);
            yield return ("master_sync_perc", (size > 0 ? (double)read / size * 100 : 0).ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
            yield return ("master_sync_last_io_seconds_ago", (now - master.LastIoMs) / 1000);
        }
        if (!up) { yield return ("master_link_down_since_seconds", (now - master.DownSinceMs) / 1000); }
        yield return ("slave_priority", server.Config.GetNumber("replica-priority"));
        yield return ("slave_read_only", server.Config.Get("replica-read-only") == "yes" ? 1 : 0);
        yield return ("replica_announced", server.Config.Get("replica-announced") == "yes" ? 1 : 0);
    }

    /// <summary>
    /// ROLE: master, its offset, and each online replica's address, port and acknowledged offset; or slave, its
    /// master's address and port, the link's state and the offset applied (-1 before the first sync).
    /// </summary>
    public static void Role(Session s)
    {
        if (s.Server.Master is { } master)
        {
            s.Reply.Array(5);
            s.Reply.Bulk("slave"u8);
            s.Reply.Bulk(master.Host);
            s.Reply.Integer(master.Port);
            s.Reply.Bulk(master.State.ToString().ToLowerInvariant());
            s.Reply.Integer(master.Offset);
            return;
        }
        var stream = s.Server.Replication.Stream;
        var online = stream.Replicas.Where(r => r.State == ReplicaState.Online).ToList();
        s.Reply.Array(3);
        s.Reply.Bulk("master"u8);
        s.Reply.Integer(stream.Offset);
        s.Reply.Array(online.Count);
        foreach (var replica in online)
        {
            s.Reply.Array(3);
            s.Reply.Bulk(replica.Ip);
            s.Reply.Bulk(replica.Handshake.ListeningPort.ToString());
            s.Reply.Bulk(replica.AckOffset.ToString());
        }
    }
}
