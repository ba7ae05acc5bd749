using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>The command table's key specs, as COMMAND GETKEYS and COMMAND INFO show them (Redis 7.0's answers).</summary>
public sealed class CommandKeysTests
{
    public static TheoryData<string[], string[]> Commands => new()
    {
        { ["GET", "k"], ["k"] },
        { ["MSET", "a", "1", "b", "2"], ["a", "b"] },
        { ["BLPOP", "a", "b", "0"], ["a", "b"] },
        { ["LMPOP", "2", "a", "b", "LEFT"], ["a", "b"] },
        { ["BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "3"], ["a", "b"] },
        { ["ZMPOP", "1", "z", "MIN"], ["z"] },
        { ["BZMPOP", "0", "3", "x", "y", "z", "MAX"], ["x", "y", "z"] },
        { ["SINTERCARD", "2", "a", "b", "LIMIT", "1"], ["a", "b"] },
        { ["ZUNION", "2", "a", "b", "WITHSCORES"], ["a", "b"] },
        { ["ZINTERCARD", "3", "a", "b", "c"], ["a", "b", "c"] },
        { ["ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "2"], ["dst", "a", "b"] },
        { ["ZDIFFSTORE", "dst", "1", "a"], ["dst", "a"] },
        { ["DUMP", "k"], ["k"] },
        { ["RESTORE", "k", "0", "payload", "REPLACE"], ["k"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task GETKEYS_finds_the_keys_of(string[] command, string[] keys)
    {
        await using var redis = await InProcessRedis.StartAsync(Backend.Epoll);
        using var client = await redis.ConnectAsync();
        var expected = $"*{keys.Length}\r\n" + string.Concat(keys.Select(k => $"${k.Length}\r\n{k}\r\n"));
        Assert.Equal(expected, await client.CommandAsync(["COMMAND", "GETKEYS", .. command]));
    }

    [Fact]
    public async Task GETKEYS_refuses_a_keyless_or_unknown_command_and_INFO_marks_counted_keys_movable()
    {
        await using var redis = await InProcessRedis.StartAsync(Backend.Epoll);
        using var client = await redis.ConnectAsync();
        Assert.Equal("-ERR The command has no key arguments\r\n", await client.CommandAsync("COMMAND", "GETKEYS", "PING"));
        Assert.Equal("-ERR Invalid command specified\r\n", await client.CommandAsync("COMMAND", "GETKEYS", "NOPE", "k"));
        Assert.Equal("-ERR Invalid number of arguments specified for command\r\n", await client.CommandAsync("COMMAND", "GETKEYS", "GET"));
        Assert.Contains("+movablekeys\r\n", await client.CommandAsync("COMMAND", "INFO", "LMPOP"));
        Assert.DoesNotContain("+movablekeys\r\n", await client.CommandAsync("COMMAND", "INFO", "GET"));
    }
}
