using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>LATENCY LATEST, HISTORY event, RESET [event ...], DOCTOR, HELP.</summary>
internal static class LatencyCommand
{
    private static readonly string[] Help =
    [
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(CommandTable t) => t.Add("latency", -2, NoScript | NoKeyspace, 0, 0, 0, Latency);

    private static void Latency(Session s, RespCommand c)
    {
        var monitor = s.Server.Latency;
        var sub = c[1];
        var name = Args.Text(sub).ToLowerInvariant();
        var arity = name switch { "latest" or "doctor" or "help" => 2, "history" => 3, "reset" => -2, _ => 0 };
        if (arity == 0) { s.Reply.Error(Subcommands.Unknown(sub, "LATENCY")); return; }
        if (arity > 0 ? c.Count != arity : c.Count < -arity) { s.Reply.Error(Args.WrongArgumentCount($"latency|{name}")); return; }
        switch (name)
        {
            case "latest":
                var latest = monitor.Latest();
                s.Reply.Array(latest.Length);
                foreach (var (eventName, time, milliseconds, max) in latest)
                {
                    s.Reply.Array(4);
                    s.Reply.Bulk(eventName);
                    s.Reply.Integer(time);
                    s.Reply.Integer(milliseconds);
                    s.Reply.Integer(max);
                }
                break;
            case "history":
                var history = monitor.History(Args.Text(c[2]));
                s.Reply.Array(history.Length);
                foreach (var (time, milliseconds) in history)
                {
                    s.Reply.Array(2);
                    s.Reply.Integer(time);
                    s.Reply.Integer(milliseconds);
                }
                break;
            case "reset":
                var names = new List<string>();
                for (var i = 2; i < c.Count; i++) { names.Add(Args.Text(c[i])); }
                s.Reply.Integer(monitor.Reset(names));
                break;
            case "doctor":
                s.Reply.Bulk(monitor.Report());
                break;
            default:
                Subcommands.WriteHelp(s, Help);
                break;
        }
    }
}
