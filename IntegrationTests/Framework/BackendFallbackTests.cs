using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Loop.IntegrationTests.Framework;

/// <summary>
/// The echo sample run as a user runs it, with io_uring blocked by a seccomp filter as in a container
/// with Docker's default profile: auto falls back to epoll and says why; asking for io_uring is an error.
/// </summary>
public sealed class BackendFallbackTests
{
    [Fact]
    public async Task Auto_falls_back_to_epoll_when_the_ring_cannot_be_created_and_says_so()
    {
        using var echo = StartBlocked("--port", "0", "--loops", "1", "--backend", "auto");
        var output = new List<string>();
        string? line;
        while ((line = await echo.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))) is not null)
        {
            output.Add(line);
            if (line.StartsWith("listening on")) { break; }
        }
        Assert.Contains(output, l => l.Contains("io_uring unavailable") && l.Contains("EPERM") && l.Contains("falling back to epoll"));
        var listening = Regex.Match(output[^1], @"^listening on 127\.0\.0\.1:(\d+) backend=epoll loops=1$");
        Assert.True(listening.Success, $"startup line was: {output[^1]}");

        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync("127.0.0.1", int.Parse(listening.Groups[1].Value));
        await client.SendAsync("still served"u8.ToArray());
        var reply = new byte[12];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var read = 0; read < reply.Length;) { read += await client.ReceiveAsync(reply.AsMemory(read), timeout.Token); }
        Assert.Equal("still served"u8.ToArray(), reply);
        echo.Kill();
    }

    [Fact]
    public async Task Asking_for_io_uring_where_it_is_blocked_is_a_clear_startup_error()
    {
        using var echo = StartBlocked("--port", "0", "--backend", "iouring");
        var error = await echo.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await echo.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, echo.ExitCode);
        Assert.Contains("iouring backend could not start: io_uring_setup failed: EPERM", error);
    }

    private static Process StartBlocked(params string[] echoArgs)
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory);          // IntegrationTests/bin/<config>/net10.0/
        var configuration = bin.Parent!.Name;
        var root = bin.Parent.Parent!.Parent!.Parent!.FullName;
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(root, "IntegrationTests/NoIoUring/bin", configuration, "net10.0/no-io-uring.dll"));
        info.ArgumentList.Add(Environment.ProcessPath!);
        info.ArgumentList.Add(Path.Combine(root, "Samples/Echo/bin", configuration, "net10.0/loop-echo.dll"));
        foreach (var arg in echoArgs) { info.ArgumentList.Add(arg); }
        return Process.Start(info)!;
    }
}
