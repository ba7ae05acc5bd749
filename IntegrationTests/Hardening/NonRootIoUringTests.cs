using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Loop.IntegrationTests.Infrastructure;
using Loop.IntegrationTests.Redis;

namespace Loop.IntegrationTests.Hardening;

/// <summary>
/// loop-redis on io_uring as an ordinary user, with the limits such a user commonly has (1024 files, 8 MB of locked
/// memory, no CAP_IPC_LOCK): it starts with a smaller fixed-file table and registered region, says so, and serves
/// values larger than that region. Run as root (as CI is), the sample runs as user nobody through setpriv; run as
/// anyone else, it runs as that user.
/// </summary>
public sealed class NonRootIoUringTests
{
    private const int BigValueBytes = 4 * 1024 * 1024;

    [Fact]
    public async Task Under_1024_files_and_8_MB_of_locked_memory_io_uring_starts_says_what_it_reduced_and_serves_a_4_MB_value()
    {
        if (RedisProcess.IsRoot) { await AssertNobodyCanReadAsync(RedisProcess.Dll); }
        await using var redis = await RedisProcess.StartServingAsync(["--port", "0", "--loops", "2", "--backend", "iouring"],
            "ulimit -n 1024; ulimit -l 8192", asNobody: RedisProcess.IsRoot);
        Assert.Contains("backend=iouring", redis.StartupLine);
        Assert.True(await Polling.Eventually(() => redis.Output.Any(l => l.Contains("io_uring: ")
                && l.Contains("fixed-file slots per loop instead of") && l.Contains("registered output chunks per loop instead of"))),
            $"no warning about the reduced fixed-file table and registered region: {string.Join('\n', redis.Output)}");

        using var client = await RespSocket.ConnectAsync(redis.EndPoint);
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "small", "value"));
        Assert.Equal("$5\r\nvalue\r\n", await client.CommandAsync("GET", "small"));
        var big = Encoding.Latin1.GetString(RandomNumberGenerator.GetBytes(BigValueBytes));
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "big", big));
        var reply = await client.CommandAsync("GET", "big");
        Assert.True(reply == $"${BigValueBytes}\r\n{big}\r\n", $"the 4 MB value came back changed ({reply.Length} characters of reply)");
    }

    private static async Task AssertNobodyCanReadAsync(string path)
    {
        var info = new ProcessStartInfo("setpriv") { RedirectStandardError = true };
        foreach (var arg in (string[])[.. RedisProcess.AsNobody, "test", "-r", path]) { info.ArgumentList.Add(arg); }
        using var check = Process.Start(info)!;
        var error = await check.StandardError.ReadToEndAsync().WaitAsync(Timeouts.StartStop);
        await check.WaitForExitAsync().WaitAsync(Timeouts.StartStop);
        Assert.True(check.ExitCode == 0, $"user nobody cannot read {path}: this test needs a world-readable checkout. {error}");
    }
}
