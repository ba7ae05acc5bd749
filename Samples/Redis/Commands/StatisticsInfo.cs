using System.Globalization;
using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Commands;

/// <summary>The lines of INFO commandstats, errorstats and latencystats, spelled as Redis 7.0 spells them.</summary>
internal static class StatisticsInfo
{
    // Redis's latency-tracking-info-percentiles default, and how it prints them (%f trimmed).
    private static readonly (double Value, string Name)[] Percentiles = [(50, "p50"), (99, "p99"), (99.9, "p99.9")];

    /// <summary>cmdstat_NAME:calls=..,usec=..,usec_per_call=..,rejected_calls=..,failed_calls=.. for each command used.</summary>
    public static (string Key, object Value)[] Commands(CommandTable table, CommandStatistics stats) =>
        Used(table, stats).Select(spec =>
        {
            var (calls, micros) = (stats.Calls[spec.Id], stats.Micros[spec.Id]);
            var perCall = calls == 0 ? 0 : (float)micros / calls;
            return ($"cmdstat_{spec.Name}", (object)string.Create(CultureInfo.InvariantCulture,
                $"calls={calls},usec={micros},usec_per_call={perCall:F2},rejected_calls={stats.RejectedCalls[spec.Id]},failed_calls={stats.FailedCalls[spec.Id]}"));
        }).ToArray();

    /// <summary>errorstat_PREFIX:count=N, by prefix in byte order (Redis keeps them in a radix tree).</summary>
    public static (string Key, object Value)[] Errors(CommandStatistics stats) =>
        stats.Errors.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => ($"errorstat_{pair.Key}", (object)$"count={pair.Value}")).ToArray();

    /// <summary>latency_percentiles_usec_NAME:p50=..,p99=..,p99.9=.. for each command that ran.</summary>
    public static (string Key, object Value)[] Latencies(CommandTable table, CommandStatistics stats) =>
        Used(table, stats).Where(spec => stats.Latencies[spec.Id] is { Count: > 0 }).Select(spec =>
        {
            var histogram = stats.Latencies[spec.Id]!;
            var values = Percentiles.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name}={histogram.ValueAtPercentile(p.Value):F3}"));
            return ($"latency_percentiles_usec_{spec.Name}", (object)string.Join(',', values));
        }).ToArray();

    private static IEnumerable<CommandSpec> Used(CommandTable table, CommandStatistics stats) =>
        table.Counted.Where(spec => stats.Calls[spec.Id] + stats.RejectedCalls[spec.Id] + stats.FailedCalls[spec.Id] > 0).OrderBy(spec => spec.Name, StringComparer.Ordinal);
}
