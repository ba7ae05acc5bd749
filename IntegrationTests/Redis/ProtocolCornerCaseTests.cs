using System.Globalization;
using System.Text.RegularExpressions;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// Corner cases where redis-server 7.0 answers in its own way, each sent to it and to this server and compared byte for
/// byte: a negative multibulk count (skipped), floats (INCRBYFLOAT and HINCRBYFLOAT in a long double, doubles as %.17g in
/// RESP2 and RESP3), WATCH against FLUSHALL, FLUSHDB and SWAPDB of keys that were or were not there, what MULTI
/// queues, refuses or runs, and COMMAND INFO of the commands whose keys follow a count.
/// </summary>
public sealed partial class ProtocolCornerCaseTests
{
    [Theory]
    [InlineData("*-10\r\n*1\r\n$4\r\nPING\r\n")]
    [InlineData("*-1\r\n*-2147483648\r\n*0\r\nPING\r\n")]
    [InlineData("*-1x\r\nPING\r\n")]
    public async Task Empty_and_negative_multibulk_counts_answer_as_redis_does(string raw)
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        using var ourClient = await ours.ConnectAsync();
        using var theirClient = await RespSocket.ConnectAsync(real.EndPoint);
        await theirClient.SendAsync(raw);
        await ourClient.SendAsync(raw);
        Assert.Equal(await theirClient.ReadReplyAsync(), await ourClient.ReadReplyAsync());
    }

    private static readonly string[] Floats = ["0.1", "0.2", "-0.3", "1e20", "3.0", "-0.0", "inf", "-inf", "1.5e-7", "123456789.123456789",
        "5.0e3", "1e308", "1e400", "1e-400", "1e4930", "1e5000", "0.000000000000000001", "10.5", "-10.5", "+1", ".5", "1.", "1e", "0x10",
        "0x1.8p1", "nan", "abc", " 1", "1 ", "99999999999999999999", "1.1", "-1.1", "2.5e-5", "3.14159265358979323846", "1e-4940", "7", ""];

    [Theory]
    [InlineData(20261127, 2)]
    [InlineData(3, 3)]
    public async Task Float_replies_are_spelled_as_redis_spells_them(int seed, int protocol)
    {
        var random = new Random(seed);
        var script = new List<string[]> { new[] { "HELLO", $"{protocol}" } };
        for (var i = 0; i < 400; i++)
        {
            script.Add(["INCRBYFLOAT", $"f{random.Next(3)}", Floats[random.Next(Floats.Length)]]);
            script.Add(["HINCRBYFLOAT", "h", $"f{random.Next(2)}", Floats[random.Next(Floats.Length)]]);
            script.Add(["HGET", "h", $"f{random.Next(2)}"]);
        }
        // Scores a listpack keeps as they are (-0 comes last, on its own).
        string[] scores = ["0.1", "1.5e-7", "3", "1e20", "inf", "-inf", "0.30000000000000004", "1234.5678901", "-2.5", "1e-300"];
        for (var i = 0; i < 200; i++)
        {
            var member = $"m{random.Next(8)}";
            script.Add(random.Next(4) switch
            {
                0 => ["ZADD", "z", scores[random.Next(scores.Length)], member],
                1 => ["ZINCRBY", "z", scores[random.Next(scores.Length)], member],
                2 => ["ZSCORE", "z", member],
                _ => ["ZMSCORE", "z", member, "nosuch", $"m{random.Next(8)}"],
            });
        }
        script.AddRange([["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES"], ["ZPOPMIN", "z"], ["ZPOPMAX", "z", "2"]]);
        // -0: a listpack keeps it as 0, a skiplist as -0; ZINCRBY answers the score it computed either way.
        script.AddRange(
        [
            ["ZINCRBY", "n", "-0.0", "a"], ["ZSCORE", "n", "a"], ["ZADD", "n", "INCR", "-0", "b"], ["ZADD", "n", "0", "c"],
            ["ZINCRBY", "n", "-0.0", "c"], ["ZRANGE", "n", "0", "-1", "WITHSCORES"], ["ZADD", "w", "1", "a"],
            ["ZUNIONSTORE", "u", "1", "w", "WEIGHTS", "-0.0"], ["ZSCORE", "u", "a"], ["CONFIG", "SET", "zset-max-listpack-entries", "1"],
            ["ZADD", "big", "-0.0", "a", "-0.0", "b"], ["ZRANGE", "big", "0", "-1", "WITHSCORES"], ["ZRANGESTORE", "small", "big", "0", "0"],
            ["ZSCORE", "small", "a"], ["ZINCRBY", "big", "-0", "c"], ["ZSCORE", "big", "c"], ["OBJECT", "ENCODING", "big"],
        ]);
        Assert.Equal(1 + 400 * 3 + 200 + 4 + 17, await CompareAsync(script));
    }

    [Fact]
    public async Task Watch_sees_a_flush_or_a_swap_only_of_keys_that_were_there()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync(null, "--enable-debug-command", "yes");
        using var ourWatcher = await ours.ConnectAsync();
        using var ourOther = await ours.ConnectAsync();
        using var theirWatcher = await RespSocket.ConnectAsync(real.EndPoint);
        using var theirOther = await RespSocket.ConnectAsync(real.EndPoint);
        // Each step: who sends what (w the watcher, o the other client).
        (char Who, string[] Command)[] steps =
        [
            ('w', ["WATCH", "missing"]), ('o', ["FLUSHALL"]), ('w', ["MULTI"]), ('w', ["PING"]), ('w', ["EXEC"]),
            ('o', ["SET", "present", "1"]), ('w', ["WATCH", "present"]), ('o', ["FLUSHALL"]), ('w', ["MULTI"]), ('w', ["PING"]), ('w', ["EXEC"]),
            ('w', ["WATCH", "missing"]), ('o', ["FLUSHDB"]), ('w', ["MULTI"]), ('w', ["PING"]), ('w', ["EXEC"]),
            ('o', ["SET", "present", "1"]), ('w', ["WATCH", "present"]), ('o', ["FLUSHDB", "ASYNC"]), ('w', ["MULTI"]), ('w', ["PING"]), ('w', ["EXEC"]),
            ('o', ["SELECT", "1"]), ('o', ["SET", "elsewhere", "1"]), ('w', ["WATCH", "present", "elsewhere"]), ('o', ["FLUSHDB"]),
            ('w', ["MULTI"]), ('w', ["PING"]), ('w', ["EXEC"]),
            ('o', ["SET", "elsewhere", "1"]), ('w', ["WATCH", "elsewhere"]), ('o', ["SWAPDB", "0", "1"]), ('w', ["MULTI"]), ('w', ["PING"]), ('w', ["EXEC"]),
            ('w', ["WATCH", "missing"]), ('o', ["SWAPDB", "0", "1"]), ('w', ["MULTI"]), ('w', ["PING"]), ('w', ["EXEC"]),
            ('o', ["SET", "k", "1"]), ('o', ["PEXPIRE", "k", "1"]), ('o', ["DEBUG", "SLEEP", "0.01"]), ('w', ["WATCH", "k"]),
            ('o', ["FLUSHALL"]), ('w', ["MULTI"]), ('w', ["PING"]), ('w', ["EXEC"]),
        ];
        foreach (var (who, command) in steps)
        {
            var expected = await (who == 'w' ? theirWatcher : theirOther).CommandAsync(command);
            var actual = await (who == 'w' ? ourWatcher : ourOther).CommandAsync(command);
            Assert.True(expected == actual, $"{who}: {string.Join(' ', command)}\nredis-server: {expected}\nloop-redis:   {actual}");
        }
    }

    [Fact]
    public async Task Multi_queues_refuses_and_runs_commands_as_redis_does() =>
        Assert.Equal(32, await CompareAsync(
        [
            ["MULTI"], ["HELLO", "3"], ["AUTH", "nopass"], ["PING"], ["EXEC"],
            ["MULTI"], ["SAVE"], ["EXEC"], ["MULTI"], ["SHUTDOWN"], ["DISCARD"],
            ["MULTI"], ["BGSAVE"], ["EXEC"], ["MULTI"], ["WAIT", "0", "0"], ["CONFIG", "SET", "hz", "11"], ["CONFIG", "GET", "hz"], ["EXEC"],
            ["MULTI"], ["WATCH", "x"], ["MULTI"], ["CONFIG", "SET", "hz", "x"], ["EXEC"],
            ["MULTI"], ["HELLO", "2"], ["DISCARD"], ["HELLO", "2"], ["MULTI"], ["QUIT"], ["PING"], ["PING"],
        ]));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Command_info_of_commands_whose_keys_follow_a_count_is_redis_own(int protocol) =>
        Assert.Equal(7, await CompareAsync(
        [
            ["HELLO", $"{protocol}"], ["COMMAND", "INFO", "lmpop"], ["COMMAND", "INFO", "blmpop"], ["COMMAND", "INFO", "zmpop"],
            ["COMMAND", "INFO", "BZMPOP"], ["COMMAND", "INFO", "sintercard"], ["COMMAND", "INFO", "zintercard", "lmpop"],
        ]));

    [Fact]
    public async Task What_came_after_redis_7_0_is_unknown_as_to_redis_7_0() =>
        Assert.Equal(8, await CompareAsync(
        [
            ["CLIENT", "SETINFO", "lib-name", "x"], ["CLIENT", "NO-TOUCH", "on"], ["CLIENT", "NO-EVICT", "on"], ["CLIENT", "GETNAME", "x"],
            ["CLIENT", "nosuch"], ["CLIENT", "KILL"], ["CONFIG", "GET", "enable-protected-configs"], ["CLIENT", "ID", "x"],
        ]));

    // Both servers get the script in turn; every reply must be the same RESP (HELLO's names its own client id).
    private static async Task<int> CompareAsync(IReadOnlyList<string[]> script)
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        var ourClient = await ours.ConnectAsync();
        var theirClient = await RespSocket.ConnectAsync(real.EndPoint);
        var compared = 0;
        foreach (var command in script)
        {
            if (command is ["PING"] && compared > 0 && script[compared - 1] is ["QUIT"])
            {
                // QUIT inside MULTI closed both connections: go on with new ones.
                (ourClient, theirClient) = (await ours.ConnectAsync(), await RespSocket.ConnectAsync(real.EndPoint));
            }
            var expected = ClientId().Replace(await theirClient.CommandAsync(command), "id\r\n:<id>");
            var actual = ClientId().Replace(await ourClient.CommandAsync(command), "id\r\n:<id>");
            Assert.True(expected == actual, $"{string.Join(' ', command)}\nredis-server: {expected}\nloop-redis:   {actual}");
            compared++;
        }
        ourClient.Dispose();
        theirClient.Dispose();
        return compared;
    }

    [GeneratedRegex(@"id\r\n:\d+")]
    private static partial Regex ClientId();
}
