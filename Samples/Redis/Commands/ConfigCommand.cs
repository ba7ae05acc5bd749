using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Commands;

/// <summary>CONFIG GET, SET, RESETSTAT, REWRITE and HELP, answered as Redis 7.0 answers them.</summary>
internal static class ConfigCommand
{
    private static readonly string[] Help =
    [
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    ];

    public static void Run(Session s, Loop.Protocols.Resp.RespCommand c)
    {
        var sub = c[1];
        var arityOk = Args.Is(sub, "GET") ? c.Count >= 3 : Args.Is(sub, "SET") ? c.Count >= 4 : c.Count == 2;
        if (!Args.Is(sub, "GET") && !Args.Is(sub, "SET") && !Args.Is(sub, "RESETSTAT") && !Args.Is(sub, "REWRITE") && !Args.Is(sub, "HELP"))
        {
            s.Reply.Error(Subcommands.Unknown(sub, "CONFIG"));
        }
        else if (!arityOk) { s.Reply.Error($"ERR wrong number of arguments for 'config|{Args.Text(sub).ToLowerInvariant()}' command"); }
        else if (Args.Is(sub, "GET"))
        {
            var patterns = new List<string>();
            for (var i = 2; i < c.Count; i++) { patterns.Add(Args.Text(c[i])); }
            var found = s.Server.Config.Lookup(patterns);
            s.Reply.Map(found.Count);
            foreach (var (name, value) in found) { s.Reply.Bulk(name); s.Reply.Bulk(value); }
        }
        else if (Args.Is(sub, "SET")) { Set(s, c); }
        else if (Args.Is(sub, "RESETSTAT"))
        {
            s.Server.ResetStatistics();
            using (s.Server.Keyspace.Lock.Exclusive()) { s.Server.Keyspace.ResetExpiredKeys(); }
            s.Reply.Ok();
        }
        else if (Args.Is(sub, "REWRITE"))
        {
            var users = s.Server.Config.Get("aclfile").Length > 0 ? [] : s.Server.Acl.All.Select(user => user.Line).ToList();
            if (s.Server.Config.Rewrite(users) is { } error) { s.Reply.Error(error); } else { s.Reply.Ok(); }
        }
        else { Subcommands.WriteHelp(s, Help); }
    }

    private static void Set(Session s, Loop.Protocols.Resp.RespCommand c)
    {
        if (c.Count % 2 != 0) { s.Reply.Error(Args.Syntax); return; }
        var pairs = new List<(string, string)>();
        for (var i = 2; i < c.Count; i += 2) { pairs.Add((Args.Text(c[i]), Args.Text(c[i + 1]))); }
        if (s.Server.Config.TrySet(pairs, s.IsLocalClient) is { } error) { s.Reply.Error(error); } else { s.Reply.Ok(); }
    }
}
