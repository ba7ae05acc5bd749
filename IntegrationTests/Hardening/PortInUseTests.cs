using Loop.IntegrationTests.Infrastructure;
using Loop.IntegrationTests.Redis;
using Loop.Protocols.Echo;

namespace Loop.IntegrationTests.Hardening;

/// <summary>
/// A second server on a port already in use fails at startup instead of joining the first one's listeners through
/// SO_REUSEPORT, which would split the clients (and a Redis keyspace) between two processes.
/// </summary>
public sealed class PortInUseTests
{
    [Fact]
    public async Task A_second_loop_redis_on_a_port_in_use_exits_with_an_error_and_the_first_keeps_every_client()
    {
        await using var first = await RedisProcess.StartServingAsync(["--port", "0", "--loops", "2"]);
        var port = first.EndPoint.Port;

        await using var second = RedisProcess.Start(["--port", port.ToString(), "--loops", "2"]);
        Assert.True(await second.ExitsWithinAsync(Timeouts.StartStop), $"the second loop-redis kept running on port {port}");
        Assert.Equal(1, second.Process.ExitCode);
        Assert.Contains($"error: address 127.0.0.1:{port} already in use", second.Errors);

        for (var i = 1; i <= 10; i++)
        {
            using var client = await RespSocket.ConnectAsync(first.EndPoint);
            Assert.Equal($":{i}\r\n", await client.CommandAsync("INCR", "counter"));
        }
    }

    [Fact]
    public async Task Server_Start_on_the_port_of_a_running_server_throws_naming_the_address()
    {
        await using var first = Server.Start(new ServerOptions { LoopCount = 1 }, () => new EchoHandler());
        var again = new ServerOptions { Port = first.EndPoint.Port, LoopCount = 1 };

        var error = Assert.Throws<InvalidOperationException>(() => Server.Start(again, () => new EchoHandler()).StopAsync().Wait(Timeouts.StartStop));
        Assert.Equal($"address {first.EndPoint} already in use", error.Message);

        using var client = await TestClient.ConnectAsync(first.EndPoint);
        Assert.Equal("still served"u8.ToArray(), await client.EchoAsync("still served"u8.ToArray()));
    }
}
