using Loop.IntegrationTests.Infrastructure;
using Loop.Samples.Redis.Server;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// LATENCY HISTOGRAM (each command's and subcommand's calls and cumulative latency distribution) and LATENCY GRAPH (an
/// event's spikes drawn as a sparkline), against the real redis-server 7.0 where the figures do not depend on timing.
/// </summary>
public sealed class LatencyHistogramAndGraphTests
{
    // Redis's histogram steps: the microseconds each power of two from 1024 ns reaches, with its bucket.
    private static readonly long[] Steps = [1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056, 2113, 4227, 8454, 16908, 33816, 67633, 135266,
        270532, 541065, 1073741];

    [Fact]
    public async Task Each_command_and_subcommand_counts_its_calls_from_every_loop()
    {
        await using var redis = await InProcessRedis.StartAsync(Backend.Auto);
        var clients = await redis.ConnectClientsOverLoopsAsync(2);
        foreach (var client in clients)
        {
            for (var i = 0; i < 5; i++) { Assert.Equal("OK", await client.CallAsync("SET", "k", "v")); }
            Assert.Equal("v", await client.CallAsync("GET", "k"));
        }
        Assert.Equal(["maxmemory", "0"], (object?[])(await clients[0].CallAsync("CONFIG", "GET", "maxmemory"))!);

        var named = Histograms(await clients[1].CallAsync("LATENCY", "HISTOGRAM", "SET", "nope", "config", "get|x", "config|nope", "Config|Get", "hset"));
        Assert.Equal(["set", "config|get", "config|get"], named.Select(h => h.Name));
        Assert.Equal([10L, 1L, 1L], named.Select(h => h.Calls));
        foreach (var (_, calls, steps) in named)
        {
            // Cumulative: growing counts at Redis's steps, the last one every call.
            Assert.All(steps, step => Assert.Contains(step.Micros, Steps));
            Assert.Equal(steps.Select(step => step.Micros).Order(), steps.Select(step => step.Micros));
            Assert.Equal(steps.Select(step => step.Calls).Order(), steps.Select(step => step.Calls));
            Assert.Equal(calls, steps[^1].Calls);
        }

        // Without names: every command and subcommand that ran, this LATENCY HISTOGRAM's first call included.
        var all = Histograms(await clients[0].CallAsync("LATENCY", "HISTOGRAM")).ToDictionary(h => h.Name, h => h.Calls);
        Assert.Equal(10L, all["set"]);
        Assert.Equal(2L, all["get"]);
        Assert.Equal(1L, all["latency|histogram"]);
        Assert.DoesNotContain("config", all.Keys);

        // INFO counts the subcommand apart too, and CONFIG RESETSTAT forgets every histogram but its own, made as it ends.
        Assert.Contains("cmdstat_config|get:calls=1,", (string)(await clients[0].CallAsync("INFO", "commandstats"))!);
        Assert.Equal("OK", await clients[0].CallAsync("CONFIG", "RESETSTAT"));
        var reset = Histograms(await clients[0].CallAsync("LATENCY", "HISTOGRAM", "set", "config"));
        Assert.Equal([("config|resetstat", 1L)], reset.Select(h => (h.Name, h.Calls)));
    }

    // Names, calls and the last cumulative count (every call) are deterministic; where the steps fall is not.
    [Fact]
    public Task Histogram_replies_name_and_count_as_redis_does() => SameAsRealRedis.RepliesAsync(
        [
            ["LATENCY", "HISTOGRAM", "get", "set", "nope", "get|x"],
            ["SET", "a", "1"], ["SET", "a", "2"], ["SET", "a", "3"], ["CONFIG", "GET", "maxmemory"],
            ["LATENCY", "HISTOGRAM", "set", "nope", "CONFIG", "config|get", "config|nope", "get", "get|x", "set|x|y"],
            ["LATENCY", "HISTOGRAM", "config|resetstat"],
            ["LATENCY", "HELP"], ["LATENCY", "GRAPH", "command"], ["LATENCY", "GRAPH"], ["LATENCY", "GRAPH", "a", "b"],
            ["LATENCY", "HISTOGRAM", "latency|graph", "latency|help"],
        ], Masked);

