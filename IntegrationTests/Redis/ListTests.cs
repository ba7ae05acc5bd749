using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>List commands over the wire, with Redis 7's replies and error texts, and the blocking pops across loops.</summary>
public sealed class ListTests
{
    private static object?[] Items(params object?[] items) => items;

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Pushes_and_pops_work_at_both_ends_and_an_emptied_list_is_deleted(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal(0L, await c.CallAsync("LPUSHX", "l", "a"));
        Assert.Equal(0L, await c.CallAsync("RPUSHX", "l", "a"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "l"));
        Assert.Equal(2L, await c.CallAsync("LPUSH", "l", "b", "a"));
        Assert.Equal(4L, await c.CallAsync("RPUSH", "l", "c", "d"));
        Assert.Equal(5L, await c.CallAsync("LPUSHX", "l", "0"));
        Assert.Equal(6L, await c.CallAsync("RPUSHX", "l", "e"));
        Assert.Equal(Items("0", "a", "b", "c", "d", "e"), await c.CallAsync("LRANGE", "l", "0", "-1"));
        Assert.Equal("0", await c.CallAsync("LPOP", "l"));
        Assert.Equal("e", await c.CallAsync("RPOP", "l"));
        Assert.Equal(Items("a", "b"), await c.CallAsync("LPOP", "l", "2"));
        Assert.Equal(Items(), await c.CallAsync("RPOP", "l", "0"));
        Assert.Equal(2L, await c.CallAsync("LLEN", "l"));
        Assert.Equal(Items("d", "c"), await c.CallAsync("RPOP", "l", "10"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "l"));
        Assert.Null(await c.CallAsync("LPOP", "l"));
        Assert.Null(await c.CallAsync("LPOP", "l", "3"));
        Assert.Equal(0L, await c.CallAsync("LLEN", "l"));
        Assert.Equal(new RespError("ERR value is out of range, must be positive"), await c.CallAsync("LPOP", "l", "-1"));
        Assert.Equal(new RespError("ERR wrong number of arguments for 'lpop' command"), await c.CallAsync("LPOP", "l", "1", "2"));
        Assert.Equal(new RespError("ERR wrong number of arguments for 'lpush' command"), await c.CallAsync("LPUSH", "l"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Index_set_range_and_trim_count_negative_indexes_from_the_tail(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("RPUSH", "l", "a", "b", "c", "d", "e");
        Assert.Equal("a", await c.CallAsync("LINDEX", "l", "0"));
        Assert.Equal("e", await c.CallAsync("LINDEX", "l", "-1"));
        Assert.Null(await c.CallAsync("LINDEX", "l", "5"));
        Assert.Null(await c.CallAsync("LINDEX", "missing", "x"));
        Assert.Equal(new RespError("ERR value is not an integer or out of range"), await c.CallAsync("LINDEX", "l", "x"));
        Assert.Equal("OK", await c.CallAsync("LSET", "l", "-2", "D"));
        Assert.Equal(new RespError("ERR index out of range"), await c.CallAsync("LSET", "l", "5", "x"));
        Assert.Equal(new RespError("ERR no such key"), await c.CallAsync("LSET", "missing", "0", "x"));
        Assert.Equal(Items("c", "D"), await c.CallAsync("LRANGE", "l", "-3", "-2"));
        Assert.Equal(Items("a", "b", "c", "D", "e"), await c.CallAsync("LRANGE", "l", "-100", "100"));
        Assert.Equal(Items(), await c.CallAsync("LRANGE", "l", "3", "1"));
        Assert.Equal(Items(), await c.CallAsync("LRANGE", "missing", "0", "-1"));
        Assert.Equal("OK", await c.CallAsync("LTRIM", "l", "1", "-2"));
        Assert.Equal(Items("b", "c", "D"), await c.CallAsync("LRANGE", "l", "0", "-1"));
        Assert.Equal("OK", await c.CallAsync("LTRIM", "l", "5", "10"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "l"));
        Assert.Equal(new RespError("ERR value is not an integer or out of range"), await c.CallAsync("LTRIM", "l", "a", "1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Lrem_linsert_and_lpos_find_elements_by_value(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("RPUSH", "l", "a", "b", "a", "c", "a", "b");
        Assert.Equal(0L, await c.CallAsync("LPOS", "l", "a"));
        Assert.Equal(2L, await c.CallAsync("LPOS", "l", "a", "RANK", "2"));
        Assert.Equal(4L, await c.CallAsync("LPOS", "l", "a", "RANK", "-1"));
        Assert.Equal(Items(0L, 2L, 4L), await c.CallAsync("LPOS", "l", "a", "COUNT", "0"));
        Assert.Equal(Items(4L, 2L), await c.CallAsync("LPOS", "l", "a", "RANK", "-1", "COUNT", "2"));
        Assert.Equal(Items(0L, 2L), await c.CallAsync("LPOS", "l", "a", "COUNT", "0", "MAXLEN", "4"));
        Assert.Null(await c.CallAsync("LPOS", "l", "z"));
        Assert.Equal(Items(), await c.CallAsync("LPOS", "missing", "a", "COUNT", "1"));
        Assert.Equal(new RespError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"),
            await c.CallAsync("LPOS", "l", "a", "RANK", "0"));
        Assert.Equal(new RespError("ERR COUNT can't be negative"), await c.CallAsync("LPOS", "l", "a", "COUNT", "-1"));
        Assert.Equal(new RespError("ERR MAXLEN can't be negative"), await c.CallAsync("LPOS", "l", "a", "MAXLEN", "-1"));
        Assert.Equal(new RespError("ERR syntax error"), await c.CallAsync("LPOS", "l", "a", "RANK"));

        Assert.Equal(1L, await c.CallAsync("LREM", "l", "-1", "a"));
        Assert.Equal(Items("a", "b", "a", "c", "b"), await c.CallAsync("LRANGE", "l", "0", "-1"));
        Assert.Equal(2L, await c.CallAsync("LREM", "l", "0", "b"));
        Assert.Equal(1L, await c.CallAsync("LREM", "l", "1", "a"));
        Assert.Equal(0L, await c.CallAsync("LREM", "missing", "0", "a"));

        Assert.Equal(3L, await c.CallAsync("LINSERT", "l", "BEFORE", "c", "x"));
        Assert.Equal(4L, await c.CallAsync("LINSERT", "l", "after", "c", "y"));
        Assert.Equal(Items("a", "x", "c", "y"), await c.CallAsync("LRANGE", "l", "0", "-1"));
        Assert.Equal(-1L, await c.CallAsync("LINSERT", "l", "BEFORE", "nope", "z"));
        Assert.Equal(0L, await c.CallAsync("LINSERT", "missing", "BEFORE", "a", "z"));
        Assert.Equal(new RespError("ERR syntax error"), await c.CallAsync("LINSERT", "l", "MIDDLE", "a", "z"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Lmove_and_rpoplpush_move_between_ends_and_rotate_a_list_onto_itself(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("RPUSH", "src", "a", "b", "c");
        Assert.Equal("a", await c.CallAsync("LMOVE", "src", "src", "LEFT", "RIGHT"));
        Assert.Equal(Items("b", "c", "a"), await c.CallAsync("LRANGE", "src", "0", "-1"));
        Assert.Equal("a", await c.CallAsync("LMOVE", "src", "dst", "RIGHT", "LEFT"));
        Assert.Equal("c", await c.CallAsync("RPOPLPUSH", "src", "dst"));
        Assert.Equal("b", await c.CallAsync("LMOVE", "src", "dst", "left", "right"));
        Assert.Equal(Items("c", "a", "b"), await c.CallAsync("LRANGE", "dst", "0", "-1"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "src"));
        Assert.Null(await c.CallAsync("LMOVE", "src", "dst", "LEFT", "LEFT"));
        Assert.Null(await c.CallAsync("RPOPLPUSH", "src", "dst"));
        Assert.Equal(new RespError("ERR syntax error"), await c.CallAsync("LMOVE", "dst", "src", "UP", "LEFT"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Every_list_command_refuses_a_key_of_another_type(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("SET", "s", "v");
        await c.CallAsync("RPUSH", "l", "a");
        string[][] commands =
        [
            ["LPUSH", "s", "a"], ["RPUSHX", "s", "a"], ["LPOP", "s"], ["RPOP", "s", "2"], ["LLEN", "s"], ["LRANGE", "s", "0", "1"],
            ["LINDEX", "s", "0"], ["LSET", "s", "0", "a"], ["LREM", "s", "0", "a"], ["LTRIM", "s", "0", "1"], ["LINSERT", "s", "BEFORE", "a", "b"],
            ["LPOS", "s", "a"], ["LMOVE", "s", "l", "LEFT", "LEFT"], ["LMOVE", "l", "s", "LEFT", "LEFT"], ["RPOPLPUSH", "l", "s"],
            ["BLPOP", "missing", "s", "0"], ["BRPOP", "s", "0"], ["BLMOVE", "l", "s", "LEFT", "LEFT", "0"], ["BRPOPLPUSH", "s", "l", "0"],
        ];
        foreach (var command in commands) { Assert.Equal(RespError.WrongType, await c.CallAsync(command)); }
        Assert.Equal(Items("a"), await c.CallAsync("LRANGE", "l", "0", "-1"));
        Assert.Equal("list", await c.CallAsync("TYPE", "l"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Blocking_pops_answer_at_once_from_the_first_non_empty_key_and_check_the_timeout(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("RPUSH", "b", "1", "2");
        await c.CallAsync("RPUSH", "c", "3");
        Assert.Equal(Items("b", "1"), await c.CallAsync("BLPOP", "a", "b", "c", "0"));
        Assert.Equal(Items("b", "2"), await c.CallAsync("BRPOP", "a", "b", "c", "1.5"));
        Assert.Equal("3", await c.CallAsync("BLMOVE", "c", "d", "LEFT", "RIGHT", "0"));
        Assert.Equal("3", await c.CallAsync("BRPOPLPUSH", "d", "e", "0"));
        Assert.Equal(new RespError("ERR timeout is negative"), await c.CallAsync("BLPOP", "a", "-1"));
        Assert.Equal(new RespError("ERR timeout is not a float or out of range"), await c.CallAsync("BRPOP", "a", "soon"));
        Assert.Equal(new RespError("ERR syntax error"), await c.CallAsync("BLMOVE", "a", "b", "LEFT", "UP", "0"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Blpop_is_served_by_a_push_from_a_client_on_the_other_loop(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var waiter = await RespClient.ConnectAsync(redis.EndPoint);
        using var pusher = await redis.ConnectClientOnAnotherLoopAsync(waiter);
        await waiter.SendAsync("BLPOP", "q1", "q2", "0");
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Contains("blocked_clients:1\r\n", (string)(await pusher.CallAsync("INFO", "clients"))!);
        Assert.Equal(3L, await pusher.CallAsync("RPUSH", "q2", "a", "b", "c"));
        Assert.Equal(Items("q2", "a"), await waiter.ReadAsync());
        Assert.Equal(Items("b", "c"), await pusher.CallAsync("LRANGE", "q2", "0", "-1"));
        Assert.Equal("PONG", await waiter.CallAsync("PING"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_blocking_pop_that_times_out_answers_null_then_runs_the_commands_behind_it(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.SendAsync("BLPOP", "empty", "0.05");
        await c.SendAsync("PING");
        Assert.Null(await c.ReadAsync());
        Assert.Equal("PONG", await c.ReadAsync());
        await c.CallAsync("HELLO", "3");
        Assert.Null(await c.CallAsync("BLMOVE", "empty", "other", "LEFT", "LEFT", "0.05"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "empty", "other"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Waiters_are_served_first_come_first_served(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var first = await RespClient.ConnectAsync(redis.EndPoint);
        using var second = await redis.ConnectClientOnAnotherLoopAsync(first);
        using var pusher = await RespClient.ConnectAsync(redis.EndPoint);
        await first.SendAsync("BRPOP", "q", "0");
        await redis.WaitForBlockedClientsAsync(1);
        await second.SendAsync("BRPOP", "q", "0");
        await redis.WaitForBlockedClientsAsync(2);
        Assert.Equal(3L, await pusher.CallAsync("LPUSH", "q", "x", "y", "z"));
        Assert.Equal(Items("q", "x"), await first.ReadAsync());
        Assert.Equal(Items("q", "y"), await second.ReadAsync());
        Assert.Equal(Items("z"), await pusher.CallAsync("LRANGE", "q", "0", "-1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_blocked_client_that_disconnects_takes_no_element_with_it(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var pusher = await RespClient.ConnectAsync(redis.EndPoint);
        var leaver = await RespClient.ConnectAsync(redis.EndPoint);
        await leaver.SendAsync("BLPOP", "q", "0");
        await redis.WaitForBlockedClientsAsync(1);
        leaver.Dispose();
        await redis.WaitForBlockedClientsAsync(0);
        Assert.Equal(1L, await pusher.CallAsync("RPUSH", "q", "kept"));
        Assert.Equal(Items("kept"), await pusher.CallAsync("LRANGE", "q", "0", "-1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Commands_pipelined_behind_a_blpop_wait_for_it(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var waiter = await RespClient.ConnectAsync(redis.EndPoint);
        using var pusher = await redis.ConnectClientOnAnotherLoopAsync(waiter);
        await waiter.SendAsync("BLPOP", "q", "0");
        await waiter.SendAsync("LLEN", "q");
        await waiter.SendAsync("RPUSH", "q", "mine");
        await redis.WaitForBlockedClientsAsync(1);
        // Had the pipelined RPUSH run early, it would have served the BLPOP itself and this push would stay.
        Assert.Equal(1L, await pusher.CallAsync("RPUSH", "q", "pushed"));
        Assert.Equal(Items("q", "pushed"), await waiter.ReadAsync());
        Assert.Equal(0L, await waiter.ReadAsync());
        Assert.Equal(1L, await waiter.ReadAsync());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Blmove_moves_the_element_it_waited_for_and_wakes_a_waiter_on_its_destination(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var mover = await RespClient.ConnectAsync(redis.EndPoint);
        using var popper = await redis.ConnectClientOnAnotherLoopAsync(mover);
        using var pusher = await RespClient.ConnectAsync(redis.EndPoint);
        await mover.SendAsync("BRPOPLPUSH", "src", "dst", "0");
        await redis.WaitForBlockedClientsAsync(1);
        await popper.SendAsync("BLPOP", "dst", "0");
        await redis.WaitForBlockedClientsAsync(2);
        Assert.Equal(1L, await pusher.CallAsync("RPUSH", "src", "hop"));
        Assert.Equal("hop", await mover.ReadAsync());
        Assert.Equal(Items("dst", "hop"), await popper.ReadAsync());
        Assert.Equal(0L, await pusher.CallAsync("EXISTS", "src", "dst"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Inside_exec_blocking_pops_do_not_block_and_pushes_serve_waiters_after_the_transaction(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var waiter = await RespClient.ConnectAsync(redis.EndPoint);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("MULTI");
        await c.CallAsync("BLPOP", "q", "0");
        await c.CallAsync("BLMOVE", "q", "d", "LEFT", "LEFT", "0");
        Assert.Equal(Items(null, null), await c.CallAsync("EXEC"));

        await waiter.SendAsync("BLPOP", "q", "0");
        await redis.WaitForBlockedClientsAsync(1);
        await c.CallAsync("MULTI");
        await c.CallAsync("LPUSH", "q", "a");
        await c.CallAsync("LPUSH", "q", "b");
        await c.CallAsync("LLEN", "q");
        Assert.Equal(Items(1L, 2L, 2L), await c.CallAsync("EXEC"));
        Assert.Equal(Items("q", "b"), await waiter.ReadAsync());
        Assert.Equal(Items("a"), await c.CallAsync("LRANGE", "q", "0", "-1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_list_renamed_onto_a_waited_key_serves_the_waiter(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var waiter = await RespClient.ConnectAsync(redis.EndPoint);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await waiter.SendAsync("BLPOP", "q", "0");
        await redis.WaitForBlockedClientsAsync(1);
        await c.CallAsync("RPUSH", "staging", "v");
        Assert.Equal("OK", await c.CallAsync("RENAME", "staging", "q"));
        Assert.Equal(Items("q", "v"), await waiter.ReadAsync());
        Assert.Equal(0L, await c.CallAsync("EXISTS", "q"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Twenty_waiters_on_both_loops_get_each_of_twenty_pushed_elements_exactly_once(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var pusher = await RespClient.ConnectAsync(redis.EndPoint);
        var waiters = new List<RespClient>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                waiters.Add(await RespClient.ConnectAsync(redis.EndPoint));
                await waiters[i].SendAsync("BLPOP", "q", "0");
            }
            await redis.WaitForBlockedClientsAsync(20);
            for (var i = 0; i < 20; i += 2) { await pusher.CallAsync("RPUSH", "q", $"e{i}", $"e{i + 1}"); }
            var received = new List<string>();
            foreach (var waiter in waiters) { received.Add((string)((object?[])(await waiter.ReadAsync())!)[1]!); }
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"e{i}").Order(), received.Order());
            Assert.Equal(0L, await pusher.CallAsync("EXISTS", "q"));
        }
        finally
        {
            foreach (var waiter in waiters) { waiter.Dispose(); }
        }
    }
}
