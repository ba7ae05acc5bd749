using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>The command table beside redis-server 7.0's: every top-level command it has is here too.</summary>
public sealed class CommandTableTests
{
    // Scripting, functions and MONITOR are other branches' work; until they land these are the only ones that may be missing.
    private static readonly string[] NotYet = ["eval", "eval_ro", "evalsha", "evalsha_ro", "fcall", "fcall_ro", "function", "script", "monitor"];

    [Fact]
    public async Task Every_command_of_redis_7_0_exists_here()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Epoll);
        await using var redis = await RealRedis.StartAsync();
        using var ours = new RespClient(await loop.ConnectAsync());
        using var theirs = await redis.ConnectAsync();
        var theirCommands = Names(await theirs.CallAsync("COMMAND", "LIST"));
        var ourCommands = Names(await ours.CallAsync("COMMAND", "LIST"));
        Assert.Empty(theirCommands.Except(ourCommands).Except(NotYet).Order());
        Assert.Empty(ourCommands.Except(theirCommands).Order());
        Assert.Equal(ourCommands.Count, (long)(await ours.CallAsync("COMMAND", "COUNT"))!);
    }

    // Top-level names only: redis-server lists subcommands (acl|cat) too.
    private static HashSet<string> Names(object? list) => [.. ((object?[])list!).Cast<string>().Where(name => !name.Contains('|'))];
}
