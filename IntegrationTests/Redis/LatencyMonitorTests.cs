using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>LATENCY and latency-monitor-threshold: commands at least that slow are recorded as command or fast-command events.</summary>
public sealed class LatencyMonitorTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Commands_as_slow_as_the_threshold_are_recorded_from_every_loop(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var clients = await redis.ConnectClientsOverLoopsAsync(2);
        Assert.Equal("OK", await clients[0].CallAsync("DEBUG", "POPULATE", "200000"));
        Assert.Empty((object?[])(await clients[0].CallAsync("LATENCY", "LATEST"))!); // monitoring is off by default

        Assert.Equal("OK", await clients[0].CallAsync("CONFIG", "SET", "latency-monitor-threshold", "1"));
        Assert.Equal("OK", await clients[0].CallAsync("DEBUG", "POPULATE", "200000", "other")); // not a fast command
        await clients[1].CallAsync(["LPUSH", "list", .. Enumerable.Range(0, 200000).Select(i => "element")]); // a fast one, on the other loop
        // Out of reach, so the reads below record nothing (0 would turn monitoring off, and DOCTOR would say so); on a
        // loaded machine any command may take a millisecond, so CONFIG SET itself may have been recorded too.
        Assert.Equal("OK", await clients[0].CallAsync("CONFIG", "SET", "latency-monitor-threshold", "1000000"));

        var latest = ((object?[])(await clients[1].CallAsync("LATENCY", "LATEST"))!).Cast<object?[]>().ToDictionary(e => (string)e[0]!);
        Assert.Equal(["command", "fast-command"], latest.Keys.Order());
        foreach (var (time, milliseconds, max) in latest.Values.Select(e => ((long)e[1]!, (long)e[2]!, (long)e[3]!)))
        {
            Assert.InRange(time, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            Assert.InRange(milliseconds, 1, max);
        }
        var history = (object?[])(await clients[0].CallAsync("LATENCY", "HISTORY", "command"))!;
        Assert.Equal(latest["command"][1..3], (object?[])history[^1]!);
        Assert.Contains($"1. command: {history.Length} latency spikes", (string)(await clients[0].CallAsync("LATENCY", "DOCTOR"))!);

        Assert.Equal(1L, await clients[0].CallAsync("LATENCY", "RESET", "fast-command", "no-such-event"));
        Assert.Equal("command", ((object?[])Assert.Single((object?[])(await clients[0].CallAsync("LATENCY", "LATEST"))!)!)[0]);
        Assert.Equal(1L, await clients[0].CallAsync("LATENCY", "RESET"));
        Assert.Empty((object?[])(await clients[0].CallAsync("LATENCY", "HISTORY", "command"))!);
    }

    [Fact]
    public Task Replies_and_errors_read_as_redis_servers_do() => SameAsRealRedis.RepliesAsync(
        [
            ["LATENCY", "DOCTOR"], ["LATENCY", "LATEST"], ["CONFIG", "SET", "latency-monitor-threshold", "100"], ["LATENCY", "DOCTOR"],
            ["LATENCY", "HISTORY", "command"], ["LATENCY", "RESET"], ["LATENCY", "RESET", "command", "other"],
            ["LATENCY", "HISTORY"], ["LATENCY", "LATEST", "x"], ["LATENCY", "NOPE"],
            ["CONFIG", "SET", "latency-monitor-threshold", "-1"], ["CONFIG", "GET", "latency-monitor-threshold"],
        ]);
}
