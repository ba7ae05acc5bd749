using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>DUMP and RESTORE inside this server: copies keep type, content and TTL; RESTORE is a write like any other.</summary>
public sealed class DumpRestoreTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_restored_copy_has_the_content_and_the_ttl_asked_for(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = new RespClient(await redis.ConnectAsync());
        Assert.Equal(3L, await client.CallAsync("ZADD", "z", "1", "a", "-inf", "b", "2.5", "c"));
        var payload = (string)(await client.CallAsync("DUMP", "z"))!;
        Assert.Equal("OK", await client.CallAsync("RESTORE", "copy", "5000", payload));
        Assert.Equal(new object?[] { "b", "-inf", "a", "1", "c", "2.5" }, await client.CallAsync("ZRANGE", "copy", "0", "-1", "WITHSCORES"));
        Assert.InRange(Assert.IsType<long>(await client.CallAsync("PTTL", "copy")), 1, 5000);
        Assert.Equal("OK", await client.CallAsync("RESTORE", "copy", "0", payload, "REPLACE"));
        Assert.Equal(-1L, await client.CallAsync("PTTL", "copy"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Restoring_a_list_serves_a_client_blocked_on_it(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var writer = new RespClient(await redis.ConnectAsync());
        using var waiter = await redis.ConnectClientOnAnotherLoopAsync(writer);
        Assert.Equal(2L, await writer.CallAsync("RPUSH", "source", "first", "second"));
        var payload = (string)(await writer.CallAsync("DUMP", "source"))!;
        await waiter.SendAsync("BLPOP", "target", "0");
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal("OK", await writer.CallAsync("RESTORE", "target", "0", payload));
        Assert.Equal(new object?[] { "target", "first" }, await waiter.ReadAsync());
        Assert.Equal(new object?[] { "second" }, await writer.CallAsync("LRANGE", "target", "0", "-1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Restore_queues_in_a_transaction_and_runs_in_exec(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = new RespClient(await redis.ConnectAsync());
        Assert.Equal("OK", await client.CallAsync("SET", "s", "12345"));
        var payload = (string)(await client.CallAsync("DUMP", "s"))!;
        Assert.Equal("OK", await client.CallAsync("MULTI"));
        Assert.Equal("QUEUED", await client.CallAsync("RESTORE", "t", "0", payload));
        Assert.Equal("QUEUED", await client.CallAsync("RESTORE", "t", "0", payload));
        Assert.Equal(new object?[] { "OK", new RespError("BUSYKEY Target key name already exists.") }, await client.CallAsync("EXEC"));
        Assert.Equal("12345", await client.CallAsync("GET", "t"));
    }
}
