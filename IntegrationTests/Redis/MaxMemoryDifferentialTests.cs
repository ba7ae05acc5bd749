using Loop.IntegrationTests.Infrastructure;
using Loop.Samples.Redis.Commands;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// Which commands maxmemory refuses, against redis-server 7.0.15: with a limit of one byte both servers are always over
/// it, and with noeviction nothing can go, so every <c>denyoom</c> command is refused with the same error and the others
/// run (inside MULTI everything but EXEC and DISCARD is refused, and EXEC aborts).
/// </summary>
public sealed class MaxMemoryDifferentialTests
{
    /// <summary>Every command and subcommand this server has that redis-server 7.0.15 flags denyoom, with arguments enough for its arity.</summary>
    public static string[][] DenyOomCalls()
    {
        var table = new CommandTable();
        CommandFamilies.RegisterAll(table);
        var calls = new List<string[]>();
        foreach (var recorded in RecordedCommands.All.SelectMany(command => command.Subcommands.Prepend(command)))
        {
            if (!recorded.HasFlag("denyoom") || table.FindCounted(System.Text.Encoding.ASCII.GetBytes(recorded.Name)) is null) { continue; }
            var words = recorded.Name.Split('|');
            var arguments = Math.Abs(recorded.Arity) - words.Length;
            calls.Add([.. words, .. Enumerable.Repeat("x", arguments)]);
        }
        return [.. calls];
    }

    [Fact]
    public async Task With_maxmemory_1_every_denyoom_command_is_refused_and_the_others_run()
    {
        var refused = DenyOomCalls();
        Assert.True(refused.Length > 50, $"only {refused.Length} denyoom commands");
        string[][] script =
        [
            ["SET", "s", "v"], ["RPUSH", "l", "a", "b", "c"], ["SADD", "set", "a", "b"], ["ZADD", "z", "1", "a"], ["HSET", "h", "f", "v"],
            ["CONFIG", "RESETSTAT"],
            ["CONFIG", "SET", "maxmemory", "1"],
            .. refused,
            // Not denyoom: reads, deletes, pops, TTL changes and commands that touch no key run.
            ["GET", "s"], ["EXISTS", "s", "l"], ["TYPE", "set"], ["STRLEN", "s"], ["LRANGE", "l", "0", "-1"], ["SCARD", "set"],
            ["ZSCORE", "z", "a"], ["HGET", "h", "f"], ["EXPIRE", "s", "100"], ["PERSIST", "s"], ["RPOP", "l"], ["SREM", "set", "a"],
            ["HDEL", "h", "f"], ["GETDEL", "s"], ["UNLINK", "z"], ["DEL", "l"], ["PING"], ["ECHO", "e"], ["DBSIZE"],
            ["PUBLISH", "c", "m"], ["CONFIG", "GET", "maxmemory"],
            // Inside MULTI everything is refused but EXEC and DISCARD; EXEC then aborts.
            ["MULTI"], ["GET", "set"], ["PING"], ["EXEC"],
            ["MULTI"], ["SET", "a", "b"], ["DISCARD"],
            // Both counted every refusal alike.
            ["INFO", "errorstats"],
            ["CONFIG", "SET", "maxmemory", "0"],
            ["SET", "s", "v"],
        ];
        await SameAsRealRedis.RepliesAsync(script);
    }

    [Fact]
    public Task Evicting_every_key_touches_watched_keys_then_refuses() =>
        SameAsRealRedis.RepliesAsync(
        [
            ["SET", "k", "v"], ["RPUSH", "l", "a"], ["SET", "t", "v", "EX", "100"], ["WATCH", "k"],
            ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"], ["CONFIG", "SET", "maxmemory", "1"],
            // Before this PING both servers evict every key, and are still over the limit.
            ["PING"], ["DBSIZE"], ["MULTI"], ["EXEC"], ["GET", "k"], ["SET", "k", "v"], ["LPUSH", "l", "b"],
            ["CONFIG", "SET", "maxmemory", "0"], ["SET", "k", "v"], ["DBSIZE"],
        ]);

    [Fact]
    public async Task An_eviction_publishes_evicted_as_redis_does()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        var published = new List<string>[2];
        foreach (var (endPoint, index) in new[] { (ours.EndPoint, 0), (real.EndPoint, 1) })
        {
            using var client = await RespClient.ConnectAsync(endPoint);
            using var subscriber = await RespClient.ConnectAsync(endPoint);
            Assert.Equal("OK", await client.CallAsync("SET", "k", "v"));
            Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "notify-keyspace-events", "KEA"));
            Assert.Equal(new object?[] { "psubscribe", "*", 1L }, await subscriber.CallAsync("PSUBSCRIBE", "*"));
            Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "maxmemory-policy", "allkeys-random"));
            Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "maxmemory", "1"));
            Assert.Equal(0L, await client.CallAsync("DBSIZE"));
            Assert.Equal(1L, await client.CallAsync("PUBLISH", "done", "."));
            published[index] = [];
            while (await subscriber.ReadAsync() is object?[] message && (string)message[2]! != "done")
            {
                published[index].Add(string.Join(' ', message.Skip(2)));
            }
        }
        Assert.Equal(["__keyspace@0__:k evicted", "__keyevent@0__:evicted k"], published[1]);
        Assert.Equal(published[1], published[0]);
    }

    [Fact]
    public Task Scripts_out_of_memory_are_refused_as_redis_refuses_them()
    {
        const string library = "#!lua name=lib\n" +
            "redis.register_function('plain', function() return redis.call('set', 'f', 'v') end)\n" +
            "redis.register_function{function_name='oom', callback=function() return redis.call('set', 'f', 'v') end, flags={'allow-oom'}}\n" +
            "redis.register_function{function_name='reads', callback=function() return redis.call('get', 'f') end, flags={'no-writes'}}";
        return SameAsRealRedis.RepliesAsync(
        [
            ["FUNCTION", "LOAD", library], ["SCRIPT", "LOAD", "#!lua\nreturn 1"],
            ["CONFIG", "SET", "maxmemory", "1"],
            // Without a shebang a script runs; its first write that may grow memory fails it, reads do not.
            ["EVAL", "return redis.call('get', 'a')", "0"],
            ["EVAL", "return redis.call('set', 'a', 'b')", "0"],
            ["EVAL", "return redis.pcall('set', 'a', 'b')", "0"],
            ["EVAL", "return redis.call('del', 'a')", "0"],
            // With flags: refused before running unless allow-oom (no-writes only at the start of the run).
            ["EVAL", "#!lua\nreturn 1", "0"],
            ["EVALSHA", "cb70127618f0b0be70c53cf6bfcfa54a29d9b0c0", "0"],
            ["EVAL", "#!lua flags=no-writes\nreturn 1", "0"],
            ["EVAL", "#!lua flags=allow-oom\nreturn redis.call('set', 'a', 'b')", "0"],
            ["FCALL", "plain", "0"], ["FCALL", "oom", "0"], ["FCALL", "reads", "0"], ["FCALL_RO", "reads", "0"],
            ["INFO", "errorstats"],
            ["CONFIG", "SET", "maxmemory", "0"],
            ["FCALL", "reads", "0"],
        ]);
    }
}
