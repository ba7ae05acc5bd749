using System.Text;
using Loop.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// Keyspace notifications against the real redis-server 7.0: with the same notify-keyspace-events, a subscriber to
/// <c>__key*__:*</c> on each server, and the same seeded script of write commands of every family (KeyspaceEventScript),
/// each command's reply and the notifications it caused must be the same RESP. A command's notifications are those the
/// subscriber receives before a PUBLISH sent after it on the same connection, so no wait depends on time. Ours runs with
/// the subscriber on another loop than the writer, so every notification crosses loops.
/// </summary>
public sealed class KeyspaceEventDifferentialTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(20261127, "KEA")]
    [InlineData(7, "KEA")]
    [InlineData(8, "AKEn")]
    [InlineData(9, "Kl$")]
    [InlineData(10, "Egxz")]
    [InlineData(11, "Ensht")]
    public async Task Random_writes_notify_as_redis_does(int seed, string classes)
    {
        var notifications = await CompareAsync(new KeyspaceEventScript(new Random(seed)).Commands(1500).ToList(), classes);
        // The script is worth its name: most families notified many times over.
        Assert.True(notifications > 300, $"only {notifications} notifications");
    }

    /// <summary>
    /// keymiss: reads of every family, of keys present, missing and expired (both servers' active expiry off, so a
    /// string stored with a deadline already past waits for a lookup), mixed with the writes, publish what Redis's read
    /// lookups publish, as often and in the same order as each command looks up.
    /// </summary>
    [Theory]
    [InlineData(20261127, "KEAm")]
    [InlineData(12, "KEAm")]
    [InlineData(13, "Em")]
    [InlineData(14, "Kgxm")]
    public async Task Random_reads_notify_keymiss_as_redis_does(int seed, string classes)
    {
        var script = new KeyspaceEventScript(new Random(seed), reads: true).Commands(2000).ToList();
        var notifications = await CompareAsync(script, classes, activeExpiry: false);
        Assert.True(notifications > 500, $"only {notifications} notifications");
    }

    // Runs the script on both servers, failing at the first command whose reply or notifications differ; returns how
    // many notifications were compared.
    private async Task<int> CompareAsync(List<string[]> script, string classes, bool activeExpiry = true)
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto, activeExpiry: activeExpiry);
        await using var redis = await RealRedis.StartAsync(null, "--enable-debug-command", "yes");
        using var ours = await loop.ConnectAsync();
        using var ourSubscriber = await loop.ConnectOnAnotherLoopAsync(await loop.LoopOfAsync(ours));
        var theirWriter = await RespSocket.ConnectAsync(redis.EndPoint);
        if (!activeExpiry) { Assert.Equal("+OK\r\n", await theirWriter.CommandAsync("DEBUG", "SET-ACTIVE-EXPIRE", "0")); }
        var theirSide = await Side.StartAsync(theirWriter, await RespSocket.ConnectAsync(redis.EndPoint), classes);
        var ourSide = await Side.StartAsync(ours, ourSubscriber, classes);
        var notifications = 0;
        for (var i = 0; i < script.Count; i++)
        {
            var (expectedReply, expected) = await theirSide.RunAsync(script[i]);
            var (actualReply, actual) = await ourSide.RunAsync(script[i]);
            var command = string.Join(' ', script[i]);
            expectedReply = expectedReply.ReplaceLineEndings(" ");
            actualReply = actualReply.ReplaceLineEndings(" ");
            expected = expected.ReplaceLineEndings(" ");
            actual = actual.ReplaceLineEndings(" ");
            if (!KeyspaceEventScript.RandomReply(script[i]) && expectedReply != actualReply)
            {
                Assert.Fail($"command {i}: {command}\nredis-server: {expectedReply}\nloop-redis:   {actualReply}");
            }
            if (expected != actual) { Assert.Fail($"command {i}: {command} notified\nredis-server: {expected}\nloop-redis:   {actual}"); }
            notifications += expected.Split("pmessage").Length - 1;
        }
        output.WriteLine($"{script.Count} commands, {notifications} notifications compared");
        return notifications;
    }

    /// <summary>One server's writer and subscriber.</summary>
    private sealed class Side(RespSocket writer, RespSocket subscriber)
    {
        private bool _inTransaction;

        public static async Task<Side> StartAsync(RespSocket writer, RespSocket subscriber, string classes)
        {
            Assert.Equal("+OK\r\n", await writer.CommandAsync("CONFIG", "SET", "notify-keyspace-events", classes));
            await subscriber.SendAsync(RespSocket.Encode("PSUBSCRIBE", "__key*__:*") + RespSocket.Encode("SUBSCRIBE", "done"));
            await subscriber.ReadReplyAsync();
            await subscriber.ReadReplyAsync();
            return new Side(writer, subscriber);
        }

        /// <summary>The command's reply and the notifications it caused, in the order they came.</summary>
        public async Task<(string Reply, string Notifications)> RunAsync(string[] command)
        {
            var reply = await writer.CommandAsync(command);
            _inTransaction = command[0] == "MULTI" || (_inTransaction && command[0] != "EXEC");
            if (_inTransaction) { return (reply, ""); } // queued: nothing runs until EXEC
            Assert.Equal(":1\r\n", await writer.CommandAsync("PUBLISH", "done", string.Join(' ', command)));
            var notifications = new StringBuilder();
            while (await subscriber.ReadReplyAsync() is var message && !message.StartsWith("*3\r\n$7\r\nmessage\r\n"))
            {
                notifications.Append(message);
            }
            // The read lookups' counts go with the notifications: keyspace_hits and keyspace_misses follow the same lookups.
            var stats = await writer.CommandAsync("INFO", "stats");
            notifications.Append(string.Join(' ', stats.Split("\r\n").Where(line => line.StartsWith("keyspace_"))));
            return (reply, notifications.ToString());
        }
    }
}
