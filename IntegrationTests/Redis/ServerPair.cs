using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// loop-redis and the real redis-server side by side for a differential test: one raw connection to each, both
/// switched to the same RESP version (HELLO's reply names the server, so it is checked only for its type).
/// </summary>
internal sealed class ServerPair : IAsyncDisposable
{
    private readonly InProcessRedis _loop;
    private readonly RealRedis _redis;

    private ServerPair(InProcessRedis loop, RealRedis redis, RespSocket ours, RespSocket theirs)
    {
        (_loop, _redis, Ours, Theirs) = (loop, redis, ours, theirs);
    }

    /// <summary>A connection to loop-redis.</summary>
    public RespSocket Ours { get; }

    /// <summary>A connection to redis-server.</summary>
    public RespSocket Theirs { get; }

    public static async Task<ServerPair> StartAsync(int protocol)
    {
        var loop = await InProcessRedis.StartAsync(Backend.Auto);
        var redis = await RealRedis.StartAsync();
        var pair = new ServerPair(loop, redis, await loop.ConnectAsync(), await RespSocket.ConnectAsync(redis.EndPoint));
        Assert.StartsWith(protocol == 3 ? "%" : "*", await pair.Theirs.CommandAsync("HELLO", $"{protocol}"));
        Assert.StartsWith(protocol == 3 ? "%" : "*", await pair.Ours.CommandAsync("HELLO", $"{protocol}"));
        return pair;
    }

    public async ValueTask DisposeAsync()
    {
        Ours.Dispose();
        Theirs.Dispose();
        await _redis.DisposeAsync();
        await _loop.DisposeAsync();
    }
}
