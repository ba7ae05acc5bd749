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

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Bit_reads_and_writes_of_a_long_enough_string_allocate_nothing_per_command(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, activeExpiry: false);
        var client = await redis.ConnectAsync();
        Assert.Equal(":0\r\n", await client.CommandAsync("SETBIT", "bits", "8191", "0")); // 1 KiB of zeros
        var commands = new[]
        {
            (RespSocket.Encode("SETBIT", "bits", "4000", "1"), ":0\r\n"),
            (RespSocket.Encode("GETBIT", "bits", "4000"), ":1\r\n"),
            (RespSocket.Encode("BITCOUNT", "bits", "0", "-1", "BIT"), ":1\r\n"),
            (RespSocket.Encode("BITPOS", "bits", "1", "8"), ":4000\r\n"),
            (RespSocket.Encode("SETBIT", "bits", "4000", "0"), ":1\r\n"),
            (RespSocket.Encode("BITFIELD", "bits", "INCRBY", "u8", "#100", "1", "GET", "u8", "#100"), "*2\r\n:1\r\n:1\r\n"),
            (RespSocket.Encode("BITFIELD", "bits", "SET", "u8", "#100", "0"), "*1\r\n:1\r\n"),
        };
        var burst = string.Concat(Enumerable.Repeat(string.Concat(commands.Select(c => c.Item1)), 10));
        async Task Exchange(int rounds)
        {
            for (var r = 0; r < rounds; r++)
            {
                await client.SendAsync(burst);
                for (var i = 0; i < 10; i++)
                {
                    foreach (var (_, reply) in commands) { Assert.Equal(reply, await client.ReadReplyAsync()); }
                }
            }
        }
        await Exchange(rounds: 20);

        var before = await AllocatedOnLoops(redis.Server);
        await Exchange(rounds: 100);
        var after = await AllocatedOnLoops(redis.Server);

        Assert.Equal(0, after - before);
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task The_loops_periodic_work_allocates_nothing(Backend backend)
    {
        // Loop 0 runs the active expiry cycle (every 100 ms, here over keys with a TTL) and checks save points
        // that are never reached (every second), whether or not a client is sending.
        await using var redis = await InProcessRedis.StartAsync(backend, save: "3600 1000000");
        var client = await redis.ConnectAsync();
        for (var i = 0; i < 100; i++) { Assert.Equal("+OK\r\n", await client.CommandAsync("SET", $"key:{i}", "v", "EX", "3600")); }
        var loop = redis.Server.Loops[0];
        var seconds = new long[1];
        await Wait.OnLoop(loop, () => loop.Every(TimeSpan.FromSeconds(1), () => Interlocked.Increment(ref seconds[0])));
        await Wait.Until(() => Volatile.Read(ref seconds[0]) >= 1, "a second on the loop"); // each job has run

        var before = await AllocatedOnLoops(redis.Server);
        await Wait.Until(() => Volatile.Read(ref seconds[0]) >= 3, "two more seconds on the loop");
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
