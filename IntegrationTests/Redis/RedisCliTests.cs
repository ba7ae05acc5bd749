using System.ComponentModel;
using System.Diagnostics;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>The real redis-cli against the sample (test.sh installs it; a missing redis-cli fails these tests).</summary>
public sealed class RedisCliTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Ping_set_and_get_print_as_with_redis(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        Assert.Equal("PONG\n", await RunAsync(redis, "ping"));
        Assert.Equal("OK\n", await RunAsync(redis, "set", "greeting", "hello world"));
        Assert.Equal("hello world\n", await RunAsync(redis, "get", "greeting"));
        Assert.Equal("\"hello world\"\n", await RunAsync(redis, "--no-raw", "get", "greeting"));
        Assert.Equal("(nil)\n", await RunAsync(redis, "--no-raw", "get", "missing"));
        Assert.Equal("(integer) 1\n", await RunAsync(redis, "--no-raw", "incr", "n"));
        Assert.Equal("(error) ERR unknown command 'nosuch', with args beginning with: \n", await RunAsync(redis, "--no-raw", "nosuch"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Info_server_prints_the_server_section(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var info = await RunAsync(redis, "info", "server");
        Assert.StartsWith("# Server\r\n", info);
        Assert.Contains("redis_version:7.0.15\r\n", info);
        Assert.DoesNotContain("# Keyspace", info);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Commands_piped_on_stdin_run_in_order(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        Assert.Equal("OK\n2\n2\nb c\n", await RunWithInputAsync(redis, "SET a 1\nINCR a\nGET a\nECHO \"b c\"\n"));
    }

    private static Task<string> RunAsync(InProcessRedis redis, params string[] arguments) => RunWithInputAsync(redis, "", arguments);

    // Runs redis-cli against the server; its stdout when it exits 0 within ten seconds, a failed test otherwise.
    private static async Task<string> RunWithInputAsync(InProcessRedis redis, string stdin, params string[] arguments)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-h", "127.0.0.1", "-p", redis.EndPoint.Port.ToString() }.Concat(arguments)) { start.ArgumentList.Add(argument); }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("redis-cli is not installed: test.sh installs it (Debian package redis-tools).", e);
        }
        using var _ = process;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"redis-cli exited {process.ExitCode}: {await errors}");
            return await output;
        }
        finally
        {
            if (!process.HasExited) { process.Kill(); }
        }
    }
}
