using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>SLOWLOG GET [count], LEN, RESET, HELP.</summary>
internal static class SlowLogCommand
{
    private static readonly string[] Help =
    [
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(CommandTable t) => t.Add("slowlog", -2, NoKeyspace, 0, 0, 0, SlowLog);

    private static void SlowLog(Session s, RespCommand c)
    {
        var log = s.Server.SlowLog;
        var sub = c[1];
        if (Args.Is(sub, "GET"))
        {
            if (c.Count > 3) { s.Reply.Error(Subcommands.Syntax(sub, "SLOWLOG")); return; }
            long count = 10;
            if (c.Count == 3 && (!Args.TryLong(c[2], out count) || count < -1)) { s.Reply.Error("ERR count should be greater than or equal to -1"); return; }
            var entries = log.Newest(count);
            s.Reply.Array(entries.Length);
            foreach (var entry in entries)
            {
                s.Reply.Array(6);
                s.Reply.Integer(entry.Id);
                s.Reply.Integer(entry.Time);
                s.Reply.Integer(entry.Micros);
                s.Reply.Array(entry.Arguments.Length);
                foreach (var argument in entry.Arguments) { s.Reply.Bulk(argument); }
                s.Reply.Bulk(entry.Peer);
                s.Reply.Bulk(entry.ClientName);
            }
        }
        else if (Args.Is(sub, "LEN") || Args.Is(sub, "RESET") || Args.Is(sub, "HELP"))
        {
            if (c.Count != 2) { s.Reply.Error(Args.WrongArgumentCount($"slowlog|{Args.Text(sub).ToLowerInvariant()}")); }
            else if (Args.Is(sub, "LEN")) { s.Reply.Integer(log.Count); }
            else if (Args.Is(sub, "RESET")) { log.Reset(); s.Reply.Ok(); }
            else { Subcommands.WriteHelp(s, Help); }
        }
        else { s.Reply.Error(Subcommands.Unknown(sub, "SLOWLOG")); }
    }
}
