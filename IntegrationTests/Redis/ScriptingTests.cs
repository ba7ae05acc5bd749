using Loop.IntegrationTests.Infrastructure;
using StackExchange.Redis;
using static Loop.IntegrationTests.Redis.ConcurrentClients;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// EVAL, EVALSHA, SCRIPT, FUNCTION and FCALL on every backend: replies over raw RESP and through StackExchange.Redis's
/// ScriptEvaluate, scripts and libraries loaded on one loop and run on another, a script's atomicity while other
/// loops write its key, and key specs for routing.
/// </summary>
public sealed class ScriptingTests
{
    [Fact]
    public Task A_read_only_script_refuses_what_redis_may_propagate_and_functions_load_and_are_found_as_in_redis() => SameAsRealRedis.RepliesAsync(
        [
            ["EVAL_RO", "return redis.call('publish', 'ch', 'msg')", "0"],
            ["EVAL", "#!lua flags=no-writes\nreturn redis.call('publish', 'ch', 'msg')", "0"],
            ["EVAL", "return redis.call('publish', 'ch', 'msg')", "0"],
            ["EVAL_RO", "return redis.pcall('pfcount', KEYS[1])", "1", "h"],
            ["FUNCTION", "LOAD", "foo", "bar", "#!lua name=x\nredis.register_function('f', function() return 1 end)"],
            ["FUNCTION", "LOAD", "REPLACE", "replace", "#!lua name=x\nredis.register_function('f', function() return 1 end)"],
            ["FCALL", "f", "0"], ["FCALL", "F", "0"], // function names in any case
            ["FUNCTION", "LOAD", "#!lua name=X\nredis.register_function('F', function() return 2 end)"],
            ["FCALL", "f", "bad"], ["FUNCTION", "RESTORE", "a", "b", "c"], ["FUNCTION", "FLUSH", "sync", "extra"], ["FUNCTION", "FLUSH", "bad"],
            ["FUNCTION", "DELETE"], ["FUNCTION", "DUMP", "x"], ["FUNCTION", "LOAD", "#!lua name=X\nredis.register_function('g', function() return 2 end)"],
        ]);

    [Fact]
    public Task A_function_that_kept_the_loads_redis_table_can_neither_change_it_nor_register_as_in_redis() => SameAsRealRedis.RepliesAsync(
        [
            // Redis's unit/functions "malicious access test".
            ["FUNCTION", "LOAD", "#!lua name=lib1\nlocal lib = redis\n" +
                "lib.register_function('f1', function() lib.redis = redis return {ok='OK'} end)\n" +
                "lib.register_function('f2', function() lib.register_function('f3', function() return 3 end) end)"],
            ["FCALL", "f1", "0"], ["FCALL", "f2", "0"], ["FCALL", "f3", "0"],
            ["FUNCTION", "LOAD", "#!lua name=lib2\nredis.math.random()"], ["FUNCTION", "LOAD", "#!lua name=lib2\nredis.redis.call('ping')"],
        ]);

    [Fact]
    public Task Type_errors_are_worded_as_redis_lua_5_1_words_them() => SameAsRealRedis.RepliesAsync(
        [
            ["FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() redis.register_function('g', function() end) end)"],
            ["FCALL", "f", "0"], // Redis's unit/functions "register function inside a function"
            ["EVAL", "local t = nil\nt.x = 1", "0"], ["EVAL", "local t = {}\nreturn t.a.b", "0"], ["EVAL", "return redis.nope()", "0"],
            ["EVAL", "local s = 'x'\nreturn s:nope()", "0"], ["EVAL", "local n\nreturn function() return n + 1 end ()", "0"],
            ["EVAL", "return #nil", "0"], ["EVAL", "local t = {}\nreturn t.x .. 'y'", "0"], ["EVAL", "return {} < 1", "0"],
        ]);

