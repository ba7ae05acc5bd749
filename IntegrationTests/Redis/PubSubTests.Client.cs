namespace Loop.IntegrationTests.Redis;

// What the pub/sub tests need around them: raw RESP clients placed on the loop a test wants.
public sealed partial class PubSubTests
{
    private static object?[] Array(params object?[] items) => items;

    private static async Task<RespClient> Connect(InProcessRedis redis, int? receiveBufferBytes = null) =>
        new(await redis.ConnectAsync(receiveBufferBytes));

    private static async Task<RespClient> ConnectOnSameLoopAs(InProcessRedis redis, RespClient other) =>
        new(await redis.ConnectOnLoopAsync(await redis.LoopOfAsync(other.Socket)));
}
