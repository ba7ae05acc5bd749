using System.Diagnostics;
using System.Text.RegularExpressions;
using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>DEBUG SLEEP, OBJECT, SET-ACTIVE-EXPIRE and the subcommands that only answer, and WAIT.</summary>
public sealed class DebugCommandTests
{
    [Fact]
    public async Task PROTOCOL_answers_each_type_byte_for_byte_as_redis_does_in_RESP2_and_RESP3()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync(null, "--enable-debug-command", "yes");
        using var ourSocket = await ours.ConnectAsync();
        using var theirSocket = await RespSocket.ConnectAsync(real.EndPoint);
        Assert.Equal(await TranscriptAsync(theirSocket), await TranscriptAsync(ourSocket));

        static async Task<string> TranscriptAsync(RespSocket socket)
        {
            var transcript = new System.Text.StringBuilder();
            foreach (var protocol in new[] { "2", "3" })
            {
                await socket.CommandAsync("HELLO", protocol);
                foreach (var type in new[] { "string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "push", "verbatim", "true", "false", "nope" })
                {
                    transcript.Append(await socket.CommandAsync("DEBUG", "PROTOCOL", type));
                    if (type == "push" && protocol == "3") { transcript.Append(await socket.ReadReplyAsync()); } // the real reply after it
                }
            }
            return transcript.ToString();
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task SLEEP_holds_the_calling_loop_while_the_others_serve(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, loops: 2); // whatever LOOP_REDIS_TEST_LOOPS says
        var sleeper = new RespClient(await redis.ConnectAsync());
        var other = await redis.ConnectClientOnAnotherLoopAsync(sleeper);
        var sleeperId = (long)(await sleeper.CallAsync("CLIENT", "ID"))!;
        Assert.Equal("OK", await sleeper.CallAsync("DEBUG", "SLEEP", "0"));
        Assert.Equal("PONG", await sleeper.CallAsync("PING")); // CLIENT LIST's cmd= names DEBUG again only once the sleep runs

        var started = Stopwatch.GetTimestamp();
        await sleeper.SendAsync("DEBUG", "SLEEP", "3");
        var slept = sleeper.ReadAsync();
        // Once its loop runs DEBUG, the other loop still answers before the sleep is over.
        await Eventually.HoldsAsync(async () =>
            Regex.IsMatch((string)(await other.CallAsync("CLIENT", "LIST"))!, $@"^id={sleeperId} .*cmd=debug", RegexOptions.Multiline), "the sleep to start");
        var pong = other.CallAsync("PING");
        Assert.Same(pong, await Task.WhenAny(pong, slept));
        Assert.Equal("PONG", await pong);
        Assert.Equal("OK", await slept);
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromSeconds(3));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task SET_ACTIVE_EXPIRE_0_leaves_expired_keys_to_be_found(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = new RespClient(await redis.ConnectAsync());
        Assert.Equal("OK", await client.CallAsync("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
        await client.CallAsync("SET", "k", "v", "PX", "1");
        // Loop 0 runs the expiry cycle every 100 ms: let it run a few times.
        var loop = redis.Server.Loops[0];
        var ticks = new long[1];
        await Wait.OnLoop(loop, () => loop.Every(TimeSpan.FromMilliseconds(100), () => Interlocked.Increment(ref ticks[0])));
        await Wait.Until(() => Volatile.Read(ref ticks[0]) >= 5, "five expiry periods");
        Assert.Equal("0", await ExpiredKeys(client));

        Assert.Equal("OK", await client.CallAsync("DEBUG", "SET-ACTIVE-EXPIRE", "1"));
        await Eventually.HoldsAsync(async () => await ExpiredKeys(client) == "1", "the cycle to delete the key");
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task OBJECT_describes_any_value_and_the_answering_subcommands_answer(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = new RespClient(await redis.ConnectAsync());
        await client.CallAsync("HSET", "h", "f", "v");
        Assert.Matches(@"^Value at:0x[0-9a-f]+ refcount:1 encoding:listpack serializedlength:\d+ lru:\d+ lru_seconds_idle:0$",
            (string)(await client.CallAsync("DEBUG", "OBJECT", "h"))!);
        async Task<string> ReplicationId() => Regex.Match((string)(await client.CallAsync("INFO", "replication"))!, "master_replid:(.*)\r").Groups[1].Value;
        var id = await ReplicationId();
        Assert.Equal("OK", await client.CallAsync("DEBUG", "CHANGE-REPL-ID"));
        var changed = await ReplicationId();
        Assert.Matches("^[0-9a-f]{40}$", changed);
        Assert.NotEqual(id, changed);
        Assert.Equal("OK", await client.CallAsync("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1kb"));
        Assert.Equal(0L, await client.CallAsync("WAIT", "1", "10")); // no replica: 0 once the timeout passed
    }

    [Fact]
    public Task Replies_and_errors_read_as_redis_servers_do() => SameAsRealRedis.RepliesAsync(
        [
            // Strings LZF compresses are left out: our LZF finds other matches than Redis's, so their lengths differ.
            ["SET", "s", "hello"], ["SET", "i", "12345"], ["SET", "shared", "5"],
            ["SET", "random", "a7f3k9q2m5x8c1v4b6n0z3l7j2h5g8d1s4"],
            ["DEBUG", "OBJECT", "s"], ["DEBUG", "OBJECT", "i"], ["DEBUG", "OBJECT", "shared"],
            ["DEBUG", "OBJECT", "random"], ["DEBUG", "OBJECT", "nokey"], ["DEBUG", "SLEEP", "0"], ["DEBUG", "SLEEP", "x"],
            ["DEBUG", "SET-ACTIVE-EXPIRE", "1"], ["DEBUG", "JMAP"], ["DEBUG", "NOPE"], ["DEBUG", "CHANGE-REPL-ID"],
            ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "10"], ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "x"],
            ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"],
            ["WAIT", "0", "0"], ["WAIT", "x", "0"], ["WAIT", "0", "-1"], ["WAIT", "0", "x"], ["WAIT", "0"],
        ], Masked, "--enable-debug-command", "yes");

    private static async Task<string> ExpiredKeys(RespClient client) =>
        Regex.Match((string)(await client.CallAsync("INFO", "stats"))!, @"expired_keys:(\d+)").Groups[1].Value;

    // DEBUG OBJECT's address and LRU clock differ between servers.
    private static string Masked(object? reply) => reply is string text ? Regex.Replace(text, @"at:0x[0-9a-f]+|lru:\d+ ", "") : SameAsRealRedis.Show(reply);
}
