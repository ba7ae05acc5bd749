using System.Net;
using System.Text;
using Loop.IntegrationTests.Infrastructure;
using Loop.IntegrationTests.Redis;

namespace Loop.IntegrationTests.Hardening;

/// <summary>
/// Clients that send most of a huge bulk and leave: what the server held of their unfinished commands goes back to
/// the operating system, so its resident memory returns to near what it was before.
/// </summary>
public sealed class LargeUploadMemoryTests
{
    private const int Uploaders = 3, DeclaredBytes = 100 * 1024 * 1024, SentBytes = 64 * 1024 * 1024;

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Resident_memory_goes_back_once_clients_that_sent_64_MB_of_a_100_MB_bulk_have_left(Backend backend)
    {
        await using var redis = await RedisProcess.StartServingAsync(["--port", "0", "--loops", "2", "--backend", backend.ToString().ToLowerInvariant()]);
        using var probe = await RespSocket.ConnectAsync(redis.EndPoint);
        Assert.Equal("+PONG\r\n", await probe.InlineAsync("PING"));
        var before = redis.ResidentBytes();

        var value = new byte[SentBytes];
        await Task.WhenAll(Enumerable.Range(0, Uploaders).Select(_ => UploadAndLeaveAsync(redis.EndPoint, value)));
        Assert.True(await Polling.Eventually(async () => await RedisProcess.ConnectedClientsAsync(probe) == 1), "the uploaders are still connected");

        var after = 0L;
        Assert.True(await Polling.Eventually(() => (after = redis.ResidentBytes()) <= 2 * before, TimeSpan.FromSeconds(5)),
            $"VmRSS {after >> 20} MB after the uploads, {before >> 20} MB before");
    }

    private static async Task UploadAndLeaveAsync(IPEndPoint endPoint, byte[] value)
    {
        using var client = await TestClient.ConnectAsync(endPoint);
        await client.SendAsync(Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${DeclaredBytes}\r\n"));
        await client.SendAsync(value);
    }
}
