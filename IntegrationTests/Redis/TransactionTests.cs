using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>MULTI, EXEC, DISCARD and WATCH over raw RESP, with Redis's replies and errors.</summary>
public sealed class TransactionTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Exec_runs_the_queued_commands_and_answers_all_their_replies(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("SET", "a", "1"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("INCR", "a"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("GET", "a"));
        Assert.Equal("*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n", await client.CommandAsync("EXEC"));
        Assert.Equal("-ERR EXEC without MULTI\r\n", await client.CommandAsync("EXEC"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_command_refused_while_queuing_makes_exec_abort_and_run_nothing(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("SET", "a", "1"));
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", await client.CommandAsync("GET"));
        Assert.StartsWith("-ERR unknown command 'NOSUCH'", await client.CommandAsync("NOSUCH"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", await client.CommandAsync("EXEC"));
        Assert.Equal("$-1\r\n", await client.CommandAsync("GET", "a"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_command_failing_inside_exec_is_one_error_among_the_replies(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "s", "not a number"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("INCR", "s"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("SET", "t", "1"));
        Assert.Equal("*2\r\n-ERR value is not an integer or out of range\r\n+OK\r\n", await client.CommandAsync("EXEC"));
        Assert.Equal("$1\r\n1\r\n", await client.CommandAsync("GET", "t"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_write_from_a_connection_on_another_loop_to_a_watched_key_makes_exec_answer_null(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var watcher = await redis.ConnectAsync();
        using var writer = await redis.ConnectOnAnotherLoopAsync(await redis.LoopOfAsync(watcher));
        Assert.Equal("+OK\r\n", await watcher.CommandAsync("WATCH", "w"));
        Assert.Equal("+OK\r\n", await writer.CommandAsync("SET", "w", "theirs"));
        Assert.Equal("+OK\r\n", await watcher.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await watcher.CommandAsync("SET", "w", "mine"));
        Assert.Equal("*-1\r\n", await watcher.CommandAsync("EXEC"));
        Assert.Equal("$6\r\ntheirs\r\n", await watcher.CommandAsync("GET", "w"));

        // The failed EXEC dropped the watch: the same transaction now succeeds.
        Assert.Equal("+OK\r\n", await watcher.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await watcher.CommandAsync("SET", "w", "mine"));
        Assert.Equal("*1\r\n+OK\r\n", await watcher.CommandAsync("EXEC"));
        Assert.Equal("$4\r\nmine\r\n", await writer.CommandAsync("GET", "w"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_watched_key_left_alone_lets_exec_run_and_resp3_spells_an_aborted_exec_as_null(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        using var other = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("WATCH", "w", "unrelated"));
        Assert.Equal("+OK\r\n", await other.CommandAsync("SET", "elsewhere", "1"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("INCR", "w"));
        Assert.Equal("*1\r\n:1\r\n", await client.CommandAsync("EXEC"));

        Assert.StartsWith("%7\r\n", await client.CommandAsync("HELLO", "3"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("WATCH", "w"));
        Assert.Equal(":1\r\n", await other.CommandAsync("DEL", "w"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("INCR", "w"));
        Assert.Equal("_\r\n", await client.CommandAsync("EXEC"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Discard_drops_the_queue(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("-ERR DISCARD without MULTI\r\n", await client.CommandAsync("DISCARD"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("SET", "d", "1"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("DISCARD"));
        Assert.Equal("$-1\r\n", await client.CommandAsync("GET", "d"));
        Assert.Equal("-ERR EXEC without MULTI\r\n", await client.CommandAsync("EXEC"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Watch_or_multi_inside_multi_is_an_error_that_does_not_abort_the_transaction(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("SET", "x", "1"));
        Assert.Equal("-ERR WATCH inside MULTI is not allowed\r\n", await client.CommandAsync("WATCH", "x"));
        Assert.Equal("-ERR MULTI calls can not be nested\r\n", await client.CommandAsync("MULTI"));
        Assert.Equal("*1\r\n+OK\r\n", await client.CommandAsync("EXEC"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Unwatch_inside_multi_is_queued_and_answered_by_exec(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("UNWATCH"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("SET", "x", "1"));
        Assert.Equal("*2\r\n+OK\r\n+OK\r\n", await client.CommandAsync("EXEC"));
    }
}
