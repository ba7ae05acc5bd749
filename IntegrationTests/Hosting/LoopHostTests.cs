using System.Net;
using System.Net.Sockets;
using Loop.Hosting;
using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;
using Loop.Protocols.Echo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loop.IntegrationTests.Hosting;

/// <summary>
/// Loop inside a generic host: <c>AddLoopServer</c> with two endpoints, each its own port, protocol and options,
/// started and stopped with the host.
/// </summary>
public sealed class LoopHostTests
{
    [Fact]
    public async Task A_host_with_two_endpoints_serves_both_with_their_own_options_and_the_hosts_logging()
    {
        using var host = BuildHost(loop => loop
            .Listen("echo", 0, () => new EchoHandler(), o => o.LoopCount = 2)
            .Listen("lines", 0, () => new LineHandler(), o => { o.LoopCount = 1; o.Backend = Backend.Epoll; }));
        await host.StartAsync().WaitAsync(Timeouts.StartStop);
        var servers = host.Services.GetRequiredService<LoopHostedService>().Servers;

        using (var echo = await TestClient.ConnectAsync(servers["echo"].EndPoint))
        {
            Assert.Equal("ping"u8.ToArray(), await echo.EchoAsync("ping"u8.ToArray()));
        }
        using (var lines = await TestClient.ConnectAsync(servers["lines"].EndPoint))
        {
            await lines.SendAsync("hello\nbye\n"u8.ToArray());
            Assert.Equal("hello\nciao\n"u8.ToArray(), await lines.ReceiveToEndAsync());
        }
        Assert.Equal(2, servers["echo"].Loops.Count);
        Assert.Equal(Backend.Epoll, servers["lines"].Backend);
        var options = host.Services.GetRequiredService<IOptionsMonitor<ServerOptions>>();
        Assert.Same(host.Services.GetRequiredService<ILoggerFactory>(), options.Get("echo").LoggerFactory);

        await host.StopAsync().WaitAsync(Timeouts.StartStop);
    }

    [Fact]
    public async Task Stopping_the_host_closes_connections_and_frees_the_ports()
    {
        using var host = BuildHost(loop => loop
            .Listen("echo", 0, () => new EchoHandler(), o => o.LoopCount = 2)
            .Listen("lines", 0, () => new LineHandler(), o => o.LoopCount = 2));
        await host.StartAsync().WaitAsync(Timeouts.StartStop);
        var endPoints = host.Services.GetRequiredService<LoopHostedService>().Servers.Values.Select(s => s.EndPoint).ToList();
        var clients = new List<TestClient>();
        foreach (var endPoint in endPoints) { clients.Add(await TestClient.ConnectAsync(endPoint)); }
        await clients[0].EchoAsync("before stop"u8.ToArray());
        Assert.All(endPoints, endPoint => Assert.False(CanListenOn(endPoint), $"{endPoint} should be taken while the host runs"));

        await host.StopAsync().WaitAsync(Timeouts.StartStop);

        foreach (var client in clients)
        {
            Assert.Empty(await client.ReceiveToEndAsync());   // EOF: the server closed the connection
            client.Dispose();
        }
        Assert.Empty(host.Services.GetRequiredService<LoopHostedService>().Servers);
        Assert.All(endPoints, endPoint => Assert.True(CanListenOn(endPoint), $"{endPoint} should be free once the host stopped"));
    }

    [Fact]
    public async Task A_connection_that_cannot_drain_is_closed_after_the_endpoints_shutdown_timeout()
    {
        using var host = BuildHost(loop => loop.Listen("flood", 0, () => new FloodHandler(StuckOutputBytes), o =>
        {
            o.LoopCount = 1;
            o.ShutdownTimeout = TimeSpan.FromMilliseconds(300);
        }));
        var (server, client) = await StartWithStuckOutputAsync(host);
        using var _ = client;

        await host.StopAsync().WaitAsync(Timeouts.StartStop);
        Assert.True(server.StopAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task The_hosts_shutdown_timeout_bounds_the_wait_for_draining_connections()
    {
        using var host = BuildHost(
            loop => loop.Listen("flood", 0, () => new FloodHandler(StuckOutputBytes), o =>
            {
                o.LoopCount = 1;
                o.ShutdownTimeout = TimeSpan.FromMinutes(1);
            }),
            builder => builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200)));
        var (server, client) = await StartWithStuckOutputAsync(host);

        await host.StopAsync().WaitAsync(Timeouts.StartStop);
        Assert.False(server.StopAsync().IsCompleted, "the connection was still draining when the host gave up waiting");
        client.Reset();   // the peer goes away: the server's stop ends without waiting its minute
        await server.StopAsync().WaitAsync(Timeouts.StartStop);
    }

