using System.Net;
using System.Net.Sockets;
using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>MIGRATE to a real redis-server and to another loop-redis, and its replies beside redis-server's; RESTORE-ASKING.</summary>
public sealed class MigrateTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task MIGRATE_moves_every_type_to_a_real_redis_and_COPY_copies_to_another_loop_redis(Backend backend)
    {
        await using var source = await InProcessRedis.StartAsync(backend);
        await using var real = await RealRedis.StartAsync();
        await using var other = await InProcessRedis.StartAsync(backend);
        using var client = new RespClient(await source.ConnectAsync());
        await RedisContent.RunAsync(client, RedisContent.Fill);
        Assert.Equal(1L, await client.CallAsync("PEXPIRE", "s:text", "600000"));
        var before = await RedisContent.ReadAllAsync(client);

        string[] toOther = ["MIGRATE", "127.0.0.1", other.EndPoint.Port.ToString(), "", "3", "5000", "COPY", "KEYS", .. RedisContent.Keys];
        Assert.Equal("OK", await client.CallAsync(toOther));
        using (var otherClient = new RespClient(await other.ConnectAsync()))
        {
            await otherClient.CallAsync("SELECT", "3");
            await SameAsync(before, otherClient);
        }
        Assert.Equal(before, await RedisContent.ReadAllAsync(client));

        string[] toReal = ["MIGRATE", "127.0.0.1", real.EndPoint.Port.ToString(), "", "0", "5000", "KEYS", .. RedisContent.Keys, "missing"];
        Assert.Equal("OK", await client.CallAsync(toReal));
        Assert.Equal(0L, await client.CallAsync("DBSIZE"));
        using var realClient = await real.ConnectAsync();
        await SameAsync(before, realClient);
        Assert.Equal("NOKEY", await client.CallAsync(toReal));
    }

    [Fact]
    public async Task MIGRATE_answers_and_fails_as_redis()
    {
        await using var target = await RealRedis.StartAsync();
        var (host, port) = ("127.0.0.1", target.EndPoint.Port.ToString());
        // A target that takes connections (the kernel completes them) but never answers: the read times out.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var silentPort = ((IPEndPoint)silent.LocalEndpoint).Port.ToString();
        string[][] script =
        [
            ["SET", "k", "v"], ["MIGRATE", host, port, "k", "0", "1000", "COPY", "REPLACE"], ["MIGRATE", host, port, "k", "0", "1000", "COPY"],
            ["MIGRATE", host, port, "missing", "0", "1000"], ["MIGRATE", host, port, "k", "0", "1000", "KEYS", "a"],
            ["MIGRATE", host, port, "", "0", "1000", "FOO"], ["MIGRATE", host, port, "k", "0", "1000", "AUTH"], ["MIGRATE", host, port, "k", "x", "1000"],
            ["MIGRATE", host, port, "k", "0", "x"], ["MIGRATE", host, port, "k", "0", "1000", "COPY", "REPLACE", "AUTH", "pw"],
            ["MIGRATE", host, port, "k", "0", "1000", "COPY", "REPLACE", "AUTH2", "user", "pw"],
            ["MIGRATE", host, port, "k", "99", "1000", "COPY", "REPLACE"], ["MIGRATE", host, ClosedPort(), "k", "0", "1000", "COPY"],
            ["MIGRATE", host, silentPort, "k", "0", "200"], ["EXISTS", "k"],
            ["SET", "j", "w", "PX", "100000"], ["MIGRATE", host, port, "", "4", "0", "REPLACE", "KEYS", "k", "missing", "j"], ["EXISTS", "k", "j"],
            ["COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "5", "KEYS", "a", "b"], ["COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "5"],
            ["COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "5", "AUTH", "KEYS", "KEYS", "a"],
            ["SET", "src", "value"], ["DUMP", "src"],
        ];
        await SameAsRealRedis.RepliesAsync(script);
        using var targetClient = await target.ConnectAsync();
        await targetClient.CallAsync("SELECT", "4");
        Assert.Equal(["v", "w"], Assert.IsType<object?[]>(await targetClient.CallAsync("MGET", "k", "j")));
    }

    [Fact]
    public async Task RESTORE_ASKING_is_RESTORE()
    {
        await using var redis = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = new RespClient(await redis.ConnectAsync());
        await client.CallAsync("RPUSH", "l", "a", "b");
        var payload = (string)(await client.CallAsync("DUMP", "l"))!;
        Assert.Equal("OK", await client.CallAsync("RESTORE-ASKING", "copy", "0", payload));
        Assert.Equal(["a", "b"], Assert.IsType<object?[]>(await client.CallAsync("LRANGE", "copy", "0", "-1")));
        Assert.Equal(new RespError("BUSYKEY Target key name already exists."), await client.CallAsync("RESTORE-ASKING", "copy", "0", payload));
    }

    // MIGRATE sends a TTL, as Redis does: the deadline there is the one here give or take the time the exchange took.
    private static async Task SameAsync(string[] before, RespClient target)
    {
        var after = await RedisContent.ReadAllAsync(target);
        Assert.Equal(before.Select(WithoutDeadline), after.Select(WithoutDeadline));
        var (sent, got) = (Deadline(before[0]), Deadline(after[0]));
        Assert.InRange(got, sent - 10_000, sent + 10_000);
    }

    private static string WithoutDeadline(string line) => System.Text.RegularExpressions.Regex.Replace(line, @"expires \d+$", "expires (deadline)");

    private static long Deadline(string line) => long.Parse(line[(line.LastIndexOf(' ') + 1)..]);

    private static string ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port.ToString();
    }
}
