using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// Container commands (CONFIG, CLIENT, LATENCY, ...): their subcommands, and what they answer as Redis's addReplyHelp and its
/// subcommand errors do.
/// </summary>
internal static class Subcommands
{
    /// <summary>
    /// The containers' subcommands and their arities as Redis 7.0's command table has them: each counted apart in INFO
    /// commandstats and LATENCY HISTOGRAM, and checked before it runs (an unknown one, a wrong count of arguments).
    /// </summary>
    public static void Register(CommandTable t)
    {
        t.AddSubcommands("acl", ("cat", -2), ("deluser", -3), ("dryrun", -4), ("genpass", -2), ("getuser", 3), ("help", 2), ("list", 2),
            ("load", 2), ("log", -2), ("save", 2), ("setuser", -3), ("users", 2), ("whoami", 2));
        t.AddSubcommands("client", ("caching", 3), ("getname", 2), ("getredir", 2), ("help", 2), ("id", 2), ("info", 2), ("kill", -3),
            ("list", -2), ("no-evict", 3), ("pause", -3), ("reply", 3), ("setname", 3), ("tracking", -3), ("trackinginfo", 2),
            ("unblock", -3), ("unpause", 2));
        t.AddSubcommands("cluster", ("addslots", -3), ("addslotsrange", -4), ("bumpepoch", 2), ("count-failure-reports", 3),
            ("countkeysinslot", 3), ("delslots", -3), ("delslotsrange", -4), ("failover", -2), ("flushslots", 2), ("forget", 3),
            ("getkeysinslot", 4), ("help", 2), ("info", 2), ("keyslot", 3), ("links", 2), ("meet", -4), ("myid", 2), ("nodes", 2),
            ("replicas", 3), ("replicate", 3), ("reset", -2), ("saveconfig", 2), ("set-config-epoch", 3), ("setslot", -4), ("shards", 2),
            ("slaves", 3), ("slots", 2));
        t.AddSubcommands("command", ("count", 2), ("docs", -2), ("getkeys", -4), ("getkeysandflags", -4), ("help", 2), ("info", -2),
            ("list", -2));
        t.AddSubcommands("config", ("get", -3), ("help", 2), ("resetstat", 2), ("rewrite", 2), ("set", -4));
        t.AddSubcommands("function", ("delete", 3), ("dump", 2), ("flush", -2), ("help", 2), ("kill", 2), ("list", -2), ("load", -3),
            ("restore", -3), ("stats", 2));
        t.AddSubcommands("latency", ("doctor", 2), ("graph", 3), ("help", 2), ("histogram", -2), ("history", 3), ("latest", 2),
            ("reset", -2));
        t.AddSubcommands("memory", ("doctor", 2), ("help", 2), ("malloc-stats", 2), ("purge", 2), ("stats", 2), ("usage", -3));
        t.AddSubcommands("module", ("help", 2), ("list", 2), ("load", -3), ("loadex", -3), ("unload", 3));
        t.AddSubcommands("object", ("encoding", 3), ("freq", 3), ("help", 2), ("idletime", 3), ("refcount", 3));
        t.AddSubcommands("pubsub", ("channels", -2), ("help", 2), ("numpat", 2), ("numsub", -2), ("shardchannels", -2),
            ("shardnumsub", -2));
        t.AddSubcommands("script", ("debug", 3), ("exists", -3), ("flush", -2), ("help", 2), ("kill", 2), ("load", 3));
        t.AddSubcommands("slowlog", ("get", -2), ("help", 2), ("len", 2), ("reset", 2));
        t.AddSubcommands("xgroup", ("create", -5), ("createconsumer", 5), ("delconsumer", 5), ("destroy", 4), ("help", 2), ("setid", -5));
        t.AddSubcommands("xinfo", ("consumers", 4), ("groups", 3), ("help", 2), ("stream", -3));
    }

    /// <summary>A container's subcommand it does not have, refused as Redis's processCommand refuses it.</summary>
    public static string UnknownRefused(ReadOnlySpan<byte> sub, string container)
    {
        var name = Args.Text(sub);
        return $"ERR unknown subcommand '{(name.Length > 128 ? name[..128] : name)}'. Try {container.ToUpperInvariant()} HELP.";
    }

    /// <summary>HELP: each line a simple string.</summary>
    public static void WriteHelp(Session s, string[] lines)
    {
        s.Reply.Array(lines.Length);
        foreach (var line in lines) { s.Reply.SimpleString(line); }
    }

    /// <summary>A subcommand the container does not have.</summary>
    public static string Unknown(ReadOnlySpan<byte> sub, string container) => $"ERR unknown subcommand '{Args.Text(sub)}'. Try {container} HELP.";

    /// <summary>A known subcommand with arguments it does not take (addReplySubcommandSyntaxError).</summary>
    public static string Syntax(ReadOnlySpan<byte> sub, string container) =>
        $"ERR unknown subcommand or wrong number of arguments for '{Args.Text(sub)}'. Try {container} HELP.";
}
