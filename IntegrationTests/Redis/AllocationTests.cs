using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>GET and SET of existing keys allocate nothing on the loops in steady state.</summary>
public sealed class AllocationTests
{
    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Get_and_set_allocate_nothing_per_command(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, activeExpiry: false);
        var client = await redis.ConnectAsync();
        var burst = string.Concat(Enumerable.Repeat(RespSocket.Encode("SET", "key:1", "value-16-bytes!!") + RespSocket.Encode("GET", "key:1"), 50));
        await Exchange(client, burst, rounds: 20); // warm up: the key exists, pools and JIT tiers settle

        var before = await AllocatedOnLoops(redis.Server);
        await Exchange(client, burst, rounds: 100);
        var after = await AllocatedOnLoops(redis.Server);

        Assert.Equal(0, after - before);
    }

    // 50 SETs and 50 GETs per round in one write, all replies read before the next round.
    private static async Task Exchange(RespSocket client, string burst, int rounds)
    {
        for (var r = 0; r < rounds; r++)
        {
            await client.SendAsync(burst);
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal("+OK\r\n", await client.ReadReplyAsync());
                Assert.Equal("$16\r\nvalue-16-bytes!!\r\n", await client.ReadReplyAsync());
            }
        }
    }

    private static async Task<long> AllocatedOnLoops(Server server)
    {
        long total = 0;
        foreach (var loop in server.Loops) { total += await Wait.AllocatedOnLoopThread(loop); }
        return total;
    }
}
