using Loop.IntegrationTests.Infrastructure;
using Loop.IntegrationTests.Redis;

namespace Loop.IntegrationTests.Hardening;

/// <summary>
/// loop-redis as a process, as users run it: SIGTERM saves when save points are set (Redis's default ones) and not
/// otherwise, SHUTDOWN saves and exits, and a damaged dump.rdb stops the start with a message naming the file.
/// </summary>
public sealed class PersistenceProcessTests
{
    [Fact]
    public async Task Sigterm_saves_with_the_default_save_points_and_the_next_start_loads_the_file()
    {
        string directory;
        await using (var first = await RedisProcess.StartServingAsync(["--port", "0"]))
        {
            directory = first.Directory;
            using var client = new RespClient(await RespSocket.ConnectAsync(first.EndPoint));
            Assert.Equal("OK", await client.CallAsync("SET", "kept", "across a restart"));
            Assert.Equal(1L, await client.CallAsync("RPUSH", "list", "x"));
            first.Terminate();
            Assert.True(await first.ExitsWithinAsync(Timeouts.StartStop), "loop-redis did not exit on SIGTERM");
            Assert.Equal(0, first.Process.ExitCode);
            Assert.True(File.Exists(Path.Combine(directory, "dump.rdb")), "SIGTERM did not save");
            await using var second = await RedisProcess.StartServingAsync(["--port", "0"], directory: directory);
            using var again = new RespClient(await RespSocket.ConnectAsync(second.EndPoint));
            Assert.Equal("across a restart", await again.CallAsync("GET", "kept"));
            Assert.Equal(1L, await again.CallAsync("LLEN", "list"));
            Assert.Contains(second.Output, line => line.Contains(" * DB loaded from disk"));
        }
    }

    [Fact]
    public async Task Without_save_points_sigterm_writes_nothing()
    {
        await using var redis = await RedisProcess.StartServingAsync(["--port", "0", "--save", ""]);
        using var client = new RespClient(await RespSocket.ConnectAsync(redis.EndPoint));
        Assert.Equal("OK", await client.CallAsync("SET", "k", "v"));
        redis.Terminate();
        Assert.True(await redis.ExitsWithinAsync(Timeouts.StartStop));
        Assert.False(File.Exists(Path.Combine(redis.Directory, "dump.rdb")));
    }

    [Fact]
    public async Task Shutdown_saves_and_the_process_exits()
    {
        await using var redis = await RedisProcess.StartServingAsync(["--port", "0", "--save", ""]);
        using var client = new RespClient(await RespSocket.ConnectAsync(redis.EndPoint));
        Assert.Equal("OK", await client.CallAsync("SET", "k", "v"));
        await client.SendAsync("SHUTDOWN", "SAVE");
        Assert.True(await redis.ExitsWithinAsync(Timeouts.StartStop), "loop-redis did not exit on SHUTDOWN");
        Assert.Equal(0, redis.Process.ExitCode);
        Assert.True(File.Exists(Path.Combine(redis.Directory, "dump.rdb")));
    }

    [Fact]
    public async Task A_damaged_dump_rdb_stops_the_start_naming_the_file_and_the_offset()
    {
        string directory;
        await using (var first = await RedisProcess.StartServingAsync(["--port", "0"]))
        {
            directory = first.Directory;
            using var client = new RespClient(await RespSocket.ConnectAsync(first.EndPoint));
            Assert.Equal("OK", await client.CallAsync("SET", "k", new string('v', 1000)));
            Assert.Equal("OK", await client.CallAsync("SAVE"));
            var file = Path.Combine(directory, "dump.rdb");
            var bytes = await File.ReadAllBytesAsync(file);
            await File.WriteAllBytesAsync(file, bytes[..(bytes.Length / 2)]);

            await using var second = RedisProcess.Start(["--port", "0"], directory: directory);
            Assert.True(await second.ExitsWithinAsync(Timeouts.StartStop), "loop-redis started on a truncated dump.rdb");
            Assert.Equal(1, second.Process.ExitCode);
            Assert.Contains($"cannot load {Path.Combine(".", "dump.rdb")}", second.Errors);
            Assert.Contains("offset", second.Errors);
        }
    }
}
