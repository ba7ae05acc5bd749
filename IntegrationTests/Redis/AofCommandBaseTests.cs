using Loop.IntegrationTests.Infrastructure;
using Loop.Samples.Redis.Persistence;
using static Loop.IntegrationTests.Redis.ConcurrentClients;
using static Loop.IntegrationTests.Redis.RedisContent;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// aof-use-rdb-preamble no: a rewrite writes its base as the commands that rebuild every key (appendonly.aof.N.base.aof),
/// which redis-check-aof passes and which both this server and redis-server 7.0 load back to the same keys.
/// </summary>
public sealed class AofCommandBaseTests
{
    private const string Deadline = "4102444800000";

    // Past the 64 items one command carries, deadlines, and a stream with what XSETID, XGROUP and XCLAIM rebuild.
    private static readonly string[][] More =
    [
        ["PEXPIREAT", "l:big", Deadline], ["PEXPIREAT", "s:text", Deadline],
        ["XADD", "x:stream", "1-1", "f", "v"], ["XADD", "x:stream", "1-2", "f", "w", "g", "h"], ["XADD", "x:stream", "5-0", "a", "b"],
        ["XDEL", "x:stream", "1-2"], ["XGROUP", "CREATE", "x:stream", "readers", "0"], ["XGROUP", "CREATE", "x:stream", "late", "$"],
        ["XREADGROUP", "GROUP", "readers", "alice", "COUNT", "1", "STREAMS", "x:stream", ">"],
        ["XGROUP", "CREATECONSUMER", "x:stream", "readers", "idle-bob"],
        ["XADD", "x:empty", "9-9", "f", "v"], ["XDEL", "x:empty", "9-9"],
    ];

    private static readonly string[] StreamKeys = ["x:stream", "x:empty"];

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_base_of_commands_passes_redis_check_aof_and_loads_here_and_into_redis(Backend backend)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        var aofDirectory = Path.Combine(directory, AofFileNames.DefaultDirectoryName);
        string[] before;
        await using (var first = await StartAsync(backend, directory))
        {
            using var client = new RespClient(await first.ConnectAsync());
            await RunAsync(client, [.. Fill, .. More]);
            Assert.Equal("Background append only file rewriting started", await client.CallAsync("BGREWRITEAOF"));
            Assert.True(await Polling.Eventually(async () => InfoField(await client.CallAsync("INFO", "persistence"), "aof_rewrites") == 1),
                "BGREWRITEAOF did not complete");
            before = await ReadEverythingAsync(client);
        }
        Assert.Equal(["appendonly.aof.2.base.aof", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"],
            Directory.GetFiles(aofDirectory).Select(Path.GetFileName).Order());
        Assert.StartsWith("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n", File.ReadAllText(Path.Combine(aofDirectory, "appendonly.aof.2.base.aof")));

        var check = await RealRedis.RunToolAsync("redis-check-aof", Path.Combine(aofDirectory, AofFileNames.Manifest(AofFileNames.DefaultFileName)));
        Assert.True(check.ExitCode == 0 && check.Output.Contains("All AOF files and manifest are valid"), check.Output);

        await using (var second = await StartAsync(backend, directory))
        {
            using var again = new RespClient(await second.ConnectAsync());
            Assert.Equal(before, await ReadEverythingAsync(again));
        }
        // redis-server takes the directory over, and removes it when it stops.
        await using var redis = await RealRedis.StartAsync(directory, "--appendonly", "yes", "--aof-use-rdb-preamble", "no");
        using var real = await redis.ConnectAsync();
        Assert.Equal(before, await ReadEverythingAsync(real));
    }

    private static Task<InProcessRedis> StartAsync(Backend backend, string directory) =>
        InProcessRedis.StartAsync(backend, dir: directory, settings: [("appendonly", "yes"), ("aof-use-rdb-preamble", "no")]);

    // Every key's content and deadline, and what a stream's metadata, groups and pending entries hold (not the times of
    // delivery and last sight: XCLAIM keeps the first, Redis's rewrite does not keep the second).
    private static async Task<string[]> ReadEverythingAsync(RespClient client)
    {
        var everything = new List<string>(await ReadAllAsync(client, Keys));
        foreach (var key in Keys) { everything.Add($"{key} {await client.CallAsync("PEXPIRETIME", key)}"); }
        foreach (var key in StreamKeys)
        {
            var info = ((object?[])(await client.CallAsync("XINFO", "STREAM", key))!).Chunk(2).ToDictionary(p => (string)p[0]!, p => p[1]);
            everything.Add($"{key} {info["length"]} {info["last-generated-id"]} {info["max-deleted-entry-id"]} {info["entries-added"]}");
            everything.Add(Flatten(await client.CallAsync("XRANGE", key, "-", "+")));
            everything.Add(Flatten(await client.CallAsync("XINFO", "GROUPS", key)));
            if (key != "x:stream") { continue; }
            // Each pending entry's ID, consumer and delivery count (its idle time goes on).
            var pending = (object?[])(await client.CallAsync("XPENDING", key, "readers", "-", "+", "10"))!;
            everything.Add(Flatten(pending.Cast<object?[]>().Select(entry => new[] { entry[0], entry[1], entry[3] }).ToArray()));
            var consumers = (object?[])(await client.CallAsync("XINFO", "CONSUMERS", key, "readers"))!;
            everything.Add(string.Join(",", consumers.Cast<object?[]>().Select(c => $"{c[1]}:{c[3]}")));
        }
        return [.. everything];
    }

    private static string Flatten(object? reply) => reply is object?[] items ? "[" + string.Join(",", items.Select(Flatten)) + "]" : $"{reply}";
}
