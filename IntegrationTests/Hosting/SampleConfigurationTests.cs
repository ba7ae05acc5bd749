using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Hosting;

/// <summary>
/// The echo sample run as a process: its ServerOptions come from configuration (environment variables such as
/// <c>Loop__Port</c>, then the flags), bad values stop it at startup naming the setting, SIGTERM stops it cleanly.
/// </summary>
public sealed partial class SampleConfigurationTests
{
    [Fact]
    public async Task Loop__Port_in_the_environment_sets_the_port_and_SIGTERM_stops_cleanly()
    {
        var port = FreePort();
        using var echo = StartEcho(new() { ["Loop__Port"] = port.ToString(), ["Loop__LoopCount"] = "1" });
        Assert.Matches($@"^listening on 127\.0\.0\.1:{port} backend=\w+ loops=1$", await SampleProcess.StartupLineAsync(echo));

        using (var client = await TestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)))
        {
            Assert.Equal("configured"u8.ToArray(), await client.EchoAsync("configured"u8.ToArray()));
        }
        Assert.Equal(0, Kill(echo.Id, SigTerm));
        await echo.WaitForExitAsync().WaitAsync(Timeouts.StartStop);
        Assert.Equal(0, echo.ExitCode);
    }

    [Fact]
    public async Task A_flag_overrides_the_environment()
    {
        var port = FreePort();
        using var echo = StartEcho(new() { ["Loop__Port"] = "1", ["Loop__Backend"] = "managed" }, "--port", port.ToString(), "--loops", "1", "--backend", "epoll");
        Assert.Equal($"listening on 127.0.0.1:{port} backend=epoll loops=1", await SampleProcess.StartupLineAsync(echo));
        echo.Kill();
    }

    [Theory]
    [InlineData(1, "ServerOptions.LoopCount", "--loops", "0")]
    [InlineData(1, "ServerOptions.RingEntries", "--Loop:RingEntries", "3")]
    [InlineData(2, "'Loop:Port'", "--Loop:Port=abc")]
    [InlineData(2, "unknown option '--nope'", "--nope")]
    public async Task A_bad_value_stops_the_sample_at_startup_naming_the_setting(int exitCode, string named, params string[] args)
    {
        using var echo = StartEcho([], ["--port", "0", .. args]);
        var error = await echo.StandardError.ReadToEndAsync().WaitAsync(Timeouts.StartStop);
        await echo.WaitForExitAsync().WaitAsync(Timeouts.StartStop);
        Assert.Equal(exitCode, echo.ExitCode);
        Assert.Contains(named, error);
    }

    [Fact]
    public async Task A_bad_environment_value_stops_the_sample_naming_the_setting()
    {
        using var echo = StartEcho(new() { ["Loop__BindAddress"] = "not-an-address" }, "--port", "0");
        var error = await echo.StandardError.ReadToEndAsync().WaitAsync(Timeouts.StartStop);
        await echo.WaitForExitAsync().WaitAsync(Timeouts.StartStop);
        Assert.Equal(2, echo.ExitCode);
        Assert.Contains("ServerOptions.BindAddress", error);
    }

    private static Process StartEcho(Dictionary<string, string> environment, params string[] args) =>
        SampleProcess.Start("Echo", "loop-echo", environment, args);

    private static int FreePort()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