    [Fact]
    public async Task Graph_draws_an_events_spikes_as_redis_draws_them()
    {
        await using var real = await RealRedis.StartAsync(null, "--enable-debug-command", "yes");
        using var client = await real.ConnectAsync();
        Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "latency-monitor-threshold", "1"));
        // Two spikes of different heights in two seconds: a spike is recorded as it ends, and the second outlasts a second.
        Assert.Equal("OK", await client.CallAsync("DEBUG", "SLEEP", "0.02"));
        Assert.Equal("OK", await client.CallAsync("DEBUG", "SLEEP", "1.05"));
        var graph = (string)(await client.CallAsync("LATENCY", "GRAPH", "command"))!;
        var samples = ((object?[])(await client.CallAsync("LATENCY", "HISTORY", "command"))!).Cast<object?[]>()
            .Select(sample => ((long)sample[0]!, (long)sample[1]!)).ToArray();
        var allTimeHigh = (long)((object?[])((object?[])(await client.CallAsync("LATENCY", "LATEST"))!)[0]!)[3]!;
        Assert.Equal(2, samples.Length);

        // The clock Redis read: the last sample's label (its column's characters below the bars and a blank line).
        var lines = graph.Split('\n');
        var label = string.Concat(lines.Skip(2 + 4 + 1).TakeWhile(line => line.Length > 0 && line[1] != ' ').Select(line => line[1]));
        Assert.EndsWith("s", label);
        var now = samples[^1].Item1 + long.Parse(label[..^1]);

        Assert.Equal(graph, LatencyGraph.Render("command", samples, allTimeHigh, now));
    }

    [Fact]
    public async Task Graph_of_our_spikes_has_redis_shape()
    {
        await using var redis = await InProcessRedis.StartAsync(Backend.Auto);
        var client = new RespClient(await redis.ConnectAsync());
        Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "latency-monitor-threshold", "1"));
        Assert.Equal("OK", await client.CallAsync("DEBUG", "SLEEP", "0.02"));
        var lines = ((string)(await client.CallAsync("LATENCY", "GRAPH", "command"))!).Split('\n');
        Assert.Matches(@"^command - high (\d+) ms, low \1 ms \(all time high \1 ms\)$", lines[0]);
        Assert.Equal(new string('-', 80), lines[1]);
        // One sample: its level is the lowest, drawn at the bottom; then a blank line and its age, downwards ("0" "s").
        Assert.Equal([" ", " ", " ", "_", " "], lines[2..7]);
        Assert.Matches(@"^\d+s$", string.Concat(lines[7..]));
        Assert.Equal("", lines[^1]);
        Assert.Equal(new RespError("ERR No samples available for event 'fast-command'"), await client.CallAsync("LATENCY", "GRAPH", "fast-command"));
    }

    private static List<(string Name, long Calls, List<(long Micros, long Calls)> Steps)> Histograms(object? reply)
    {
        var flat = (object?[])reply!;
        var histograms = new List<(string, long, List<(long, long)>)>();
        for (var i = 0; i < flat.Length; i += 2)
        {
            var fields = (object?[])flat[i + 1]!;
            Assert.Equal("calls", fields[0]);
            Assert.Equal("histogram_usec", fields[2]);
            var steps = ((object?[])fields[3]!).Chunk(2).Select(pair => ((long)pair[0]!, (long)pair[1]!)).ToList();
            histograms.Add(((string)flat[i]!, (long)fields[1]!, steps));
        }
        return histograms;
    }

    // A reply with each histogram_usec shown as its last cumulative count.
    private static string Masked(object? reply) => reply switch
    {
        object?[] { Length: 4 } fields when fields[2] is "histogram_usec" && fields[3] is object?[] steps =>
            $"[{fields[0]}, {fields[1]}, histogram_usec, ..{(steps.Length == 0 ? 0 : steps[^1])}]",
        object?[] items => $"[{string.Join(", ", items.Select(Masked))}]",
        _ => SameAsRealRedis.Show(reply),
    };
}
