using System.Text;

namespace Loop.Benchmarks.Soak;

/// <summary>What one soak measured, for the summary.</summary>
internal sealed record SoakReport(
    SoakOptions Options, double Seconds, SoakPlan Plan, LegitTally Tally, ServerSample Before, ServerSample? After,
    TimeSpan? DrainTook, long PeakRssBytes, int StuckClients, int FaultedClients);

/// <summary>The Markdown summary of one soak.</summary>
internal static class Summary
{
    public static string Markdown(SoakReport r)
    {
        var o = r.Options;
        var text = new StringBuilder();
        text.AppendLine($"### {o.Target}{(o.Label.Length > 0 ? ", " + o.Label : "")}").AppendLine();
        text.AppendLine($"- {r.Seconds:F0} s of soak on port {o.Port}, server pid {o.Pid}");
        text.AppendLine($"- **legitimate requests: {r.Tally.Ok} ok, {r.Tally.Failed} failed**");
        if (r.After is not { } after)
        {
            text.AppendLine($"- **the server exited**; RSS {MiB(r.Before.RssBytes)} at the start, **peak {MiB(r.PeakRssBytes)}**; fds {r.Before.Fds} before");
        }
        else
        {
            var drain = r.DrainTook is { } took ? $"back within {took.TotalSeconds:F1} s" : "**not back within 10 s**";
            text.AppendLine($"- RSS: {MiB(r.Before.RssBytes)} at the start, **peak {MiB(r.PeakRssBytes)}**, {MiB(after.RssBytes)} at the end");
            text.AppendLine($"- fds: **{r.Before.Fds} before, {after.Fds} after**, sockets among them: {r.Before.Sockets} before, {after.Sockets} after; " +
                $"the server's connections on its port after: {after.Connections} ({drain})");
            var cpu = after.CpuSeconds - r.Before.CpuSeconds;
            text.AppendLine($"- server CPU: {cpu:F1} s ({cpu / r.Seconds:F2} cores on average)");
        }
        if (r.StuckClients > 0) { text.AppendLine($"- **{r.StuckClients} soak client(s) still running 15 s after the end**"); }
        if (r.FaultedClients > 0) { text.AppendLine($"- **{r.FaultedClients} soak client(s) failed by themselves** (a bug in the soak: see its stderr)"); }
        text.AppendLine();
        text.AppendLine("| client | role | at once | connections | closed by the server | connect failures |");
        text.AppendLine("|---|---|---|---|---|---|");
        ClientKind[] kinds = [.. r.Plan.Setup is { } setup ? [setup] : Array.Empty<ClientKind>(), .. r.Plan.Clients, r.Plan.FinalCheck];
        foreach (var k in kinds)
        {
            text.AppendLine($"| {k.Name} | {k.Role.ToString().ToLowerInvariant()} | {k.Instances} | {k.Connections} | {k.ServerClosed} | {k.ConnectFailures} |");
        }
        if (r.Tally.Failed > 0)
        {
            text.AppendLine().AppendLine("First failures of legitimate requests:").AppendLine();
            foreach (var failure in r.Tally.FirstFailures) { text.AppendLine($"- {failure}"); }
        }
        return text.AppendLine().ToString();
    }

    private static string MiB(long bytes) => $"{bytes / (1024.0 * 1024):F1} MiB";
}
