using static Loop.IntegrationTests.Redis.RedisContent;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// Streams in RDB files and DUMP payloads against the real redis-server 7.0: nodes with tombstones, an emptied stream,
/// Redis 7's metadata, consumer groups with pending entries (one of them deleted) and consumers. Each server loads what
/// the other wrote and answers XRANGE and XINFO (STREAM, FULL, GROUPS) exactly as the writer did; redis-check-rdb
/// accepts our file.
/// </summary>
public sealed class StreamRdbTests
{
    private static readonly string[][] Entries =
    [
        ["XADD", "x:small", "1-1", "f", "v", "n", "12", "e", ""],
        ["XADD", "x:small", "1-2", "f", "w", "n", "-7", "e", "x"],
        ["XADD", "x:small", "2-0", "other", RedisContent.Binary],
        ["XSETID", "x:small", "100-0", "ENTRIESADDED", "50", "MAXDELETEDID", "2-0"],
        .. Enumerable.Range(1, 330).Select(BigEntry),
        ["XDEL", "x:big", "1007-1", "1350-2", "2000-0", "3303-3"],
        ["XTRIM", "x:big", "MAXLEN", "250"],
        ["XADD", "x:emptied", "5-5", "a", "b"],
        ["XDEL", "x:emptied", "5-5"],
        .. Enumerable.Range(1, 20).Select(i => new[] { "XADD", "x:groups", $"{i}-0", "n", $"{i}" }),
    ];

    // Same fields as the node's first entry mostly; every ninth has one more, some of them long or large integers.
    private static string[] BigEntry(int i)
    {
        string[] entry = ["XADD", "x:big", $"{1000 + i * 7}-{i % 4}", "id", $"{i}", "kind", i % 5 == 0 ? "odd" : "even"];
        return i % 9 == 0 ? [.. entry, "extra", i % 2 == 0 ? Compressible : $"{-i * 100_000_000L}"] : entry;
    }

    private static readonly string[][] Groups =
    [
        ["XGROUP", "CREATE", "x:groups", "readers", "0"],
        ["XGROUP", "CREATE", "x:groups", "late", "$"],
        ["XGROUP", "CREATE", "x:groups", "middle", "5-0"],
        ["XREADGROUP", "GROUP", "readers", "alice", "COUNT", "5", "STREAMS", "x:groups", ">"],
        ["XREADGROUP", "GROUP", "readers", "bob", "COUNT", "3", "STREAMS", "x:groups", ">"],
        ["XACK", "x:groups", "readers", "2-0"],
        ["XGROUP", "CREATECONSUMER", "x:groups", "readers", "carol"],
        ["XCLAIM", "x:groups", "readers", "carol", "0", "7-0", "RETRYCOUNT", "4"],
        ["XDEL", "x:groups", "3-0", "15-0"],
        ["XGROUP", "CREATE", "x:emptied", "g", "$"],
    ];

    private static readonly string[] StreamKeys = ["x:small", "x:big", "x:emptied", "x:groups"];

    [Fact]
    public async Task Streams_redis_saved_load_here_and_what_this_server_saves_loads_back_into_redis()
    {
        await using var redis = await RealRedis.StartAsync();
        using var theirs = await redis.ConnectAsync();
        await RunAsync(theirs, [.. Entries, .. Groups]);
        Assert.Equal("OK", await theirs.CallAsync("SAVE"));
        var expected = await DescribeAsync(theirs);

        var directory = RealRedis.NewDirectory();
        File.Copy(Path.Combine(redis.Directory, "dump.rdb"), Path.Combine(directory, "dump.rdb"));
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto, dir: directory);
        using var ours = new RespClient(await loop.ConnectAsync());
        Assert.Equal(expected, await DescribeAsync(ours));

        Assert.Equal("OK", await ours.CallAsync("SAVE"));
        var check = await RealRedis.RunToolAsync("redis-check-rdb", Path.Combine(directory, "dump.rdb"));
        Assert.True(check.ExitCode == 0 && check.Output.Contains("RDB looks OK"), check.Output);
        await using var reloaded = await RealRedis.StartAsync(directory);
        using var again = await reloaded.ConnectAsync();
        Assert.Equal(expected, await DescribeAsync(again));
    }

    [Fact]
    public async Task Streams_and_groups_built_here_save_into_a_file_redis_loads_with_the_same_answers()
    {
        var directory = RealRedis.NewDirectory();
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto, dir: directory);
        using var ours = new RespClient(await loop.ConnectAsync());
        await RunAsync(ours, [.. Entries, .. Groups]);
        var expected = await DescribeAsync(ours);
        Assert.Equal("OK", await ours.CallAsync("SAVE"));

        var check = await RealRedis.RunToolAsync("redis-check-rdb", Path.Combine(directory, "dump.rdb"));
        Assert.True(check.ExitCode == 0 && check.Output.Contains("RDB looks OK"), check.Output);
        await using var redis = await RealRedis.StartAsync(directory);
        using var theirs = await redis.ConnectAsync();
        Assert.Equal(expected, await DescribeAsync(theirs));
    }

    [Fact]
    public async Task A_stream_dumped_by_either_server_restores_into_the_other()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var ours = new RespClient(await loop.ConnectAsync());
        using var theirs = await redis.ConnectAsync();
        await RunAsync(theirs, [.. Entries, .. Groups]);
        foreach (var key in StreamKeys)
        {
            Assert.Equal("OK", await ours.CallAsync("RESTORE", key, "0", (string)(await theirs.CallAsync("DUMP", key))!));
            Assert.Equal(await DescribeAsync(theirs, key), await DescribeAsync(ours, key));
            Assert.Equal("OK", await theirs.CallAsync("RESTORE", key + ":back", "0", (string)(await ours.CallAsync("DUMP", key))!));
            Assert.Equal(await DescribeAsync(theirs, key), (await DescribeAsync(theirs, key + ":back")).Replace(key + ":back", key));
        }
    }

    private static async Task<string> DescribeAsync(RespClient client)
    {
        var keys = new List<string>();
        foreach (var key in StreamKeys) { keys.Add(await DescribeAsync(client, key)); }
        return string.Join("\n", keys);
    }

    // Everything a stream answers that does not depend on the clock (XINFO CONSUMERS' idle time does).
    private static async Task<string> DescribeAsync(RespClient client, string key)
    {
        if (await client.CallAsync("EXISTS", key) is 0L) { return $"{key}: none"; }
        var replies = new List<string> { key };
        foreach (var command in new[] { new[] { "TYPE", key }, ["XRANGE", key, "-", "+"], ["XREVRANGE", key, "+", "-", "COUNT", "3"],
                     ["XINFO", "STREAM", key], ["XINFO", "STREAM", key, "FULL", "COUNT", "0"], ["XINFO", "GROUPS", key] })
        {
            replies.Add(await client.Socket.CommandAsync(command));
        }
        return string.Join("\n", replies);
    }
}
