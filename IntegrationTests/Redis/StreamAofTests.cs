using System.Text.RegularExpressions;
using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Redis.RedisContent;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// Streams through the append-only file: what would replay differently is logged as what it did (XADD's generated IDs,
/// a group's deliveries and claims as XCLAIM and XGROUP SETID, also when a blocked reader is served), so after a restart
/// the stream, its groups and their pending entries answer as before.
/// </summary>
public sealed partial class StreamAofTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Streams_and_their_groups_survive_a_restart_from_the_append_only_file(Backend backend)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-stream-aof-").FullName;
        string before;
        await using (var first = await InProcessRedis.StartAsync(backend, dir: directory, settings: [("appendonly", "yes"), ("appendfsync", "always")]))
        {
            using var client = new RespClient(await first.ConnectAsync());
            using var reader = await first.ConnectClientOnAnotherLoopAsync(client);
            await RunAsync(client, [
                ["XADD", "s", "*", "n", "1"], ["XADD", "s", "*", "n", "2"], ["XADD", "s", "MAXLEN", "~", "100", "*", "n", "3"],
                ["XADD", "s", "*", "n", "4"], ["XADD", "s", "*", "n", "5"], ["XADD", "t", "7-*", "m", "x"], ["XADD", "t", "7-*", "m", "y"],
                ["XGROUP", "CREATE", "s", "g", "0"], ["XGROUP", "CREATE", "s", "quiet", "$"],
                ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">"],
                ["XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "NOACK", "STREAMS", "s", ">"],
                ["XCLAIM", "s", "g", "carol", "0", "0-1", "RETRYCOUNT", "5"], ["XGROUP", "CREATECONSUMER", "s", "g", "dave"],
                ["XSETID", "t", "9-9", "ENTRIESADDED", "10"],
            ]);
            var ids = Items(await client.CallAsync("XRANGE", "s", "-", "+")).Select(entry => (string)Items(entry)[0]!).ToArray();
            await RunAsync(client, [
                ["XCLAIM", "s", "g", "carol", "0", ids[1], "RETRYCOUNT", "5"], ["XACK", "s", "g", ids[0]], ["XDEL", "s", ids[2]],
                ["XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "1"], ["XGROUP", "DELCONSUMER", "s", "g", "dave"],
            ]);
            // A blocked reader served by a later XADD: its delivery is logged after that XADD.
            await reader.SendAsync("XREADGROUP", "GROUP", "g", "frank", "BLOCK", "0", "STREAMS", "s", ">");
            await first.WaitForBlockedClientsAsync(1);
            await client.CallAsync("XADD", "s", "*", "n", "6");
            Assert.IsType<object?[]>(await reader.ReadAsync());
            before = await DescribeAsync(client);
        }
        await using var second = await InProcessRedis.StartAsync(backend, dir: directory, settings: [("appendonly", "yes")]);
        using var again = new RespClient(await second.ConnectAsync());
        Assert.Equal(before, await DescribeAsync(again));
        Directory.Delete(directory, recursive: true);
    }

    private static object?[] Items(object? reply) => Assert.IsType<object?[]>(reply);

    // The streams as XINFO shows them, but for the consumers' seen-times (a replayed read or claim is seen anew).
    private static async Task<string> DescribeAsync(RespClient client)
    {
        var replies = new List<string>();
        foreach (var key in new[] { "s", "t" })
        {
            replies.Add(await client.Socket.CommandAsync("XINFO", "STREAM", key, "FULL", "COUNT", "0"));
            replies.Add(await client.Socket.CommandAsync("XINFO", "GROUPS", key));
        }
        return SeenTime().Replace(string.Join("\n", replies), "seen-time\r\n:<time>");
    }

    [GeneratedRegex(@"seen-time\r\n:\d+")]
    private static partial Regex SeenTime();
}
