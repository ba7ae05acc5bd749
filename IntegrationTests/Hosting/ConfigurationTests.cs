using System.Net;
using System.Text;
using Loop.Hosting;
using Loop.IntegrationTests.Infrastructure;
using Loop.Protocols.Echo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Loop.IntegrationTests.Hosting;

/// <summary>An endpoint's ServerOptions bound from the host's configuration section "Loop".</summary>
public sealed class ConfigurationTests
{
    private const string AppSettings = """
        { "Loop": { "Port": 0, "LoopCount": 1, "Backend": "epoll", "BindAddress": "127.0.0.1", "ShutdownTimeout": "00:00:02" } }
        """;

    [Fact]
    public async Task Json_then_later_sources_bind_the_endpoints_options_over_the_defaults_set_in_code()
    {
        IConfiguration? section = null;   // the host's, taken in the configure step that runs before the endpoints
        using var host = LoopHostTests.BuildHost(
            loop => loop.Listen("echo", section!, () => new EchoHandler(), o => { o.LoopCount = 4; o.MaxConnectionsPerLoop = 100; }),
            builder =>
            {
                builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(AppSettings)));
                builder.Configuration.AddInMemoryCollection([new("Loop:LoopCount", "2")]);   // as a later source would
                section = builder.Configuration.GetSection("Loop");
            });
        await host.StartAsync().WaitAsync(Timeouts.StartStop);
        var server = host.Services.GetRequiredService<LoopHostedService>().Servers["echo"];
        var options = host.Services.GetRequiredService<IOptionsMonitor<ServerOptions>>().Get("echo");

        Assert.Equal(2, server.Loops.Count);
        Assert.Equal(Backend.Epoll, server.Backend);
        Assert.Equal(IPAddress.Loopback, server.EndPoint.Address);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ShutdownTimeout);
        Assert.Equal(100, options.MaxConnectionsPerLoop);   // not configured: the code's value stays
        using (var client = await TestClient.ConnectAsync(server.EndPoint))
        {
            Assert.Equal("bound"u8.ToArray(), await client.EchoAsync("bound"u8.ToArray()));
        }
        await host.StopAsync().WaitAsync(Timeouts.StartStop);
    }

    [Theory]
    [InlineData("ReceiveBufferCount", "1000", "ServerOptions.ReceiveBufferCount")]
    [InlineData("LoopCount", "many", "'Loop:LoopCount'")]
    [InlineData("BindAddress", "localhost:80", "ServerOptions.BindAddress")]
    public async Task A_bad_configured_value_fails_the_start_naming_the_setting(string setting, string value, string named)
    {
        IConfiguration? section = null;   // the host's, taken in the configure step that runs before the endpoints
        using var host = LoopHostTests.BuildHost(
            loop => loop.Listen("echo", section!, () => new EchoHandler()),
            builder =>
            {
                builder.Configuration.AddInMemoryCollection([new("Loop:Port", "0"), new($"Loop:{setting}", value)]);
                section = builder.Configuration.GetSection("Loop");
            });
        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.StartAsync().WaitAsync(Timeouts.StartStop));
        Assert.Contains(named, error.Message);
    }

}
