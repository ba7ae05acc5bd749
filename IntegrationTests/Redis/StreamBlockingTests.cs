using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// XREAD BLOCK and XREADGROUP BLOCK: served by an XADD from a client on another loop, oldest first and once, timing
/// out, never blocking inside MULTI, and told as Redis 7.0 tells them when their key or group goes.
/// </summary>
public sealed class StreamBlockingTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Xread_waits_for_an_entry_after_the_last_one_at_the_time_it_blocked(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var (reader, writer) = await SetTestClient.OnBothLoopsAsync(redis);
        Assert.Equal("1-0", await writer.Ask("XADD s 1 f old"));
        await reader.Send("XREAD BLOCK 0 STREAMS other s 0 $");
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal("2-0", await writer.Ask("XADD s 2 f new"));
        Assert.Equal("[[s [[2-0 [f new]]]]]", await reader.Receive());
        Assert.Equal("+PONG", await reader.Ask("PING"));

        // RESP3: one stream, as a map.
        await reader.Ask("HELLO 3");
        await reader.Send("XREAD COUNT 1 BLOCK 0 STREAMS s other 2-0 0");
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal("1-0", await writer.Ask("XADD other 1 g x"));
        Assert.Equal("%[other [[1-0 [g x]]]]", await reader.Receive());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Every_xread_waiter_gets_the_entry_but_a_group_delivers_it_to_its_oldest_waiter_only(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var (first, second) = await SetTestClient.OnBothLoopsAsync(redis);
        var (third, fourth) = await SetTestClient.OnBothLoopsAsync(redis);
        var writer = await SetTestClient.ConnectAsync(redis);
        Assert.Equal("+OK", await writer.Ask("XGROUP CREATE s g $ MKSTREAM"));
        await first.Send("XREAD BLOCK 0 STREAMS s $");
        await redis.WaitForBlockedClientsAsync(1);
        await second.Send("XREADGROUP GROUP g alice BLOCK 0 STREAMS s >");
        await redis.WaitForBlockedClientsAsync(2);
        await third.Send("XREADGROUP GROUP g bob BLOCK 0 STREAMS s >");
        await redis.WaitForBlockedClientsAsync(3);
        await fourth.Send("XREAD BLOCK 0 STREAMS s 0");
        await redis.WaitForBlockedClientsAsync(4);
        Assert.Equal("1-0", await writer.Ask("XADD s 1 n 1"));
        Assert.Equal("[[s [[1-0 [n 1]]]]]", await first.Receive());
        Assert.Equal("[[s [[1-0 [n 1]]]]]", await second.Receive());
        Assert.Equal("[[s [[1-0 [n 1]]]]]", await fourth.Receive());
        // Bob still waits: the group's entry went to Alice, who came first.
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal("[:1 1-0 1-0 [[alice 1]]]", await writer.Ask("XPENDING s g"));
        Assert.Equal("2-0", await writer.Ask("XADD s 2 n 2"));
        Assert.Equal("[[s [[2-0 [n 2]]]]]", await third.Receive());
        Assert.Equal("[:2 1-0 2-0 [[alice 1] [bob 1]]]", await writer.Ask("XPENDING s g"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_wait_times_out_with_a_null_array_and_inside_multi_never_blocks(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("XGROUP CREATE s g $ MKSTREAM");
        await c.Send("XREAD BLOCK 50 STREAMS s $");
        await c.Send("PING");
        Assert.Equal("(nil array)", await c.Receive());
        Assert.Equal("+PONG", await c.Receive());
        Assert.Equal("(nil array)", await c.Ask("XREADGROUP GROUP g c BLOCK 10 STREAMS s >"));
        await c.Ask("MULTI");
        await c.Ask("XREAD BLOCK 0 STREAMS s $");
        await c.Ask("XREADGROUP GROUP g c BLOCK 0 STREAMS s >");
        Assert.Equal("[(nil array) (nil array)]", await c.Ask("EXEC"));
        Assert.Equal("-ERR timeout is negative", await c.Ask("XREAD BLOCK -1 STREAMS s $"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_group_reader_is_told_when_its_key_or_group_goes_and_a_plain_reader_waits_on(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var (groupReader, plainReader) = await SetTestClient.OnBothLoopsAsync(redis);
        var writer = await SetTestClient.ConnectAsync(redis);
        await writer.Ask("XADD s 5 f v");
        await writer.Ask("XGROUP CREATE s g $");
        await groupReader.Send("XREADGROUP GROUP g c BLOCK 0 STREAMS s >");
        await plainReader.Send("XREAD BLOCK 0 STREAMS s $");
        await redis.WaitForBlockedClientsAsync(2);
        Assert.Equal(":1", await writer.Ask("XGROUP DESTROY s g"));
        Assert.Equal("-NOGROUP the consumer group this client was blocked on no longer exists", await groupReader.Receive());

        await writer.Ask("XGROUP CREATE s g $");
        await groupReader.Send("XREADGROUP GROUP g c BLOCK 0 STREAMS s >");
        await redis.WaitForBlockedClientsAsync(2);
        Assert.Equal(":1", await writer.Ask("DEL s"));
        Assert.Equal("-UNBLOCKED the stream key no longer exists", await groupReader.Receive());
        await redis.WaitForBlockedClientsAsync(1);
        // A new stream whose entry is not after the 5-0 the plain reader waits beyond does not serve it; the next does.
        Assert.Equal("5-0", await writer.Ask("XADD s 5 f again"));
        Assert.Equal("6-0", await writer.Ask("XADD s 6 f later"));
        Assert.Equal("[[s [[6-0 [f later]]]]]", await plainReader.Receive());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_group_reader_is_told_when_flushdb_or_swapdb_takes_its_key_away(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var (reader, writer) = await SetTestClient.OnBothLoopsAsync(redis);
        foreach (var takeAway in new[] { "FLUSHDB", "SWAPDB 0 1" })
        {
            await writer.Ask("XGROUP CREATE s g $ MKSTREAM");
            await reader.Send("XREADGROUP GROUP g c BLOCK 0 STREAMS s >");
            await redis.WaitForBlockedClientsAsync(1);
            Assert.Equal("+OK", await writer.Ask(takeAway));
            Assert.Equal("-UNBLOCKED the stream key no longer exists", await reader.Receive());
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_group_reader_that_disconnects_leaves_the_entry_to_the_next_waiter(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var writer = await SetTestClient.ConnectAsync(redis);
        var waiter = await SetTestClient.ConnectAsync(redis);
        await writer.Ask("XGROUP CREATE s g $ MKSTREAM");
        var leaver = await redis.ConnectAsync();
        await leaver.SendAsync(RespSocket.Encode("XREADGROUP", "GROUP", "g", "gone", "BLOCK", "0", "STREAMS", "s", ">"));
        await redis.WaitForBlockedClientsAsync(1);
        await waiter.Send("XREADGROUP GROUP g stays BLOCK 0 STREAMS s >");
        await redis.WaitForBlockedClientsAsync(2);
        leaver.Dispose();
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal("1-0", await writer.Ask("XADD s 1 f v"));
        Assert.Equal("[[s [[1-0 [f v]]]]]", await waiter.Receive());
        Assert.Equal("[:1 1-0 1-0 [[stays 1]]]", await writer.Ask("XPENDING s g"));
        Assert.Equal("[[name g consumers :1 pending :1 last-delivered-id 1-0 entries-read :1 lag :0]]", await writer.Ask("XINFO GROUPS s"));
    }
}