    [Fact]
    public async Task Invalid_options_fail_the_hosts_start_naming_the_setting_and_start_nothing()
    {
        using var host = BuildHost(loop => loop
            .Listen("echo", 0, () => new EchoHandler(), o => o.LoopCount = 1)
            .Listen("broken", 0, () => new EchoHandler(), o => o.ReceiveBufferCount = 1000));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.StartAsync().WaitAsync(Timeouts.StartStop));
        Assert.Contains("'broken'", error.Message);
        Assert.Contains("ServerOptions.ReceiveBufferCount", error.Message);
        Assert.Empty(host.Services.GetRequiredService<LoopHostedService>().Servers);
    }

    [Fact]
    public async Task Two_endpoints_on_one_port_are_refused_instead_of_sharing_it()
    {
        using var free = new Socket(SocketType.Stream, ProtocolType.Tcp);
        free.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)free.LocalEndPoint!).Port;
        free.Close();
        using var host = BuildHost(loop => loop
            .Listen("a", port, () => new EchoHandler())
            .Listen("b", port, () => new LineHandler()));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.StartAsync().WaitAsync(Timeouts.StartStop));
        Assert.Contains($"'a' and 'b' both listen on port {port}", error.Message);
    }

    [Fact]
    public async Task A_server_that_cannot_start_stops_those_already_started()
    {
        using var taken = new Socket(SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        using var host = BuildHost(loop => loop
            .Listen("first", 0, () => new EchoHandler(), o => o.LoopCount = 1)
            .Listen("second", port, () => new EchoHandler(), o => o.LoopCount = 1));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WaitAsync(Timeouts.StartStop));
        Assert.Equal($"address 127.0.0.1:{port} already in use", error.Message);
        Assert.Empty(host.Services.GetRequiredService<LoopHostedService>().Servers);
    }

    private const int StuckOutputBytes = 16 * 1024 * 1024;

    /// <summary>Starts the host and gives its "flood" endpoint 16 MB of output for a client that never reads.</summary>
    private static async Task<(Server, TestClient)> StartWithStuckOutputAsync(IHost host)
    {
        await host.StartAsync().WaitAsync(Timeouts.StartStop);
        var server = host.Services.GetRequiredService<LoopHostedService>().Servers["flood"];
        var client = await TestClient.ConnectAsync(server.EndPoint);
        // One byte, so one receive queues all of it: more than loopback's socket buffers can hold.
        await client.SendAsync(new byte[1]);
        Assert.True(await Polling.Eventually(() => server.Statistics.BytesReceived == 1));
        return (server, client);
    }

    /// <summary>A host without default sources; <paramref name="configure"/> runs before <paramref name="endpoints"/>.</summary>
    internal static IHost BuildHost(Action<LoopServerBuilder> endpoints, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        configure?.Invoke(builder);
        builder.Services.AddLoopServer(endpoints);
        return builder.Build();
    }

    private const int SolSocket = 1, SoReuseAddr = 2;

    /// <summary>Whether a plain listener can take the port now (the server's SO_REUSEPORT listeners would refuse it).</summary>
    private static bool CanListenOn(IPEndPoint endPoint)
    {
        using var probe = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // SO_REUSEADDR alone (.NET's ReuseAddress adds SO_REUSEPORT) overlooks the closed connections' TIME_WAIT,
        // never a socket still listening.
        probe.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        try
        {
            probe.Bind(endPoint);
            probe.Listen();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
    }
}
