using System.Text.RegularExpressions;
using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// CLIENT TRACKING where loops meet: what the differential test cannot script (which keys the table lets go is random)
/// and the order of an invalidation against a reply posted from another loop.
/// </summary>
public sealed class ClientTrackingTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Over_tracking_table_max_keys_keys_are_let_go_and_their_clients_told(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend);
        using var tracker = new RespClient(await server.ConnectAsync());
        using var admin = await server.ConnectClientOnAnotherLoopAsync(tracker);
        await tracker.CallAsync("HELLO", "3");
        Assert.Equal("OK", await tracker.CallAsync("CLIENT", "TRACKING", "ON"));
        string[] keys = ["a", "b", "c"];
        foreach (var key in keys) { Assert.Null(await tracker.CallAsync("GET", key)); }
        Assert.Equal("3", TrackingField(await admin.CallAsync("INFO"), "tracking_total_keys"));

        Assert.Equal("OK", await admin.CallAsync("CONFIG", "SET", "tracking-table-max-keys", "1"));
        // The cycle lets two keys go: their invalidations come, then one key is left.
        var told = new HashSet<string>();
        for (var i = 0; i < 2; i++)
        {
            var push = Assert.IsType<Push>(await tracker.ReadAsync());
            Assert.Equal("invalidate", push.Items[0]);
            told.Add((string)Assert.IsType<object?[]>(push.Items[1]).Single()!);
        }
        Assert.Equal(2, told.Count);
        Assert.Subset(keys.ToHashSet(), told);
        Assert.Equal("1", TrackingField(await admin.CallAsync("INFO"), "tracking_total_keys"));
        Assert.Equal("PONG", await tracker.CallAsync("PING")); // and nothing more was sent before it
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_served_blocked_client_gets_its_reply_before_the_invalidation_its_move_caused(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend);
        using var blocked = new RespClient(await server.ConnectAsync());
        using var writer = await server.ConnectClientOnAnotherLoopAsync(blocked);
        await blocked.CallAsync("HELLO", "3");
        Assert.Equal("OK", await blocked.CallAsync("CLIENT", "TRACKING", "ON"));
        Assert.Equal(1L, await writer.CallAsync("RPUSH", "destination", "a"));
        Assert.Equal(new object?[] { "a" }, await blocked.CallAsync("LRANGE", "destination", "0", "-1"));

        await blocked.SendAsync("BLMOVE", "source", "destination", "LEFT", "LEFT", "0");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(1L, await writer.CallAsync("RPUSH", "source", "moved"));
        Assert.Equal("moved", await blocked.ReadAsync());
        Assert.Equal(">[invalidate, [destination]]", SameAsRealRedis.Show(await blocked.ReadAsync()));
    }

    private static string TrackingField(object? info, string name) => Regex.Match((string)info!, $@"{name}:(\d+)").Groups[1].Value;
}
