using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>GET (a miss too), SET, and the bit and HyperLogLog commands on existing strings allocate nothing on the loops in steady state.</summary>
public sealed class AllocationTests
{
    // A command the machine's load holds up for 10 ms goes to the slowlog, which allocates its entry, as Redis's does.
    private static readonly (string, string)[] NoSlowLog = [("slowlog-log-slower-than", "-1")];

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Get_and_set_allocate_nothing_per_command(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, activeExpiry: false, settings: NoSlowLog);
        var client = await redis.ConnectAsync();
        var commands = new[]
        {
            (RespSocket.Encode("SET", "key:1", "value-16-bytes!!"), "+OK\r\n"),
            (RespSocket.Encode("GET", "key:1"), "$16\r\nvalue-16-bytes!!\r\n"),
            (RespSocket.Encode("GET", "missing"), "$-1\r\n"), // a miss, keymiss notifications off
        };
        await AssertAllocatesNothingAsync(redis, client, commands, repeat: 50);
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Bit_reads_and_writes_of_a_long_enough_string_allocate_nothing_per_command(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, activeExpiry: false, settings: NoSlowLog);
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
        await AssertAllocatesNothingAsync(redis, client, commands, repeat: 10);
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task HyperLogLog_commands_on_a_dense_hll_allocate_nothing_per_command(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, activeExpiry: false, settings: NoSlowLog);
        var client = await redis.ConnectAsync();
        await client.CommandAsync(["PFADD", "hll", .. Enumerable.Range(0, 4000).Select(i => $"element:{i}")]);
        Assert.Equal("+dense\r\n", await client.CommandAsync("PFDEBUG", "ENCODING", "hll"));
        var count = await client.CommandAsync("PFCOUNT", "hll");
        var commands = new[]
        {
            (RespSocket.Encode("PFADD", "hll", "element:7", "element:3999"), ":0\r\n"),
            (RespSocket.Encode("PFMERGE", "hll"), "+OK\r\n"), // in place, the cached count made stale
            (RespSocket.Encode("PFCOUNT", "hll"), count), // counted and cached
            (RespSocket.Encode("PFCOUNT", "hll"), count), // from the cache
            (RespSocket.Encode("PFCOUNT", "hll", "hll"), count),
        };
        await AssertAllocatesNothingAsync(redis, client, commands, repeat: 10);
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task The_loops_periodic_work_allocates_nothing(Backend backend)
    {
        // Loop 0 runs the active expiry cycle (every 100 ms, here over keys with a TTL) and checks save points
        // that are never reached (every second), whether or not a client is sending.
        await using var redis = await InProcessRedis.StartAsync(backend, save: "3600 1000000", settings: NoSlowLog);
        var client = await redis.ConnectAsync();
        for (var i = 0; i < 100; i++) { Assert.Equal("+OK\r\n", await client.CommandAsync("SET", $"key:{i}", "v", "EX", "3600")); }
        var loop = redis.Server.Loops[0];
        var seconds = new long[1];
        await Wait.OnLoop(loop, () => loop.Every(TimeSpan.FromSeconds(1), () => Interlocked.Increment(ref seconds[0])));
        async Task<long> AllocatedOver(long loopSeconds)
        {
            var before = await AllocatedOnLoops(redis.Server);
            var until = Volatile.Read(ref seconds[0]) + loopSeconds;
            await Wait.Until(() => Volatile.Read(ref seconds[0]) >= until, $"{loopSeconds} s on the loop");
            return await AllocatedOnLoops(redis.Server) - before;
        }

        // Each job runs once a second at least: warm up a second at a time until one allocates nothing (at most five,
        // as the command tests do: the runtime's one-off work may land late on a loaded machine), then two seconds.
        for (var window = 0; window < 5 && await AllocatedOver(1) != 0; window++) { }
        Assert.Equal(0, await AllocatedOver(2));
    }

    // Sends the commands `repeat` times over in one write per round, every reply checked before the next round. Warms up
    // in windows of 20 rounds until one allocates nothing (at most 10): the runtime's one-off work on the loop thread (a
    // method's tier-up or on-stack replacement, a type's first use) comes at moments a loaded machine delays past any
    // fixed warm-up. Then 100 rounds during which the loops may allocate nothing: a command that allocates does so in
    // every window, so it fails here however long the warm-up was.
    private static async Task AssertAllocatesNothingAsync(InProcessRedis redis, RespSocket client, (string Command, string Reply)[] commands, int repeat)
    {
        var burst = string.Concat(Enumerable.Repeat(string.Concat(commands.Select(c => c.Command)), repeat));
        async Task Exchange(int rounds)
        {
            for (var r = 0; r < rounds; r++)
            {
                await client.SendAsync(burst);
                for (var i = 0; i < repeat; i++)
                {
                    foreach (var (_, reply) in commands) { Assert.Equal(reply, await client.ReadReplyAsync()); }
                }
            }
        }
        for (var window = 0; window < 10; window++)
        {
            var start = await AllocatedOnLoops(redis.Server);
            await Exchange(rounds: 20);
            if (await AllocatedOnLoops(redis.Server) == start) { break; }
        }

        var before = await AllocatedOnLoops(redis.Server);
        await Exchange(rounds: 100);
        var after = await AllocatedOnLoops(redis.Server);

        Assert.Equal(0, after - before);
    }

    private static async Task<long> AllocatedOnLoops(Server server)
    {
        long total = 0;
        foreach (var loop in server.Loops) { total += await Wait.AllocatedOnLoopThread(loop); }
        return total;
    }
}
