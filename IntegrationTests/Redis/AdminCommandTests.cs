using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// What administration tools ask a standalone server (ROLE, REPLICAOF NO ONE, cluster and module commands, ACL for the
/// default user, MEMORY) against the real redis-server 7.0 (test.sh installs it): the same RESP, in RESP2 and RESP3.
/// MEMORY USAGE is an estimate here and MEMORY DOCTOR depends on the process's memory, so only their shapes are checked.
/// </summary>
public sealed class AdminCommandTests
{
    private static readonly string[][] SameAnswers =
    [
        ["ROLE"], ["REPLICAOF", "NO", "ONE"], ["SLAVEOF", "NO", "ONE"], ["FAILOVER"], ["READONLY"], ["READWRITE"], ["ASKING"],
        ["MODULE", "LIST"], ["MODULE", "LOAD", "/nowhere.so"], ["MODULE", "HELP"], ["MEMORY", "HELP"], ["MEMORY", "PURGE"],
        ["MEMORY", "USAGE", "missing"], ["ACL", "WHOAMI"], ["ACL", "USERS"], ["ACL", "LIST"], ["ACL", "CAT"],
        ["ACL", "GETUSER", "default"], ["ACL", "GETUSER", "nobody"],
    ];

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Administration_commands_answer_as_redis_does(int protocol)
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var ours = await loop.ConnectAsync();
        using var theirs = await RespSocket.ConnectAsync(redis.EndPoint);
        await ours.CommandAsync("HELLO", $"{protocol}");
        await theirs.CommandAsync("HELLO", $"{protocol}");
        foreach (var command in SameAnswers)
        {
            Assert.True(await theirs.CommandAsync(command) == await ours.CommandAsync(command), $"{string.Join(' ', command)} answers differently");
        }
        Assert.Equal("+OK\r\n", await ours.CommandAsync("SET", "key", "value"));
        Assert.StartsWith(":", await ours.CommandAsync("MEMORY", "USAGE", "key"));
        Assert.StartsWith(":", await ours.CommandAsync("MEMORY", "USAGE", "key", "SAMPLES", "0"));
        Assert.StartsWith("$", await ours.CommandAsync("MEMORY", "DOCTOR"));
    }
}
