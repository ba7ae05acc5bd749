using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace Loop.IntegrationTests.Redis;

/// <summary>Pub/sub as Redis 7 does it, with subscribers and publishers on different loops.</summary>
public sealed partial class PubSubTests
{
    [Fact]
    public async Task Confirmations_and_messages_reach_a_client_whose_replies_are_off_as_on_redis_server()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        Assert.Equal(await TranscriptAsync(await RespSocket.ConnectAsync(real.EndPoint), await real.ConnectAsync()),
            await TranscriptAsync(await ours.ConnectAsync(), new RespClient(await ours.ConnectAsync())));

        // Replies off, in RESP2 then RESP3: the subscription's confirmations and messages arrive, other replies do not.
        static async Task<string> TranscriptAsync(RespSocket subscriber, RespClient publisher)
        {
            using (subscriber)
            using (publisher)
            {
                var transcript = new System.Text.StringBuilder();
                foreach (var protocol in new[] { "2", "3" })
                {
                    await subscriber.CommandAsync("HELLO", protocol);
                    await subscriber.SendAsync(RespSocket.Encode("CLIENT", "REPLY", "OFF") + RespSocket.Encode("SUBSCRIBE", "channel") +
                        RespSocket.Encode("PSUBSCRIBE", "ch*"));
                    transcript.Append(await subscriber.ReadReplyAsync()).Append(await subscriber.ReadReplyAsync());
                    Assert.Equal(2L, await publisher.CallAsync("PUBLISH", "channel", "hello"));
                    transcript.Append(await subscriber.ReadReplyAsync()).Append(await subscriber.ReadReplyAsync());
                    await subscriber.SendAsync(RespSocket.Encode("UNSUBSCRIBE") + RespSocket.Encode("PUNSUBSCRIBE") + RespSocket.Encode("CLIENT", "REPLY", "ON"));
                    transcript.Append(await subscriber.ReadReplyAsync()).Append(await subscriber.ReadReplyAsync()).Append(await subscriber.ReadReplyAsync());
                }
                return transcript.ToString();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Messages_reach_subscribers_on_every_loop_in_publish_order(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend);
        using var publisher = await Connect(server);
        using var remote = await server.ConnectClientOnAnotherLoopAsync(publisher);
        using var local = await ConnectOnSameLoopAs(server, publisher);
        foreach (var subscriber in new[] { remote, local })
        {
            Assert.Equal(Array("subscribe", "news", 1L), await subscriber.CallAsync("SUBSCRIBE", "news"));
        }

        const int count = 2000;
        for (var i = 0; i < count; i++) { publisher.Queue("PUBLISH", "news", $"m{i}"); }
        await publisher.FlushAsync();
        for (var i = 0; i < count; i++) { Assert.Equal(2L, await publisher.ReadAsync()); }
        foreach (var subscriber in new[] { remote, local })
        {
            for (var i = 0; i < count; i++) { Assert.Equal(Array("message", "news", $"m{i}"), await subscriber.ReadAsync()); }
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Patterns_receive_pmessages_and_confirmations_count_all_subscriptions(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend);
        using var subscriber = await Connect(server);
        using var publisher = await Connect(server);

        Assert.Equal(Array("subscribe", "news.tech", 1L), await subscriber.CallAsync("SUBSCRIBE", "news.tech"));
        subscriber.Queue("PSUBSCRIBE", "news.*", "n*");
        await subscriber.FlushAsync();
        Assert.Equal(Array("psubscribe", "news.*", 2L), await subscriber.ReadAsync());
        Assert.Equal(Array("psubscribe", "n*", 3L), await subscriber.ReadAsync());
        Assert.Equal(Array("psubscribe", "n*", 3L), await subscriber.CallAsync("PSUBSCRIBE", "n*"));

        Assert.Equal(3L, await publisher.CallAsync("PUBLISH", "news.tech", "chip"));
        Assert.Equal(0L, await publisher.CallAsync("PUBLISH", "weather", "rain"));
        Assert.Equal(Array("message", "news.tech", "chip"), await subscriber.ReadAsync());
        var pmessages = new[] { await subscriber.ReadAsync(), await subscriber.ReadAsync() };
        Assert.Contains(Array("pmessage", "news.*", "news.tech", "chip"), pmessages);
        Assert.Contains(Array("pmessage", "n*", "news.tech", "chip"), pmessages);

        subscriber.Queue("PUNSUBSCRIBE");
        await subscriber.FlushAsync();
        // Redis leaves all patterns in no particular order; the count left goes down with each.
        var first = (object?[])(await subscriber.ReadAsync())!;
        var second = (object?[])(await subscriber.ReadAsync())!;
        Assert.Equal(["punsubscribe", 2L, "punsubscribe", 1L], new[] { first[0], first[2], second[0], second[2] });
        Assert.Equal(["n*", "news.*"], new[] { (string)first[1]!, (string)second[1]! }.Order());
        Assert.Equal(Array("punsubscribe", null, 1L), await subscriber.CallAsync("PUNSUBSCRIBE"));
        Assert.Equal(Array("unsubscribe", "news.tech", 0L), await subscriber.CallAsync("UNSUBSCRIBE"));
        Assert.Equal(Array("unsubscribe", null, 0L), await subscriber.CallAsync("UNSUBSCRIBE"));
        Assert.Equal(Array("unsubscribe", "gone", 0L), await subscriber.CallAsync("UNSUBSCRIBE", "gone"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Pubsub_introspection_sees_subscriptions_of_every_loop(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend);
        using var observer = await Connect(server);
        using var remote = await server.ConnectClientOnAnotherLoopAsync(observer);
        using var local = await ConnectOnSameLoopAs(server, observer);
        await remote.CallAsync("SUBSCRIBE", "alpha");
        await local.CallAsync("SUBSCRIBE", "alpha");
        await local.CallAsync("SUBSCRIBE", "beta");
        await remote.CallAsync("PSUBSCRIBE", "a*");
        await local.CallAsync("PSUBSCRIBE", "a*");
        await local.CallAsync("PSUBSCRIBE", "b*");

        var channels = (object?[])(await observer.CallAsync("PUBSUB", "CHANNELS"))!;
        Assert.Equal(["alpha", "beta"], channels.Cast<string>().Order());
        Assert.Equal(Array("beta"), await observer.CallAsync("PUBSUB", "CHANNELS", "b*"));
        Assert.Equal(Array("alpha", 2L, "beta", 1L, "none", 0L), await observer.CallAsync("PUBSUB", "NUMSUB", "alpha", "beta", "none"));
        Assert.Equal(Array(), await observer.CallAsync("PUBSUB", "NUMSUB"));
        Assert.Equal(2L, await observer.CallAsync("PUBSUB", "NUMPAT"));
        Assert.Equal(new RespError("ERR wrong number of arguments for 'pubsub|numpat' command"), await observer.CallAsync("PUBSUB", "NUMPAT", "x"));
        Assert.Equal(new RespError("ERR unknown subcommand 'nope'. Try PUBSUB HELP."), await observer.CallAsync("PUBSUB", "nope"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Subscribed_resp2_connection_only_runs_pubsub_commands_ping_and_reset(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend);
        using var client = await Connect(server);
        await client.CallAsync("SUBSCRIBE", "ch");

        Assert.Equal(new RespError("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"),
            await client.CallAsync("GET", "k"));
        Assert.Equal(new RespError("ERR Can't execute 'publish': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"),
            await client.CallAsync("PUBLISH", "ch", "x"));
        Assert.Equal(Array("pong", ""), await client.CallAsync("PING"));
        Assert.Equal(Array("pong", "hi"), await client.CallAsync("PING", "hi"));
        Assert.Equal(Array("unsubscribe", "ch", 0L), await client.CallAsync("UNSUBSCRIBE"));
        Assert.Null(await client.CallAsync("GET", "k"));
        Assert.Equal("PONG", await client.CallAsync("PING"));

        Assert.Equal(Array("psubscribe", "c*", 1L), await client.CallAsync("PSUBSCRIBE", "c*"));
        Assert.Equal("RESET", await client.CallAsync("RESET"));
        Assert.Null(await client.CallAsync("GET", "k"));
        Assert.Equal(0L, await client.CallAsync("PUBSUB", "NUMPAT"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Resp3_connection_gets_push_messages_and_runs_any_command_while_subscribed(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend);
        using var subscriber = await Connect(server);
        using var publisher = await Connect(server);
        await subscriber.CallAsync("HELLO", "3");

        Assert.Equal(new Push(["subscribe", "ch", 1L]), await subscriber.CallAsync("SUBSCRIBE", "ch"));
        Assert.Null(await subscriber.CallAsync("GET", "k"));
        Assert.Equal("PONG", await subscriber.CallAsync("PING"));
        Assert.Equal(1L, await publisher.CallAsync("PUBLISH", "ch", "hello"));
        Assert.Equal(new Push(["message", "ch", "hello"]), await subscriber.ReadAsync());
        Assert.Equal(new Push(["psubscribe", "c?", 2L]), await subscriber.CallAsync("PSUBSCRIBE", "c?"));
        Assert.Equal(1L, await publisher.CallAsync("PUBLISH", "cx", "world"));
        Assert.Equal(new Push(["pmessage", "c?", "cx", "world"]), await subscriber.ReadAsync());
        Assert.Equal(new Push(["unsubscribe", "none", 2L]), await subscriber.CallAsync("UNSUBSCRIBE", "none"));
        Assert.Equal(new Push(["unsubscribe", "ch", 1L]), await subscriber.CallAsync("UNSUBSCRIBE", "ch"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Disconnect_unsubscribes_from_everything(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend);
        using var observer = await Connect(server);
        using (var subscriber = await Connect(server))
        {
            await subscriber.CallAsync("SUBSCRIBE", "ch");
            await subscriber.CallAsync("PSUBSCRIBE", "c*");
            Assert.Equal(Array("ch", 1L), await observer.CallAsync("PUBSUB", "NUMSUB", "ch"));
            Assert.Equal(1L, await observer.CallAsync("PUBSUB", "NUMPAT"));
        }

        await Wait.Until(() => server.Redis.PubSub.SubscriberCount("ch"u8) == 0 && server.Redis.PubSub.PatternCount == 0,
            "the closed subscriber to leave its channel and pattern");
        Assert.Equal(Array("ch", 0L), await observer.CallAsync("PUBSUB", "NUMSUB", "ch"));
        Assert.Equal(0L, await observer.CallAsync("PUBSUB", "NUMPAT"));
        Assert.Equal(0L, await observer.CallAsync("PUBLISH", "ch", "nobody"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task No_message_arrives_after_the_unsubscribe_confirmation(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend);
        using var publisher = await Connect(server);
        using var subscriber = await server.ConnectClientOnAnotherLoopAsync(publisher);

        // The publisher never pauses, so messages are always on their way to the subscriber's loop when it unsubscribes.
        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < 100; i++) { publisher.Queue("PUBLISH", "ch", "x"); }
                await publisher.FlushAsync();
                for (var i = 0; i < 100; i++) { await publisher.ReadAsync(); }
            }
        });
        for (var round = 0; round < 20; round++)
        {
            Assert.Equal(Array("subscribe", "ch", 1L), await subscriber.CallAsync("SUBSCRIBE", "ch"));
            Assert.Equal(Array("message", "ch", "x"), await subscriber.ReadAsync());
            subscriber.Queue("UNSUBSCRIBE");
            subscriber.Queue("ECHO", "after");
            await subscriber.FlushAsync();
            object? reply;
            while ((reply = await subscriber.ReadAsync()) is object?[] { Length: 3 } message && Equals(message[0], "message")) { }
            Assert.Equal(Array("unsubscribe", "ch", 0L), reply);
            Assert.Equal("after", await subscriber.ReadAsync());
        }
        await stop.CancelAsync();
        await publishing;
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Subscriber_that_stops_reading_is_closed_at_the_output_limit(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend, maxOutputBytes: 1024 * 1024);
        using var publisher = await Connect(server);
        using var stalled = await Connect(server, receiveBufferBytes: 4096);
        await stalled.CallAsync("SUBSCRIBE", "firehose");

        // Far more than the limit plus what the socket buffers hold; the subscriber never reads again.
        var payload = new string('x', 64 * 1024);
        var published = 0;
        while ((long)(await publisher.CallAsync("PUBLISH", "firehose", payload))! == 1)
        {
            Assert.True(++published < 2000, "the stalled subscriber was never closed");
        }
        Assert.Equal(Array("firehose", 0L), await publisher.CallAsync("PUBSUB", "NUMSUB", "firehose"));
    }

    [Theory]
    [MemberData(nameof(StackExchangeTests.BackendsAndProtocols), MemberType = typeof(StackExchangeTests))]
    public async Task StackExchange_Redis_subscribes_and_publishes_as_with_redis(Backend backend, string options)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var subscriber = (await redis.ConnectMultiplexerAsync(options)).GetSubscriber();
        var publisher = (await redis.ConnectMultiplexerAsync(options)).GetSubscriber();
        var news = await subscriber.SubscribeAsync(RedisChannel.Literal("news"));
        var anyN = await subscriber.SubscribeAsync(RedisChannel.Pattern("n*"));

        for (var i = 0; i < 100; i++) { Assert.Equal(2L, await publisher.PublishAsync(RedisChannel.Literal("news"), $"m{i}")); }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal($"m{i}", (string?)(await news.ReadAsync(timeout.Token)).Message);
            var viaPattern = await anyN.ReadAsync(timeout.Token);
            Assert.Equal(("news", $"m{i}"), ((string?)viaPattern.Channel, (string?)viaPattern.Message));
        }
        await subscriber.UnsubscribeAllAsync();
        Assert.Equal(0L, await publisher.PublishAsync(RedisChannel.Literal("news"), "gone"));
    }
}
