using System.Text.RegularExpressions;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>INFO commandstats, errorstats, latencystats and the error counts of INFO stats, counted per loop and summed.</summary>
public sealed partial class CommandStatisticsTests
{
    // Calls, rejections, failures and errors of every kind Redis tells apart; EXEC's commands count for themselves.
    private static readonly string[][] Script =
    [
        ["SET", "k", "1"], ["GET", "k"], ["GET", "k"], ["GET"], ["INCR", "k"], ["LPUSH", "k", "x"], ["NOSUCHCOMMAND", "a"],
        ["MULTI"], ["SET", "s", "v"], ["LPUSH", "s", "x"], ["EXEC"], ["INCRBY", "k", "notanumber"], ["DEL", "k", "s"],
    ];

    // Subcommands are counted apart (config|get); an unknown one in no command, a wrong arity as the subcommand's rejection.
    private static readonly string[][] Subcommands =
    [
        ["CONFIG", "GET", "maxmemory"], ["config", "get"], ["CONFIG", "NOPE"], ["CONFIG"], ["OBJECT", "ENCODING", "k"],
        ["OBJECT", "FREQ", "k"], ["CLIENT", "ID", "x"], ["LATENCY", "HISTORY", "command"], ["LATENCY", "GRAPH", "command"],
        ["MULTI"], ["CONFIG", "NOPE"], ["SLOWLOG", "LEN", "x"], ["EXEC"],
    ];

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Calls_rejections_failures_and_errors_are_counted_as_redis_counts_them(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = new RespClient(await redis.ConnectAsync());
        foreach (var command in Script) { await client.CallAsync(command); }

        var stats = Fields(await Info(client, "commandstats"));
        Assert.Equal("calls=2,rejected_calls=1,failed_calls=0", WithoutTimes(stats["cmdstat_get"]));
        Assert.Equal("calls=1,rejected_calls=0,failed_calls=1", WithoutTimes(stats["cmdstat_incrby"]));
        Assert.Equal("calls=2,rejected_calls=0,failed_calls=2", WithoutTimes(stats["cmdstat_lpush"]));
        Assert.Equal("calls=1,rejected_calls=0,failed_calls=0", WithoutTimes(stats["cmdstat_exec"])); // its LPUSH failed, not it
        Assert.DoesNotContain(stats.Keys, name => name.Contains("nosuchcommand"));
        var errors = Fields(await Info(client, "errorstats"));
        Assert.Equal(new Dictionary<string, string> { ["errorstat_ERR"] = "count=3", ["errorstat_WRONGTYPE"] = "count=2" }, errors);
        var totals = Fields(await Info(client, "stats"));
        Assert.Equal(("5", "0"), (totals["total_error_replies"], totals["unexpected_error_replies"]));
        var latencies = Fields(await Info(client, "latencystats"));
        Assert.Matches(@"^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$", latencies["latency_percentiles_usec_get"]);

        Assert.Equal("OK", await client.CallAsync("CONFIG", "RESETSTAT"));
        var afterReset = await Info(client, "commandstats", "errorstats");
        Assert.DoesNotContain("cmdstat_get", afterReset);
        Assert.DoesNotContain("errorstat_", afterReset);
        Assert.Equal("0", Fields(await Info(client, "stats"))["total_error_replies"]);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Each_loop_counts_its_own_commands_and_INFO_sums_them(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var clients = await redis.ConnectClientsOverLoopsAsync(redis.Server.Loops.Count);
        foreach (var client in clients)
        {
            await client.CallAsync("SET", "k", "v");
            await client.CallAsync("GET");
        }
        var stats = Fields(await Info(clients[0], "commandstats"));
        Assert.Equal($"calls={clients.Length},rejected_calls=0,failed_calls=0", WithoutTimes(stats["cmdstat_set"]));
        Assert.Equal($"calls=0,rejected_calls={clients.Length},failed_calls=0", WithoutTimes(stats["cmdstat_get"]));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_blocking_command_counts_once_when_its_wait_ends(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var waiter = new RespClient(await redis.ConnectAsync());
        using var other = new RespClient(await redis.ConnectAsync());
        await waiter.SendAsync("BLPOP", "list", "0");
        await redis.WaitForBlockedClientsAsync(1);
        Assert.DoesNotContain("cmdstat_blpop", await Info(other, "commandstats"));
        await other.CallAsync("RPUSH", "list", "x");
        Assert.Equal(new object[] { "list", "x" }, await waiter.ReadAsync());
        Assert.Equal("calls=1,rejected_calls=0,failed_calls=0", WithoutTimes(Fields(await Info(other, "commandstats"))["cmdstat_blpop"]));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_blocking_command_whose_wait_ends_in_an_error_counts_as_failed(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var waiter = new RespClient(await redis.ConnectAsync());
        using var other = new RespClient(await redis.ConnectAsync());
        Assert.Equal("OK", await other.CallAsync("XGROUP", "CREATE", "stream", "group", "$", "MKSTREAM"));
        await waiter.SendAsync("XREADGROUP", "GROUP", "group", "consumer", "BLOCK", "0", "STREAMS", "stream", ">");
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal(1L, await other.CallAsync("XGROUP", "DESTROY", "stream", "group"));
        Assert.StartsWith("NOGROUP", Assert.IsType<RespError>(await waiter.ReadAsync()).Message);
        Assert.Equal("calls=1,rejected_calls=0,failed_calls=1", WithoutTimes(Fields(await Info(other, "commandstats"))["cmdstat_xreadgroup"]));
    }

    [Fact]
    public async Task Commandstats_and_errorstats_read_as_redis_servers_do()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        using var ourClient = new RespClient(await ours.ConnectAsync());
        using var theirClient = await real.ConnectAsync();
        foreach (var client in new[] { ourClient, theirClient })
        {
            await client.CallAsync("CONFIG", "RESETSTAT");
            foreach (var command in Script.Concat(Subcommands)) { await client.CallAsync(command); }
        }
        // The times differ from run to run.
        foreach (var section in new[] { "commandstats", "errorstats", "latencystats" })
        {
            Assert.Equal(Comparable(await Info(theirClient, section)), Comparable(await Info(ourClient, section)));
        }
        var (ourStats, theirStats) = (Fields(await Info(ourClient, "stats")), Fields(await Info(theirClient, "stats")));
        Assert.Equal(theirStats["total_error_replies"], ourStats["total_error_replies"]);
    }

    private static async Task<string> Info(RespClient client, params string[] sections) => (string)(await client.CallAsync(["INFO", .. sections]))!;

    private static Dictionary<string, string> Fields(string info) => info.Split("\r\n")
        .Where(line => line.Contains(':') && !line.StartsWith('#')).ToDictionary(line => line[..line.IndexOf(':')], line => line[(line.IndexOf(':') + 1)..]);

    private static string WithoutTimes(string commandStats) => Times().Replace(commandStats, "");

    private static string Comparable(string info) => string.Join('\n', info.Split("\r\n")
        .Where(line => line.Length > 0 && !line.Contains("_info:"))
        .Select(line => Numbers().Replace(Times().Replace(line, ""), "N"))
        .Order(StringComparer.Ordinal));

    [GeneratedRegex(@"usec=\d+,usec_per_call=[\d.]+,")]
    private static partial Regex Times();

    // Latency percentiles: Redis's and ours measure different runs.
    [GeneratedRegex(@"(?<==)\d+\.\d{3}")]
    private static partial Regex Numbers();
}
