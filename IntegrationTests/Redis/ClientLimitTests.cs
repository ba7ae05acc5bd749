using System.Net.Sockets;
using System.Text;
using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>What one client may hold of the server's memory: its query buffer and its unsent replies.</summary>
public sealed class ClientLimitTests
{
    private const int QueryBufferLimit = 1024 * 1024;

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_client_blocked_in_BLPOP_that_keeps_sending_is_closed_at_the_query_buffer_limit(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, queryBufferLimit: QueryBufferLimit);
        var log = new CapturingLogger();
        redis.Redis.Log = log;
        using var victim = await redis.ConnectAsync();
        using var bystander = await redis.ConnectAsync();
        await victim.SendAsync(RespSocket.Encode("BLPOP", "nokey", "0"));
        await redis.WaitForBlockedClientsAsync(1);

        // Commands behind a blocked one wait in the query buffer; twice its limit must not fit.
        var flood = new StringBuilder().Insert(0, "PING\r\n", 2 * QueryBufferLimit / 6).ToString();
        try { await victim.SendAsync(flood); }
        catch (SocketException) { } // the server may close while the rest is still being sent
        await victim.DrainUntilClosedAsync();

        await Eventually.HoldsAsync(() => Task.FromResult(redis.Server.Statistics.ClosedBy[CloseReason.InputLimit] == 1), "the close to be counted as InputLimit");
        Assert.Contains(log.Lines, line => line.Contains("Closing client that reached max query buffer length"));
        Assert.Equal("+PONG\r\n", await bystander.CommandAsync("PING"));
        await redis.WaitForBlockedClientsAsync(0);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Commands_behind_a_blocked_one_run_in_order_once_it_is_served(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var waiter = await redis.ConnectAsync();
        using var pusher = await redis.ConnectAsync();
        await waiter.SendAsync(RespSocket.Encode("BLPOP", "q", "0") + RespSocket.Encode("INCR", "n") + RespSocket.Encode("ECHO", "after"));
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal(":1\r\n", await pusher.CommandAsync("RPUSH", "q", "v"));
        Assert.Equal("*2\r\n$1\r\nq\r\n$1\r\nv\r\n", await waiter.ReadReplyAsync());
        Assert.Equal(":1\r\n", await waiter.ReadReplyAsync());
        Assert.Equal("$5\r\nafter\r\n", await waiter.ReadReplyAsync());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_client_that_never_reads_stops_running_its_pipeline_once_past_the_output_limit(Backend backend)
    {
        const int OutputLimit = 1024 * 1024, Elements = 1000, ElementBytes = 100, Pipelined = 400;
        await using var redis = await InProcessRedis.StartAsync(backend, maxOutputBytes: OutputLimit);
        using var bystander = await redis.ConnectAsync();
        var element = new string('x', ElementBytes);
        var fill = new List<string> { "RPUSH", "big" };
        fill.AddRange(Enumerable.Repeat(element, Elements));
        Assert.Equal($":{Elements}\r\n", await bystander.CommandAsync([.. fill]));

        using var victim = await redis.ConnectAsync(receiveBufferBytes: 4096);
        var before = redis.Redis.Totals().Commands;
        await victim.SendAsync(new StringBuilder().Insert(0, RespSocket.Encode("LRANGE", "big", "0", "-1"), Pipelined).ToString());
        await Eventually.HoldsAsync(() => Task.FromResult(redis.Server.Statistics.ClosedBy[CloseReason.OutputLimit] == 1), "the close to be counted as OutputLimit");

        // Each reply is ~100 KB: the limit is passed within a dozen, and nothing runs after it.
        var ran = redis.Redis.Totals().Commands - before;
        Assert.InRange(ran, 1, OutputLimit / (Elements * ElementBytes) + 2);
        Assert.Equal("+PONG\r\n", await bystander.CommandAsync("PING"));
    }
}
