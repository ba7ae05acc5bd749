using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>LATENCY LATEST, HISTORY event, GRAPH event, RESET [event ...], DOCTOR, HISTOGRAM [command ...], HELP.</summary>
internal static class LatencyCommand
{
    private static readonly string[] Help =
    [
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(CommandTable t) => t.Add("latency", -2, NoScript | NoKeyspace, 0, 0, 0, Latency);

    private static void Latency(Session s, RespCommand c)
    {
        // The subcommand and its arity are checked before it runs (Subcommands.Register).
        var monitor = s.Server.Latency;
        switch (Args.Text(c[1]).ToLowerInvariant())
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
            case "graph":
                if (monitor.Graph(Args.Text(c[2])) is { } graph) { s.Reply.Verbatim(graph); }
                else { s.Reply.Error($"ERR No samples available for event '{Args.Text(c[2])}'"); }
                break;
            case "doctor":
                s.Reply.Verbatim(monitor.Report());
                break;
            case "histogram":
                Histograms(s, c);
                break;
            default:
                Subcommands.WriteHelp(s, Help);
                break;
        }
    }

    // HISTOGRAM [command ...]: a map from each command (or subcommand, config|get) that ran to its calls and cumulative
    // latency distribution, every loop's summed. Named commands that do not exist or never ran are left out; a container
    // names its subcommands that ran. Without names, every command that ran (Redis: in its table's hash order; here by name).
    private static void Histograms(Session s, RespCommand c)
    {
        var table = s.Server.Commands;
        var latencies = s.Server.CommandStatisticsTotal().Latencies;
        var named = new List<CommandSpec>();
        if (c.Count == 2) { named.AddRange(table.Counted.OrderBy(spec => spec.Name, StringComparer.Ordinal)); }
        for (var i = 2; i < c.Count; i++)
        {
            if (table.FindCounted(c[i]) is not { } spec) { continue; }
            named.Add(spec);
            if (spec.Subcommands is { } subcommands) { named.AddRange(subcommands); }
        }
        var ran = named.Where(spec => latencies[spec.Id] is { Count: > 0 }).ToList();
        s.Reply.Map(ran.Count);
        foreach (var spec in ran)
        {
            var histogram = latencies[spec.Id]!;
            s.Reply.Bulk(spec.Name);
            s.Reply.Map(2);
            s.Reply.Bulk("calls"u8);
            s.Reply.Integer(histogram.Count);
            s.Reply.Bulk("histogram_usec"u8);
            var steps = histogram.Cumulative();
            s.Reply.Map(steps.Count);
            foreach (var (micros, calls) in steps)
            {
                s.Reply.Integer(micros);
                s.Reply.Integer(calls);
            }
        }
    }
}