    [Fact]
    public Task A_script_cannot_block_on_a_stream_and_is_told_as_redis_tells_it() => SameAsRealRedis.RepliesAsync(
        [
            ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
            ["EVAL", "return redis.pcall('xread', 'BLOCK', 0, 'STREAMS', KEYS[1], '$')", "1", "s"],
            ["EVAL", "return redis.pcall('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 'x', 'STREAMS', KEYS[1], '>')", "1", "s"],
            ["EVAL", "return redis.pcall('XREAD', 'COUNT', 1, 'STREAMS', KEYS[1], '0')", "1", "s"],
        ]);

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Eval_runs_commands_and_converts_their_replies_as_redis_does(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "k", "v"));
        Assert.Equal("*4\r\n$1\r\nv\r\n:1\r\n$-1\r\n:3\r\n",
            await client.CommandAsync("EVAL", "return {redis.call('GET', KEYS[1]), true, false, 3.9, nil, 5}", "1", "k"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value script: 6ccf1ca5c2c64d2f0c3f6a9b6ef3bd2ba0a0e9d5, on @user_script:1.\r\n"
            .Replace("6ccf1ca5c2c64d2f0c3f6a9b6ef3bd2ba0a0e9d5", Sha1("return redis.call('LPUSH', KEYS[1], 'x')")),
            await client.CommandAsync("EVAL", "return redis.call('LPUSH', KEYS[1], 'x')", "1", "k"));
        Assert.Equal("-ERR Number of keys can't be greater than number of args\r\n", await client.CommandAsync("EVAL", "return 1", "2", "a"));
        Assert.Equal("-NOSCRIPT No matching script. Please use EVAL.\r\n", await client.CommandAsync("EVALSHA", new string('0', 40), "0"));
        Assert.Equal("-ERR Write commands are not allowed from read-only scripts. script: " + Sha1("return redis.call('DEL', 'k')") +
            ", on @user_script:1.\r\n", await client.CommandAsync("EVAL_RO", "return redis.call('DEL', 'k')", "0"));
        Assert.Equal("$1\r\nv\r\n", await client.CommandAsync("GET", "k"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task StackExchange_evaluates_scripts_by_text_and_by_sha(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var multiplexer = await redis.ConnectMultiplexerAsync();
        var db = multiplexer.GetDatabase();
        var result = await db.ScriptEvaluateAsync("redis.call('HSET', KEYS[1], 'f', ARGV[1]) return redis.call('HGETALL', KEYS[1])",
            [new RedisKey("h")], [new RedisValue("42")]);
        Assert.Equal(["f", "42"], ((RedisResult[])result!).Select(r => (string)r!).ToArray());
        var prepared = LuaScript.Prepare("return redis.call('INCRBY', @key, @by)");
        var loaded = await prepared.LoadAsync(multiplexer.GetServer(redis.EndPoint));
        Assert.Equal(5L, (long)(await loaded.EvaluateAsync(db, new { key = new RedisKey("n"), by = 5 })));
        Assert.Equal(12L, (long)(await loaded.EvaluateAsync(db, new { key = new RedisKey("n"), by = 7 })));
        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.ScriptEvaluateAsync("return redis.call('INCR', KEYS[1])", [new RedisKey("h")]));
        Assert.StartsWith("WRONGTYPE", error.Message);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_script_loaded_on_one_loop_and_a_library_loaded_on_another_run_everywhere(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, loops: 2);
        using var first = await redis.ConnectAsync();
        using var second = await redis.ConnectOnAnotherLoopAsync(await redis.LoopOfAsync(first));
        var sha = Sha1("return ARGV[1] .. '!'");
        Assert.Equal($"${sha.Length}\r\n{sha}\r\n", await first.CommandAsync("SCRIPT", "LOAD", "return ARGV[1] .. '!'"));
        Assert.Equal("$3\r\nhi!\r\n", await second.CommandAsync("EVALSHA", sha, "0", "hi"));
        Assert.Equal("$3\r\nlib\r\n", await second.CommandAsync("FUNCTION", "LOAD",
            "#!lua name=lib\nredis.register_function('twice', function(keys, args) return args[1] * 2 end)"));
        Assert.Equal(":42\r\n", await first.CommandAsync("FCALL", "twice", "0", "21"));
        Assert.Equal("$3\r\nlib\r\n", await first.CommandAsync("FUNCTION", "LOAD", "REPLACE",
            "#!lua name=lib\nredis.register_function('twice', function(keys, args) return args[1] * 3 end)"));
        Assert.Equal(":63\r\n", await second.CommandAsync("FCALL", "twice", "0", "21"));
        Assert.Equal("+OK\r\n", await second.CommandAsync("SCRIPT", "FLUSH"));
        Assert.Equal("-NOSCRIPT No matching script. Please use EVAL.\r\n", await first.CommandAsync("EVALSHA", sha, "0", "hi"));
        Assert.Equal("+OK\r\n", await first.CommandAsync("FUNCTION", "DELETE", "lib"));
        Assert.Equal("-ERR Function not found\r\n", await second.CommandAsync("FCALL", "twice", "0", "21"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_script_sees_no_write_of_another_loop_between_its_commands(Backend backend)
    {
        const int Increments = 2000;
        await using var redis = await InProcessRedis.StartAsync(backend, loops: 2);
        var clients = await redis.ConnectClientsOverLoopsAsync(4);
        const string Script = "local before = redis.call('INCR', KEYS[1]) for i = 1, 20000 do end " +
            "local after = tonumber(redis.call('GET', KEYS[1])) return after - before";
        var replies = await clients.EachAsync(async (client, index) => index % 2 == 0
            ? await client.PipelineAsync(Increments / 10, 10, _ => ["EVAL", Script, "1", "counter"])
            : await client.PipelineAsync(Increments, 50, _ => ["INCR", "counter"]));
        Assert.All(replies.Where((_, index) => index % 2 == 0).SelectMany(r => r), reply => Assert.Equal(0L, reply));
        Assert.Equal($"{2 * Increments / 10 + 2 * Increments}", await clients[0].CallAsync("GET", "counter"));
        foreach (var client in clients) { client.Dispose(); }
    }

    [Fact]
    public async Task Script_kill_stops_a_busy_script_that_has_not_written_and_other_loops_get_busy_meanwhile()
    {
        var (redis, runner, other) = await StartForBusyScriptsAsync("lua-time-limit");
        await using var _ = redis;
        Assert.Equal("-NOTBUSY No scripts in execution right now.\r\n", await other.CommandAsync("SCRIPT", "KILL"));
        const string Spin = "local n = 0 while true do n = n + 1 end";
        await runner.SendAsync(RespSocket.Encode("EVAL", Spin, "0"));
        Assert.True(await Polling.Eventually(async () =>
            await other.CommandAsync("PING") == "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"));
        Assert.Equal("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n",
            await other.CommandAsync("FUNCTION", "KILL"));
        Assert.Equal("+OK\r\n", await other.CommandAsync("SCRIPT", "KILL"));
        Assert.Equal($"-ERR Script killed by user with SCRIPT KILL... script: {Sha1(Spin)}, on @user_script:1.\r\n", await runner.ReadReplyAsync());
        Assert.Equal("$-1\r\n", await other.CommandAsync("GET", "x"));
        Assert.Equal("+PONG\r\n", await runner.CommandAsync("PING"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_loop_running_a_busy_script_answers_its_other_clients_and_takes_script_kill(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, loops: 1, settings: ("busy-reply-threshold", "50"));
        using var runner = await redis.ConnectAsync();
        const string Spin = "local n = 0 while true do n = n + 1 end";
        await runner.SendAsync(RespSocket.Encode("EVAL", Spin, "0"));
        // Connected while the script runs, to the one loop: accepted and answered by it.
        using var other = await redis.ConnectAsync();
        Assert.True(await Polling.Eventually(async () => (await other.CommandAsync("PING")).StartsWith("-BUSY")));
        Assert.StartsWith("*4\r\n$14\r\nrunning_script\r\n", await other.CommandAsync("FUNCTION", "STATS"));
        // Redis's allow-busy commands run; a transaction's other commands are refused, and so is its EXEC.
        Assert.Equal("+OK\r\n", await other.CommandAsync("MULTI"));
        Assert.StartsWith("-BUSY", await other.CommandAsync("SET", "x", "1"));
        Assert.Equal("-EXECABORT Transaction discarded because of: BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n",
            await other.CommandAsync("EXEC"));
        // The runner's next command waits for its script.
        await runner.SendAsync(RespSocket.Encode("PING"));
        Assert.Equal("+OK\r\n", await other.CommandAsync("SCRIPT", "KILL"));
        Assert.Equal($"-ERR Script killed by user with SCRIPT KILL... script: {Sha1(Spin)}, on @user_script:1.\r\n", await runner.ReadReplyAsync());
        Assert.Equal("+PONG\r\n", await runner.ReadReplyAsync());
        Assert.Equal("$-1\r\n", await other.CommandAsync("GET", "x"));
    }

    [Fact]
    public async Task Exec_refused_while_a_script_is_busy_on_another_loop_leaves_its_loop_free()
    {
        var (redis, runner, other) = await StartForBusyScriptsAsync("busy-reply-threshold");
        await using var _ = redis;
        Assert.Equal("+OK\r\n", await other.CommandAsync("WATCH", "w"));
        Assert.Equal("+OK\r\n", await other.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await other.CommandAsync("INCR", "w"));
        await runner.SendAsync(RespSocket.Encode("EVAL", "while true do end", "0"));
        Assert.True(await Polling.Eventually(async () => (await other.CommandAsync("PING")).StartsWith("-BUSY")));
        // Discarding the transaction lets go of the watch without waiting for the keyspace the script holds.
        Assert.StartsWith("-EXECABORT Transaction discarded because of: BUSY", await other.CommandAsync("EXEC"));
        Assert.Equal("+OK\r\n", await other.CommandAsync("SCRIPT", "KILL"));
        Assert.StartsWith("-ERR Script killed by user", await runner.ReadReplyAsync());
        // No longer in a transaction, nor watching.
        Assert.Equal("$-1\r\n", await other.CommandAsync("GET", "w"));
        Assert.Equal("+OK\r\n", await other.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await other.CommandAsync("INCR", "w"));
        Assert.Equal(":1\r\n", await runner.CommandAsync("INCR", "w"));
        Assert.Equal("*1\r\n:2\r\n", await other.CommandAsync("EXEC"));
    }

    [Fact]
    public async Task A_command_with_keys_that_waits_for_a_busy_script_is_answered_busy_and_its_loop_can_kill_the_script()
    {
        var (redis, runner, other) = await StartForBusyScriptsAsync("busy-reply-threshold");
        await using var _ = redis;
        Assert.Equal("+OK\r\n", await other.CommandAsync("CONFIG", "SET", "busy-reply-threshold", "300"));
        Assert.Equal("$4\r\nspin\r\n", await other.CommandAsync("FUNCTION", "LOAD",
            "#!lua name=spin\nredis.register_function('spin', function() local n = 0 while true do n = n + 1 end end)"));
        await runner.SendAsync(RespSocket.Encode("FCALL", "spin", "0"));
        Assert.True(await Polling.Eventually(async () => (await other.CommandAsync("FUNCTION", "STATS")).Contains("$4\r\nspin\r\n")));
        // Sent while the function holds the keyspace, most likely before the threshold: it waits, as Redis leaves it
        // unread, and is answered BUSY once the threshold passes, instead of keeping its loop waiting for a function that
        // never ends.
        Assert.Equal("-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n",
            await other.CommandAsync("GET", "x"));
        Assert.Equal("+OK\r\n", await other.CommandAsync("FUNCTION", "KILL"));
        Assert.StartsWith("-ERR Script killed by user with SCRIPT KILL", await runner.ReadReplyAsync()); // Redis's wording for both KILLs
        Assert.Equal("$-1\r\n", await other.CommandAsync("GET", "x"));
    }

    [Fact]
    public async Task Stopping_the_server_stops_a_script_that_never_ends()
    {
        var (redis, runner, other) = await StartForBusyScriptsAsync("busy-reply-threshold");
        Assert.Equal("$4\r\nspin\r\n", await other.CommandAsync("FUNCTION", "LOAD",
            "#!lua name=spin\nredis.register_function('spin', function() redis.call('SET', 'w', 1) while true do end end)"));
        await runner.SendAsync(RespSocket.Encode("FCALL", "spin", "0"));
        Assert.True(await Polling.Eventually(async () => (await other.CommandAsync("PING")).StartsWith("-BUSY")));
        await redis.DisposeAsync(); // bounded: it fails the test if the stop waits for the script
    }

    [Fact]
    public async Task A_script_that_wrote_cannot_be_killed()
    {
        var (redis, runner, other) = await StartForBusyScriptsAsync("busy-reply-threshold");
        await using var _ = redis;
        // Writes, then runs until the key another loop cannot write meanwhile says stop: here, 1.5 s by the server's clock.
        await runner.SendAsync(RespSocket.Encode("EVAL", "redis.call('SET', 'w', 1) local t = redis.call('TIME') " +
            "repeat local now = redis.call('TIME') until (now[1] - t[1]) * 1000000 + (now[2] - t[2]) > 1500000 return 'done'", "0"));
        Assert.True(await Polling.Eventually(async () => (await other.CommandAsync("PING")).StartsWith("-BUSY")));
        Assert.StartsWith("-UNKILLABLE Sorry the script already executed write commands", await other.CommandAsync("SCRIPT", "KILL"));
        Assert.Equal("$4\r\ndone\r\n", await runner.ReadReplyAsync());
        Assert.Equal("$1\r\n1\r\n", await other.CommandAsync("GET", "w"));
    }

    [Fact]
    public async Task A_set_sorted_by_a_constant_is_sorted_by_its_elements_for_a_script()
    {
        await using var redis = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = await redis.ConnectAsync();
        Assert.Equal(":6\r\n", await client.CommandAsync("SADD", "s", "b", "a", "c", "aa", "z", "azz"));
        // Its own order would differ between servers, and so would what a script writes with it (Redis's sortCommand).
        Assert.Equal("*6\r\n$1\r\na\r\n$2\r\naa\r\n$3\r\nazz\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nz\r\n",
            await client.CommandAsync("EVAL", "return redis.call('SORT', KEYS[1], 'BY', '_')", "1", "s"));
        Assert.Equal("*6\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$2\r\naa\r\n$1\r\nz\r\n$3\r\nazz\r\n", await client.CommandAsync("SORT", "s", "BY", "_"));
    }

    [Fact]
    public async Task Eval_and_fcall_name_their_keys_after_numkeys()
    {
        await using var redis = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = await redis.ConnectAsync();
        Assert.Equal("*2\r\n$1\r\na\r\n$1\r\nb\r\n", await client.CommandAsync("COMMAND", "GETKEYS", "EVAL", "return 1", "2", "a", "b", "c"));
        Assert.Equal("*1\r\n$1\r\nk\r\n", await client.CommandAsync("COMMAND", "GETKEYS", "FCALL", "f", "1", "k", "arg"));
        // No key is mandatory to a script: Redis answers none rather than an error.
        Assert.Equal("*0\r\n", await client.CommandAsync("COMMAND", "GETKEYS", "EVALSHA_RO", "x", "0"));
        Assert.Contains("movablekeys", await client.CommandAsync("COMMAND", "INFO", "EVAL"));
        Assert.Contains("noscript", await client.CommandAsync("COMMAND", "INFO", "BLPOP"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_script_inside_exec_runs_with_the_transaction(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("EVAL", "return redis.call('INCR', KEYS[1])", "1", "n"));
        Assert.Equal("+QUEUED\r\n", await client.CommandAsync("INCR", "n"));
        Assert.Equal("*2\r\n:1\r\n:2\r\n", await client.CommandAsync("EXEC"));
    }

    // Two loops, a client to run scripts and one served by the other loop, and a 50 ms busy-reply-threshold, set by the
    // name given (lua-time-limit is its alias). Polling for BUSY uses PING: a command with keys sent before the
    // threshold would wait for the keyspace until the script ends.
    private static async Task<(InProcessRedis Redis, RespSocket Runner, RespSocket Other)> StartForBusyScriptsAsync(string threshold)
    {
        var redis = await InProcessRedis.StartAsync(Backend.Auto, loops: 2);
        var runner = await redis.ConnectAsync();
        var other = await redis.ConnectOnAnotherLoopAsync(await redis.LoopOfAsync(runner));
        Assert.Equal("+OK\r\n", await other.CommandAsync("CONFIG", "SET", threshold, "50"));
        return (redis, runner, other);
    }

    internal static string Sha1(string body) => Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(body)));
}
