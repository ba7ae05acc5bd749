using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>BZPOPMIN, BZPOPMAX, BLMPOP and BZMPOP waiting: served across loops in arrival order, by their key's type, or timing out.</summary>
public sealed class BlockingMultiKeyPopTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Bzpopmin_is_served_by_a_zadd_from_a_client_on_the_other_loop(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var (waiter, writer) = await SetTestClient.OnBothLoopsAsync(redis);
        await waiter.Send("BZPOPMIN z1 z2 0");
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal(":3", await writer.Ask("ZADD z2 3 c 1 a 2 b"));
        Assert.Equal("[z2 a 1]", await waiter.Receive());
        Assert.Equal("[b c]", await writer.Ask("ZRANGE z2 0 -1"));
        Assert.Equal("+PONG", await waiter.Ask("PING"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Blmpop_and_bzmpop_are_served_up_to_their_count_across_loops(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var (lists, sortedSets) = await SetTestClient.OnBothLoopsAsync(redis);
        var writer = await SetTestClient.ConnectAsync(redis);
        await lists.Send("BLMPOP 0 2 l1 l2 RIGHT COUNT 2");
        await sortedSets.Send("BZMPOP 0 1 z MAX COUNT 5");
        await redis.WaitForBlockedClientsAsync(2);
        Assert.Equal(":3", await writer.Ask("RPUSH l2 a b c"));
        Assert.Equal("[l2 [c b]]", await lists.Receive());
        Assert.Equal(":2", await writer.Ask("ZADD z 1 x 2 y"));
        Assert.Equal("[z [[y 2] [x 1]]]", await sortedSets.Receive());
        Assert.Equal("[a]", await writer.Ask("LRANGE l2 0 -1"));
        Assert.Equal(":0", await writer.Ask("EXISTS z"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Waiters_on_one_key_are_served_only_by_the_type_they_pop_from(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var (listWaiter, sortedSetWaiter) = await SetTestClient.OnBothLoopsAsync(redis);
        var writer = await SetTestClient.ConnectAsync(redis);
        await listWaiter.Send("BLPOP k 0");
        await redis.WaitForBlockedClientsAsync(1);
        await sortedSetWaiter.Send("BZPOPMIN k 0");
        await redis.WaitForBlockedClientsAsync(2);
        // The BLPOP came first, but a sorted set is not for it.
        Assert.Equal(":1", await writer.Ask("ZADD k 1 m"));
        Assert.Equal("[k m 1]", await sortedSetWaiter.Receive());
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal(":1", await writer.Ask("RPUSH k v"));
        Assert.Equal("[k v]", await listWaiter.Receive());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Sorted_set_waiters_are_served_first_come_first_served(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var (first, second) = await SetTestClient.OnBothLoopsAsync(redis);
        var writer = await SetTestClient.ConnectAsync(redis);
        await first.Send("BZPOPMAX q 0");
        await redis.WaitForBlockedClientsAsync(1);
        await second.Send("BZMPOP 0 1 q MAX");
        await redis.WaitForBlockedClientsAsync(2);
        Assert.Equal(":3", await writer.Ask("ZADD q 1 x 2 y 3 z"));
        Assert.Equal("[q z 3]", await first.Receive());
        Assert.Equal("[q [[y 2]]]", await second.Receive());
        Assert.Equal("[x]", await writer.Ask("ZRANGE q 0 -1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_timed_out_wait_answers_a_null_array_then_runs_the_commands_behind_it(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Send("BZPOPMIN empty 0.05");
        await c.Send("PING");
        Assert.Equal("(nil array)", await c.Receive());
        Assert.Equal("+PONG", await c.Receive());
        Assert.Equal("(nil array)", await c.Ask("BLMPOP 0.05 2 empty other LEFT"));
        await c.Ask("HELLO 3");
        Assert.Equal("_", await c.Ask("BZMPOP 0.05 1 empty MIN COUNT 2"));
        Assert.Equal("_", await c.Ask("BZPOPMAX empty 0.01"));
        Assert.Equal(":0", await c.Ask("EXISTS empty other"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_zadd_serves_the_waiter_before_the_next_command_and_after_a_whole_transaction(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var waiterSocket = await redis.ConnectAsync();
        // Of the two loops, not the waiter's other one: the waiter's own, where a serve left for later would queue behind ZCARD.
        var pipeline = await redis.ConnectOnAnotherLoopAsync(1 - await redis.LoopOfAsync(waiterSocket));
        var (waiter, writer) = (new SetTestClient(waiterSocket), new SetTestClient(pipeline));
        await waiter.Send("BZPOPMIN q 0");
        await redis.WaitForBlockedClientsAsync(1);
        // In one write, so both commands run in one batch: the waiter must have its member before ZCARD looks.
        await pipeline.SendAsync(RespSocket.Encode("ZADD", "q", "1", "a") + RespSocket.Encode("ZCARD", "q"));
        Assert.Equal(":1\r\n", await pipeline.ReadReplyAsync());
        Assert.Equal(":0\r\n", await pipeline.ReadReplyAsync());
        Assert.Equal("[q a 1]", await waiter.Receive());

        await waiter.Send("BZPOPMIN q 0");
        await redis.WaitForBlockedClientsAsync(1);
        await writer.Ask("MULTI");
        await writer.Ask("ZADD q 1 b");
        await writer.Ask("ZADD q 2 c");
        await writer.Ask("ZCARD q");
        Assert.Equal("[:1 :1 :2]", await writer.Ask("EXEC"));
        Assert.Equal("[q b 1]", await waiter.Receive());
        Assert.Equal("[c]", await writer.Ask("ZRANGE q 0 -1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_waiter_that_disconnects_takes_no_member_with_it(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var writer = await SetTestClient.ConnectAsync(redis);
        var leaver = await redis.ConnectAsync();
        await leaver.SendAsync(RespSocket.Encode("BZMPOP", "0", "1", "q", "MIN"));
        await redis.WaitForBlockedClientsAsync(1);
        leaver.Dispose();
        await redis.WaitForBlockedClientsAsync(0);
        Assert.Equal(":1", await writer.Ask("ZADD q 1 kept"));
        Assert.Equal("[kept]", await writer.Ask("ZRANGE q 0 -1"));
    }
}
