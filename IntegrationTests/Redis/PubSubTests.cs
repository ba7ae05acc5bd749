using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace Loop.IntegrationTests.Redis;

/// <summary>Pub/sub as Redis 7 does it, with subscribers and publishers on different loops.</summary>
public sealed partial class PubSubTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Messages_reach_subscribers_on_every_loop_in_publish_order(Backend backend)
    {
        await using var server = Start(backend);
        using var publisher = await server.Connect();
        using var remote = await server.ConnectOnOtherLoopThan(publisher);
        using var local = await server.ConnectOnSameLoopAs(publisher);
        foreach (var subscriber in new[] { remote, local })
        {
            Assert.Equal(Array("subscribe", "news", 1L), await subscriber.Call("SUBSCRIBE", "news"));
        }

        const int count = 2000;
        for (var i = 0; i < count; i++) { publisher.Send("PUBLISH", "news", $"m{i}"); }
        await publisher.Flush();
        for (var i = 0; i < count; i++) { Assert.Equal(2L, await publisher.Read()); }
        foreach (var subscriber in new[] { remote, local })
        {
            for (var i = 0; i < count; i++) { Assert.Equal(Array("message", "news", $"m{i}"), await subscriber.Read()); }
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Patterns_receive_pmessages_and_confirmations_count_all_subscriptions(Backend backend)
    {
        await using var server = Start(backend);
        using var subscriber = await server.Connect();
        using var publisher = await server.Connect();

        Assert.Equal(Array("subscribe", "news.tech", 1L), await subscriber.Call("SUBSCRIBE", "news.tech"));
        subscriber.Send("PSUBSCRIBE", "news.*", "n*");
        await subscriber.Flush();
        Assert.Equal(Array("psubscribe", "news.*", 2L), await subscriber.Read());
        Assert.Equal(Array("psubscribe", "n*", 3L), await subscriber.Read());
        Assert.Equal(Array("psubscribe", "n*", 3L), await subscriber.Call("PSUBSCRIBE", "n*"));

        Assert.Equal(3L, await publisher.Call("PUBLISH", "news.tech", "chip"));
        Assert.Equal(0L, await publisher.Call("PUBLISH", "weather", "rain"));
        Assert.Equal(Array("message", "news.tech", "chip"), await subscriber.Read());
        var pmessages = new[] { await subscriber.Read(), await subscriber.Read() };
        Assert.Contains(Array("pmessage", "news.*", "news.tech", "chip"), pmessages);
        Assert.Contains(Array("pmessage", "n*", "news.tech", "chip"), pmessages);

        subscriber.Send("PUNSUBSCRIBE");
        await subscriber.Flush();
        // Redis leaves all patterns in no particular order; the count left goes down with each.
        var first = (object?[])(await subscriber.Read())!;
        var second = (object?[])(await subscriber.Read())!;
        Assert.Equal(["punsubscribe", 2L, "punsubscribe", 1L], new[] { first[0], first[2], second[0], second[2] });
        Assert.Equal(["n*", "news.*"], new[] { (string)first[1]!, (string)second[1]! }.Order());
        Assert.Equal(Array("punsubscribe", null, 1L), await subscriber.Call("PUNSUBSCRIBE"));
        Assert.Equal(Array("unsubscribe", "news.tech", 0L), await subscriber.Call("UNSUBSCRIBE"));
        Assert.Equal(Array("unsubscribe", null, 0L), await subscriber.Call("UNSUBSCRIBE"));
        Assert.Equal(Array("unsubscribe", "gone", 0L), await subscriber.Call("UNSUBSCRIBE", "gone"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Pubsub_introspection_sees_subscriptions_of_every_loop(Backend backend)
    {
        await using var server = Start(backend);
        using var observer = await server.Connect();
        using var remote = await server.ConnectOnOtherLoopThan(observer);
        using var local = await server.ConnectOnSameLoopAs(observer);
        await remote.Call("SUBSCRIBE", "alpha");
        await local.Call("SUBSCRIBE", "alpha");
        await local.Call("SUBSCRIBE", "beta");
        await remote.Call("PSUBSCRIBE", "a*");
        await local.Call("PSUBSCRIBE", "a*");
        await local.Call("PSUBSCRIBE", "b*");

        var channels = (object?[])(await observer.Call("PUBSUB", "CHANNELS"))!;
        Assert.Equal(["alpha", "beta"], channels.Cast<string>().Order());
        Assert.Equal(Array("beta"), await observer.Call("PUBSUB", "CHANNELS", "b*"));
        Assert.Equal(Array("alpha", 2L, "beta", 1L, "none", 0L), await observer.Call("PUBSUB", "NUMSUB", "alpha", "beta", "none"));
        Assert.Equal(Array(), await observer.Call("PUBSUB", "NUMSUB"));
        Assert.Equal(2L, await observer.Call("PUBSUB", "NUMPAT"));
        Assert.Equal(new ErrorReply("ERR wrong number of arguments for 'pubsub|numpat' command"), await observer.Call("PUBSUB", "NUMPAT", "x"));
        Assert.Equal(new ErrorReply("ERR unknown subcommand 'nope'. Try PUBSUB HELP."), await observer.Call("PUBSUB", "nope"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Subscribed_resp2_connection_only_runs_pubsub_commands_ping_and_reset(Backend backend)
    {
        await using var server = Start(backend);
        using var client = await server.Connect();
        await client.Call("SUBSCRIBE", "ch");

        Assert.Equal(new ErrorReply("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"),
            await client.Call("GET", "k"));
        Assert.Equal(new ErrorReply("ERR Can't execute 'publish': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"),
            await client.Call("PUBLISH", "ch", "x"));
        Assert.Equal(Array("pong", ""), await client.Call("PING"));
        Assert.Equal(Array("pong", "hi"), await client.Call("PING", "hi"));
        Assert.Equal(Array("unsubscribe", "ch", 0L), await client.Call("UNSUBSCRIBE"));
        Assert.Null(await client.Call("GET", "k"));
        Assert.Equal("PONG", await client.Call("PING"));

        Assert.Equal(Array("psubscribe", "c*", 1L), await client.Call("PSUBSCRIBE", "c*"));
        Assert.Equal("RESET", await client.Call("RESET"));
        Assert.Null(await client.Call("GET", "k"));
        Assert.Equal(0L, await client.Call("PUBSUB", "NUMPAT"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Resp3_connection_gets_push_messages_and_runs_any_command_while_subscribed(Backend backend)
    {
        await using var server = Start(backend);
        using var subscriber = await server.Connect();
        using var publisher = await server.Connect();
        await subscriber.Call("HELLO", "3");

        Assert.Equal(new Push(["subscribe", "ch", 1L]), await subscriber.Call("SUBSCRIBE", "ch"));
        Assert.Null(await subscriber.Call("GET", "k"));
        Assert.Equal("PONG", await subscriber.Call("PING"));
        Assert.Equal(1L, await publisher.Call("PUBLISH", "ch", "hello"));
        Assert.Equal(new Push(["message", "ch", "hello"]), await subscriber.Read());
        Assert.Equal(new Push(["psubscribe", "c?", 2L]), await subscriber.Call("PSUBSCRIBE", "c?"));
        Assert.Equal(1L, await publisher.Call("PUBLISH", "cx", "world"));
        Assert.Equal(new Push(["pmessage", "c?", "cx", "world"]), await subscriber.Read());
        Assert.Equal(new Push(["unsubscribe", "none", 2L]), await subscriber.Call("UNSUBSCRIBE", "none"));
        Assert.Equal(new Push(["unsubscribe", "ch", 1L]), await subscriber.Call("UNSUBSCRIBE", "ch"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Disconnect_unsubscribes_from_everything(Backend backend)
    {
        await using var server = Start(backend);
        using var observer = await server.Connect();
        using (var subscriber = await server.Connect())
        {
            await subscriber.Call("SUBSCRIBE", "ch");
            await subscriber.Call("PSUBSCRIBE", "c*");
            Assert.Equal(Array("ch", 1L), await observer.Call("PUBSUB", "NUMSUB", "ch"));
            Assert.Equal(1L, await observer.Call("PUBSUB", "NUMPAT"));
        }

        await Wait.Until(() => { lock (server.Redis.Keyspace) { return server.Redis.PubSub.SubscriberCount("ch"u8) == 0 && server.Redis.PubSub.PatternCount == 0; } },
            "the closed subscriber to leave its channel and pattern");
        Assert.Equal(Array("ch", 0L), await observer.Call("PUBSUB", "NUMSUB", "ch"));
        Assert.Equal(0L, await observer.Call("PUBSUB", "NUMPAT"));
        Assert.Equal(0L, await observer.Call("PUBLISH", "ch", "nobody"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task No_message_arrives_after_the_unsubscribe_confirmation(Backend backend)
    {
        await using var server = Start(backend);
        using var publisher = await server.Connect();
        using var subscriber = await server.ConnectOnOtherLoopThan(publisher);

        // The publisher never pauses, so messages are always on their way to the subscriber's loop when it unsubscribes.
        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < 100; i++) { publisher.Send("PUBLISH", "ch", "x"); }
                await publisher.Flush();
                for (var i = 0; i < 100; i++) { await publisher.Read(); }
            }
        });
        for (var round = 0; round < 20; round++)
        {
            Assert.Equal(Array("subscribe", "ch", 1L), await subscriber.Call("SUBSCRIBE", "ch"));
            Assert.Equal(Array("message", "ch", "x"), await subscriber.Read());
            subscriber.Send("UNSUBSCRIBE");
            subscriber.Send("ECHO", "after");
            await subscriber.Flush();
            object? reply;
            while ((reply = await subscriber.Read()) is object?[] { Length: 3 } message && Equals(message[0], "message")) { }
            Assert.Equal(Array("unsubscribe", "ch", 0L), reply);
            Assert.Equal("after", await subscriber.Read());
        }
        await stop.CancelAsync();
        await publishing;
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Subscriber_that_stops_reading_is_closed_at_the_output_limit(Backend backend)
    {
        await using var server = Start(backend, new ServerOptions { OutputPauseBytes = 64 * 1024, MaxOutputBytes = 1024 * 1024 });
        using var publisher = await server.Connect();
        using var stalled = await server.Connect(receiveBufferBytes: 4096);
        await stalled.Call("SUBSCRIBE", "firehose");

        // Far more than the limit plus what the socket buffers hold; the subscriber never reads again.
        var payload = new string('x', 64 * 1024);
        var published = 0;
        while ((long)(await publisher.Call("PUBLISH", "firehose", payload))! == 1)
        {
            Assert.True(++published < 2000, "the stalled subscriber was never closed");
        }
        Assert.Equal(Array("firehose", 0L), await publisher.Call("PUBSUB", "NUMSUB", "firehose"));
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
