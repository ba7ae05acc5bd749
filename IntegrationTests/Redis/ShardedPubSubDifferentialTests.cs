using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// Sharded pub/sub (SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH, PUBSUB SHARDCHANNELS / SHARDNUMSUB) against redis-server 7.0: the
/// same seeded script goes to both, a RESP2 and a RESP3 subscriber (on other loops than the publisher here) and a
/// publisher, and every client's whole stream of replies and messages is compared. Before a subscriber sends a command,
/// the publisher sends a fence message that subscriber reads up to, so what it received is compared at a point both
/// servers agree on without waiting on time.
/// </summary>
public sealed class ShardedPubSubDifferentialTests
{
    private static readonly string[] Channels = ["c0", "c1", "c2", "news"];

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Seeded_scripts_give_the_same_streams_as_redis(Backend backend)
    {
        await using var ours = await InProcessRedis.StartAsync(backend);
        await using var real = await RealRedis.StartAsync();
        var ourPublisher = new RespClient(await ours.ConnectAsync());
        var ourClients = new[] { ourPublisher, await ours.ConnectClientOnAnotherLoopAsync(ourPublisher), await ours.ConnectClientOnAnotherLoopAsync(ourPublisher) };
        var theirClients = new[] { await real.ConnectAsync(), await real.ConnectAsync(), await real.ConnectAsync() };
        var compared = 0;
        try
        {
            var script = new Script(ourClients, theirClients);
            await script.StepAsync(2, ["HELLO", "3"], replies: 1, mask: true, fence: false);
            for (var subscriber = 1; subscriber <= 2; subscriber++) { await script.StepAsync(subscriber, ["SSUBSCRIBE", "fence"], replies: 1, fence: false); }
            var random = new Random(20260701);
            for (var i = 0; i < 400; i++) { await script.StepAsync(random); }
            compared = script.Compared;
        }
        finally
        {
            foreach (var client in ourClients.Concat(theirClients)) { client.Dispose(); }
        }
        Assert.True(compared > 400, $"only {compared} replies compared");
    }

    private sealed class Script(RespClient[] ours, RespClient[] theirs)
    {
        private int _fence;

        public int Compared { get; private set; }

        public Task StepAsync(Random random)
        {
            var channel = Channels[random.Next(Channels.Length)];
            var other = Channels[random.Next(Channels.Length)];
            var subscriber = 1 + random.Next(2);
            return random.Next(12) switch
            {
                0 or 1 or 2 or 3 => StepAsync(0, [random.Next(4) == 0 ? "PUBLISH" : "SPUBLISH", channel, $"m{random.Next(1000)}"], 1),
                4 or 5 => StepAsync(subscriber, ["SSUBSCRIBE", channel, other], 2),
                6 => StepAsync(subscriber, ["SUNSUBSCRIBE", channel], 1),
                7 => StepAsync(subscriber, [random.Next(2) == 0 ? "SUBSCRIBE" : "PSUBSCRIBE", channel[..1] + "*"], 1),
                8 => StepAsync(subscriber, [random.Next(2) == 0 ? "UNSUBSCRIBE" : "PUNSUBSCRIBE", channel[..1] + "*"], 1),
                9 => StepAsync(subscriber, ["SPUBLISH", channel, "from-a-subscriber"], 1),
                10 => StepAsync(0, ["PUBSUB", random.Next(2) == 0 ? "SHARDNUMSUB" : "NUMSUB", channel, other], 1),
                _ => StepAsync(0, ["PUBSUB", "SHARDCHANNELS", channel], 1),
            };
        }

        /// <summary>
        /// Sends <paramref name="command"/> from client <paramref name="from"/> to both servers and compares its
        /// <paramref name="replies"/> replies (and, for a subscriber, the messages it received before).
        /// </summary>
        public async Task StepAsync(int from, string[] command, int replies, bool mask = false, bool fence = true)
        {
            if (from > 0 && fence) { await FenceAsync(from); }
            var (expected, actual) = (await RunAsync(theirs[from], command, replies), await RunAsync(ours[from], command, replies));
            if (mask) { return; } // HELLO: ids and versions differ
            Assert.True(expected == actual, $"client {from}: {string.Join(' ', command)}\nredis-server: {expected}\nloop-redis:   {actual}");
            Compared += replies;
        }

        // The publisher sends a fence to the subscriber's own fence channel; what the subscriber got before it must match.
        private async Task FenceAsync(int subscriber)
        {
            var fence = $"fence-{_fence++}";
            foreach (var clients in new[] { theirs, ours })
            {
                Assert.Equal(2L, await clients[0].CallAsync("SPUBLISH", "fence", fence));
            }
            var (expected, actual) = (await ReadUntilAsync(theirs[subscriber], fence), await ReadUntilAsync(ours[subscriber], fence));
            Assert.True(expected == actual, $"messages to client {subscriber} before {fence}\nredis-server: {expected}\nloop-redis:   {actual}");
        }

        private static async Task<string> ReadUntilAsync(RespClient client, string fence)
        {
            var received = new List<string>();
            while (SameAsRealRedis.Show(await client.ReadAsync()) is var message && !message.EndsWith($", {fence}]")) { received.Add(message); }
            return string.Join(" ", received);
        }

        private static async Task<string> RunAsync(RespClient client, string[] command, int replies)
        {
            await client.SendAsync(command);
            var received = new List<string>();
            for (var i = 0; i < replies; i++) { received.Add(SameAsRealRedis.Show(await client.ReadAsync())); }
            return string.Join(" ", received);
        }
    }
}
