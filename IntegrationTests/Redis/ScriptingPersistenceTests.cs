using Loop.IntegrationTests.Infrastructure;
using Loop.Samples.Redis.Persistence;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// What scripting leaves on disk: a script's effects (its writes, between MULTI and EXEC, not the script) and the
/// function libraries in the append-only file; FUNCTION DUMP payloads that redis-server 7.0 restores, and the reverse.
/// </summary>
public sealed class ScriptingPersistenceTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_scripts_effects_and_the_libraries_come_back_from_the_append_only_file(Backend backend)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-aof-").FullName;
        object? randomValue;
        await using (var first = await InProcessRedis.StartAsync(backend, dir: directory, settings: [("appendonly", "yes"), ("appendfsync", "always")]))
        {
            using var client = new RespClient(await first.ConnectAsync());
            // math.random's value is logged as the SET it made: replaying the script would draw again.
            Assert.Equal(3L, await client.CallAsync("EVAL",
                "redis.call('SET', KEYS[1], tostring(math.random(1000000))) redis.call('INCR', KEYS[2]) " +
                "redis.call('SELECT', 3) redis.call('SET', 'in3', 'x') return redis.call('RPUSH', KEYS[3], 'a', 'b', 'c')",
                "3", "r", "n", "l"));
            Assert.Equal("lib", await client.CallAsync("FUNCTION", "LOAD",
                "#!lua name=lib\nredis.register_function('bump', function(keys) return redis.call('INCRBY', keys[1], 10) end)"));
            Assert.Equal(11L, await client.CallAsync("FCALL", "bump", "1", "n"));
            randomValue = await client.CallAsync("GET", "r");
        }
        var incr = File.ReadAllText(Path.Combine(directory, AofFileNames.DefaultDirectoryName, "appendonly.aof.1.incr.aof"));
        Assert.DoesNotContain("EVAL", incr);
        Assert.DoesNotContain("FCALL", incr);
        Assert.Contains("*1\r\n$5\r\nMULTI\r\n", incr);
        Assert.Contains("$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n", incr);
        await using var second = await InProcessRedis.StartAsync(backend, dir: directory, settings: [("appendonly", "yes")]);
        using var again = new RespClient(await second.ConnectAsync());
        Assert.Equal(randomValue, await again.CallAsync("GET", "r"));
        Assert.Equal("11", await again.CallAsync("GET", "n"));
        Assert.Equal(21L, await again.CallAsync("FCALL", "bump", "1", "n"));
        // The script's SELECT moved its own writes (not its caller) to database 3.
        Assert.Equal("OK", await again.CallAsync("SELECT", "3"));
        Assert.Equal("x", await again.CallAsync("GET", "in3"));
        Assert.Equal(new object?[] { "a", "b", "c" }, await again.CallAsync("LRANGE", "l", "0", "-1"));
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Function_dump_payloads_restore_in_redis_server_and_back()
    {
        const string Library = "#!lua name=shared\nredis.register_function('hello', function(keys, args) return 'hello ' .. args[1] end)";
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var ours = new RespClient(await loop.ConnectAsync());
        using var theirs = await redis.ConnectAsync();
        Assert.Equal("shared", await theirs.CallAsync("FUNCTION", "LOAD", Library));
        var theirDump = await theirs.Socket.CommandAsync("FUNCTION", "DUMP");
        Assert.Equal("shared", await ours.CallAsync("FUNCTION", "LOAD", Library));
        Assert.Equal(theirDump, await ours.Socket.CommandAsync("FUNCTION", "DUMP"));
        Assert.Equal("OK", await ours.CallAsync("FUNCTION", "FLUSH"));
        var payload = (string)(await theirs.CallAsync("FUNCTION", "DUMP"))!;
        Assert.Equal("OK", await theirs.CallAsync("FUNCTION", "FLUSH"));
        Assert.Equal("OK", await ours.CallAsync("FUNCTION", "RESTORE", payload));
        Assert.Equal("hello you", await ours.CallAsync("FCALL", "hello", "0", "you"));
        Assert.Equal(new RespError("ERR Library shared already exists"), await ours.CallAsync("FUNCTION", "RESTORE", payload)); // libraryJoin's wording
        Assert.Equal("OK", await ours.CallAsync("FUNCTION", "RESTORE", payload, "REPLACE"));
        Assert.Equal(new RespError("ERR DUMP payload version or checksum are wrong"), await ours.CallAsync("FUNCTION", "RESTORE", payload + "x"));
    }

    [Fact]
    public async Task Libraries_saved_in_dump_rdb_load_in_redis_server_and_back()
    {
        const string Library = "#!lua name=saved\nredis.register_function('ping2', function() return 'pong2' end)";
        var directory = RealRedis.NewDirectory();
        var back = RealRedis.NewDirectory();
        await using (var loop = await InProcessRedis.StartAsync(Backend.Auto, dir: directory))
        {
            using var client = new RespClient(await loop.ConnectAsync());
            Assert.Equal("saved", await client.CallAsync("FUNCTION", "LOAD", Library));
            Assert.Equal("OK", await client.CallAsync("SET", "k", "v"));
            Assert.Equal("OK", await client.CallAsync("DEBUG", "RELOAD"));
            Assert.Equal("pong2", await client.CallAsync("FCALL", "ping2", "0"));
            Assert.Equal("OK", await client.CallAsync("SAVE"));
        }
        await using (var redis = await RealRedis.StartAsync(directory))
        {
            using var theirs = await redis.ConnectAsync();
            Assert.Equal("pong2", await theirs.CallAsync("FCALL", "ping2", "0"));
            Assert.Equal("v", await theirs.CallAsync("GET", "k"));
            Assert.Equal("saved", await theirs.CallAsync("FUNCTION", "LOAD", "REPLACE", Library.Replace("pong2", "pong3")));
            Assert.Equal("OK", await theirs.CallAsync("SAVE"));
            File.Copy(Path.Combine(directory, "dump.rdb"), Path.Combine(back, "dump.rdb"));
        }
        await using var again = await InProcessRedis.StartAsync(Backend.Auto, dir: back);
        using var ours = new RespClient(await again.ConnectAsync());
        Assert.Equal("pong3", await ours.CallAsync("FCALL", "ping2", "0"));
        Directory.Delete(back, recursive: true);
    }
}
