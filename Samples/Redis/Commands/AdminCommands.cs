using System.Buffers;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Server;
using Microsoft.Extensions.Logging;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// What administration tools ask a server without cluster or modules, answered as redis-server 7.0 answers them then:
/// ROLE, REPLICAOF/SLAVEOF (see <see cref="Replication.MasterLink"/>), FAILOVER, READONLY, READWRITE, ASKING, MODULE,
/// LOLWUT, and MEMORY (USAGE as the value's serialized size plus the key's, an estimate: the sample keeps values its own
/// way).
/// </summary>
internal static class AdminCommands
{
    private const string ClusterDisabled = "ERR This instance has cluster support disabled";
    public static void Register(CommandTable t)
    {
        t.Add("role", 1, NoScript | NoKeyspace | Fast, 0, 0, 0, Role);
        t.Add("replicaof", 3, NoScript | NoKeyspace, 0, 0, 0, ReplicaOf);
        t.Add("slaveof", 3, NoScript | NoKeyspace, 0, 0, 0, ReplicaOf);
        t.Add("failover", -1, NoScript | NoKeyspace, 0, 0, 0, (s, c) => s.Reply.Error("ERR FAILOVER requires connected replicas."));
        t.Add("readonly", 1, Fast | NoKeyspace, 0, 0, 0, (s, c) => s.Reply.Error(ClusterDisabled));
        t.Add("readwrite", 1, Fast | NoKeyspace, 0, 0, 0, (s, c) => s.Reply.Error(ClusterDisabled));
        t.Add("asking", 1, Fast | NoKeyspace, 0, 0, 0, (s, c) => s.Reply.Error(ClusterDisabled));
        t.Add("module", -2, NoScript | NoKeyspace, 0, 0, 0, Module);
        t.Add("lolwut", -1, ReadOnly | Fast | NoKeyspace, 0, 0, 0, Lolwut);
        t.Add("memory", -2, ReadOnly, new KeySpec(2, 2, 1), Memory);
    }

    private static void Role(Session s, RespCommand c) => ReplicationCommands.Role(s);

