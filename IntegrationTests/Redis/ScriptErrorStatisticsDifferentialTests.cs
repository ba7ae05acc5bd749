using System.Text.RegularExpressions;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// How a script's errors are counted, against the real redis-server 7.0: a command that fails or is refused inside the
/// script is counted when it happens (INFO errorstats, total_error_replies, its own failed or rejected calls), and the
/// script's reply does not count that error again, while an error the script makes itself is counted as it replies.
/// </summary>
public sealed partial class ScriptErrorStatisticsDifferentialTests
{
    [Theory]
    [InlineData("return redis.pcall('incr', KEYS[1])")]
    [InlineData("local t = redis.pcall('incr', KEYS[1]) return 1")]
    [InlineData("return redis.call('incr', KEYS[1])")]
    [InlineData("return redis.pcall('nosuch')")]
    [InlineData("local t = redis.pcall('nosuch') return 1")]
    [InlineData("return redis.call('incr')")]
    [InlineData("return redis.call('select', 99)")]
    [InlineData("return {err='MY thing'}")]
    [InlineData("return redis.error_reply('')")]
    [InlineData("return redis.error_reply('oops')")]
    [InlineData("return redis.error_reply('-CODE with message')")]
    [InlineData("return redis.error_reply('a', 'b')")]
    [InlineData("return redis.pcall('incr', KEYS[1])['ignore_error_stats_update']")]
    [InlineData("return redis.error_reply('x')['ignore_error_stats_update']")]
    [InlineData("return redis.pcall('set', KEYS[1], 'y')", "EVAL_RO")]
    [InlineData("return redis.call('set', KEYS[1], 'y')", "EVAL_RO")]
    public async Task A_scripts_errors_are_counted_as_redis_counts_them(string body, string eval = "EVAL")
    {
        await using var pair = await ServerPair.StartAsync(protocol: 2);
        foreach (var server in new[] { pair.Theirs, pair.Ours })
        {
            Assert.Equal("+OK\r\n", await server.CommandAsync("SET", "s", "abc"));
            Assert.Equal("+OK\r\n", await server.CommandAsync("CONFIG", "RESETSTAT"));
        }
        var expected = await pair.Theirs.CommandAsync(eval, body, "1", "s");
        Assert.Equal(expected, await pair.Ours.CommandAsync(eval, body, "1", "s"));
        Assert.Equal(await StatisticsAsync(pair.Theirs), await StatisticsAsync(pair.Ours));
    }

    // errorstats, total_error_replies and the calls of the commands the scripts run, without their times (Redis lists
    // commands in its hash order).
    private static async Task<string> StatisticsAsync(RespSocket server)
    {
        var errors = await server.CommandAsync("INFO", "errorstats");
        var total = Regex.Match(await server.CommandAsync("INFO", "stats"), "total_error_replies:\\d+").Value;
        var commands = ScriptCommand().Matches(await server.CommandAsync("INFO", "commandstats")).Select(m => m.Groups[1].Value + m.Groups[2].Value).Order();
        return string.Join('\n', [errors[(errors.IndexOf('\n') + 1)..], total, .. commands]);
    }

    [GeneratedRegex("(cmdstat_(?:eval|eval_ro|incr|select|set):calls=\\d+,)usec=\\d+,usec_per_call=[\\d.]+,(rejected_calls=\\d+,failed_calls=\\d+)")]
    private static partial Regex ScriptCommand();
}