    // REPLICAOF host port follows that master (OK at once: the link syncs in the background), NO ONE stops following,
    // as Redis's replicaofCommand answers and logs them.
    private static void ReplicaOf(Session s, RespCommand c)
    {
        var server = s.Server;
        var client = $"id={s.Id} addr={s.Peer} laddr={s.LocalAddress} fd=0 name={s.Name}";
        if (Args.Is(c[1], "NO") && Args.Is(c[2], "ONE"))
        {
            if (server.Master is not null)
            {
                server.Unfollow();
                server.Log.LogInformation("MASTER MODE enabled (user request from '{Client}')", client);
            }
            s.Reply.Ok();
            return;
        }
        if (!Args.TryLong(c[2], out var port) || port is < 0 or > 65535) { s.Reply.Error("ERR Invalid master port"); return; }
        var host = Args.Text(c[1]);
        if (server.Master is { } master && master.Host.Equals(host, StringComparison.OrdinalIgnoreCase) && master.Port == port)
        {
            server.Log.LogInformation("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
            s.Reply.SimpleString("OK Already connected to specified master");
            return;
        }
        server.Follow(s.Client.Loop, host, (int)port);
        server.Log.LogInformation("REPLICAOF {Host}:{Port} enabled (user request from '{Client}')", host, port, client);
        s.Reply.Ok();
    }

    private static void Module(Session s, RespCommand c)
    {
        if (Args.Is(c[1], "LIST") && c.Count == 2) { s.Reply.Array(0); }
        else if (Args.Is(c[1], "HELP") && c.Count == 2)
        {
            Help(s, "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "LIST", "    Return a list of loaded modules.",
                "LOAD <path> [<arg> ...]", "    Load a module library from <path>, passing to it any optional arguments.",
                "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
                "    Load a module library from <path>, while passing it module configurations and optional arguments.", "UNLOAD <name>",
                "    Unload a module.", "HELP", "    Prints this help.");
        }
        else if (Args.Is(c[1], "LOAD") || Args.Is(c[1], "LOADEX") || Args.Is(c[1], "UNLOAD"))
        {
            s.Reply.Error("ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.");
        }
        else { UnknownSubcommand(s, c, "MODULE"); }
    }

    // Redis draws art for VERSION 5 and 6; its default, kept here for every version, is the version line.
    private static void Lolwut(Session s, RespCommand c)
    {
        if (c.Count >= 3 && Args.Is(c[1], "VERSION") && !Args.TryLong(c[2], out _)) { s.Reply.Error(Args.NotInteger); return; }
        s.Reply.Bulk($"Redis ver. {RedisVersion.Text}\n");
    }

    private static void Memory(Session s, RespCommand c)
    {
        if (Args.Is(c[1], "USAGE") && c.Count >= 3)
        {
            for (var i = 3; i < c.Count; i += 2)
            {
                if (!Args.Is(c[i], "SAMPLES") || i + 1 == c.Count) { s.Reply.Error(Args.Syntax); return; }
                if (!Args.TryLong(c[i + 1], out var samples)) { s.Reply.Error(Args.NotInteger); return; }
                if (samples < 0) { s.Reply.Error(Args.Syntax); return; }
            }
            if (s.Db.Peek(c[2]) is not { } value) { s.Reply.Null(); return; }
            var serialized = new ArrayBufferWriter<byte>();
            RdbEncoder.WriteValue(serialized, value);
            // The key and the value as the file holds them, and Redis's per-key overhead (entry, object headers).
            s.Reply.Integer(c[2].Length + serialized.WrittenCount + 48);
        }
        else if (Args.Is(c[1], "DOCTOR") && c.Count == 2)
        {
            // Redis's doctor has nothing to say under 5 MB; the rest of its checks are about its allocator.
            s.Reply.Bulk(GC.GetTotalMemory(false) < 5 << 20
                ? "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting."
                : "Sam, I detected no memory issues in this instance. I can't be of help this time: keep up the good work.");
        }
        else if (Args.Is(c[1], "PURGE") && c.Count == 2) { s.Reply.Ok(); }
        else if (Args.Is(c[1], "MALLOC-STATS") && c.Count == 2) { s.Reply.Bulk("Stats not supported for the current allocator"); }
        else if (Args.Is(c[1], "STATS") && c.Count == 2)
        {
            var used = GC.GetTotalMemory(false);
            var keys = s.Server.Keyspace.Databases.Sum(db => (long)db.Count);
            s.Reply.Map(5);
            s.Reply.Bulk("peak.allocated"u8);
            s.Reply.Integer(GC.GetGCMemoryInfo().HeapSizeBytes);
            s.Reply.Bulk("total.allocated"u8);
            s.Reply.Integer(used);
            s.Reply.Bulk("keys.count"u8);
            s.Reply.Integer(keys);
            s.Reply.Bulk("keys.bytes-per-key"u8);
            s.Reply.Integer(keys == 0 ? 0 : used / keys);
            s.Reply.Bulk("dataset.bytes"u8);
            s.Reply.Integer(used);
        }
        else if (Args.Is(c[1], "HELP") && c.Count == 2)
        {
            Help(s, "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "DOCTOR", "    Return memory problems reports.",
                "MALLOC-STATS", "    Return internal statistics report from the memory allocator.", "PURGE",
                "    Attempt to purge dirty pages for reclamation by the allocator.", "STATS", "    Return information about the memory usage of the server.",
                "USAGE <key> [SAMPLES <count>]", "    Return memory in bytes used by <key> and its value. Nested values are", "    sampled up to <count> times (default: 5, 0 means sample all).",
                "HELP", "    Prints this help.");
        }
        else { UnknownSubcommand(s, c, "MEMORY"); }
    }

    private static void Help(Session s, params string[] lines)
    {
        s.Reply.Array(lines.Length);
        foreach (var line in lines) { s.Reply.SimpleString(line); }
    }

    private static void UnknownSubcommand(Session s, RespCommand c, string command) =>
        s.Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{Args.Text(c[1])}'. Try {command} HELP.");
}
