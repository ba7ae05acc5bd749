using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>TTLs: setting, reading, changing and dropping them, and keys leaving when their time is up.</summary>
public sealed class ExpiryTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Set_with_ex_or_px_gives_a_ttl_that_ttl_and_pttl_report(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "k", "v", "EX", "100"));
        Assert.InRange(await IntegerAsync(client, "TTL", "k"), 99, 100);
        Assert.InRange(await IntegerAsync(client, "PTTL", "k"), 90_000, 100_000);
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "k", "v", "PX", "1500"));
        Assert.InRange(await IntegerAsync(client, "PTTL", "k"), 1, 1500);
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "k", "v"));
        Assert.Equal(-1, await IntegerAsync(client, "TTL", "k"));
        Assert.Equal(-2, await IntegerAsync(client, "TTL", "missing"));
        Assert.Equal(-2, await IntegerAsync(client, "PTTL", "missing"));
        Assert.Equal("-ERR invalid expire time in 'set' command\r\n", await client.CommandAsync("SET", "k", "v", "EX", "0"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Persist_removes_a_ttl_once(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("SETEX", "k", "100", "v"));
        Assert.Equal(":1\r\n", await client.CommandAsync("PERSIST", "k"));
        Assert.Equal(":-1\r\n", await client.CommandAsync("TTL", "k"));
        Assert.Equal(":0\r\n", await client.CommandAsync("PERSIST", "k"));
        Assert.Equal(":0\r\n", await client.CommandAsync("PERSIST", "missing"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Expire_options_nx_xx_gt_lt_decide_whether_the_ttl_changes(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal(":0\r\n", await client.CommandAsync("EXPIRE", "missing", "100"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "k", "v"));
        Assert.Equal(":0\r\n", await client.CommandAsync("EXPIRE", "k", "100", "XX"));
        Assert.Equal(":0\r\n", await client.CommandAsync("EXPIRE", "k", "100", "GT"));  // no TTL counts as infinite
        Assert.Equal(":1\r\n", await client.CommandAsync("EXPIRE", "k", "100", "NX"));
        Assert.Equal(":0\r\n", await client.CommandAsync("EXPIRE", "k", "500", "NX"));
        Assert.Equal(":0\r\n", await client.CommandAsync("EXPIRE", "k", "50", "GT"));
        Assert.Equal(":1\r\n", await client.CommandAsync("EXPIRE", "k", "200", "GT"));
        Assert.InRange(await IntegerAsync(client, "TTL", "k"), 199, 200);
        Assert.Equal(":0\r\n", await client.CommandAsync("EXPIRE", "k", "300", "LT"));
        Assert.Equal(":1\r\n", await client.CommandAsync("EXPIRE", "k", "20", "LT"));
        Assert.Equal(":1\r\n", await client.CommandAsync("EXPIRE", "k", "30", "XX"));
        Assert.InRange(await IntegerAsync(client, "TTL", "k"), 29, 30);
        Assert.Equal("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", await client.CommandAsync("EXPIRE", "k", "1", "NX", "XX"));
        Assert.Equal("-ERR GT and LT options at the same time are not compatible\r\n", await client.CommandAsync("EXPIRE", "k", "1", "GT", "LT"));
        Assert.Equal("-ERR Unsupported option FOO\r\n", await client.CommandAsync("EXPIRE", "k", "1", "FOO"));
        Assert.Equal(":1\r\n", await client.CommandAsync("EXPIRE", "k", "0"));
        Assert.Equal(":0\r\n", await client.CommandAsync("EXISTS", "k"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task An_expiry_however_far_in_the_past_deletes_the_key_and_only_an_overflow_is_refused(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        foreach (var (command, amount) in new[] { ("EXPIRE", long.MinValue / 1000), ("PEXPIRE", long.MinValue), ("PEXPIREAT", long.MinValue) })
        {
            Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "k", "v"));
            Assert.Equal(":1\r\n", await client.CommandAsync(command, "k", amount.ToString()));
            Assert.Equal(":0\r\n", await client.CommandAsync("EXISTS", "k"));
        }
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "k", "v"));
        Assert.Equal("-ERR invalid expire time in 'expire' command\r\n", await client.CommandAsync("EXPIRE", "k", long.MinValue.ToString()));
        Assert.Equal("-ERR invalid expire time in 'expireat' command\r\n", await client.CommandAsync("EXPIREAT", "k", long.MaxValue.ToString()));
        Assert.Equal(":1\r\n", await client.CommandAsync("EXISTS", "k"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_ttl_survives_rename(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "old", "v", "EX", "100"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("RENAME", "old", "new"));
        Assert.InRange(await IntegerAsync(client, "TTL", "new"), 99, 100);
        Assert.Equal(-2, await IntegerAsync(client, "TTL", "old"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Without_the_active_cycle_an_expired_key_is_held_until_touched_then_gone(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, activeExpiry: false);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "gone", "v", "PX", "100"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "kept", "v"));
        var deadline = await IntegerAsync(client, "PEXPIRETIME", "gone");
        await Eventually.HoldsAsync(async () => await ServerTimeMsAsync(client) > deadline, "the server's clock to pass the deadline");

        Assert.Equal(":2\r\n", await client.CommandAsync("DBSIZE"));
        Assert.Equal("$-1\r\n", await client.CommandAsync("GET", "gone"));
        Assert.Equal(":1\r\n", await client.CommandAsync("DBSIZE"));
        Assert.Contains("expired_keys:1\r\n", await client.CommandAsync("INFO", "stats"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_active_cycle_deletes_expired_keys_nobody_touches(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "a", "v", "PX", "50"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "b", "v", "PX", "50"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "c", "v"));
        // DBSIZE and INFO count keys without touching them, so only the cycle can bring the count down.
        await Eventually.HoldsAsync(async () => await client.CommandAsync("DBSIZE") == ":1\r\n", "the active cycle to delete both expired keys");
        Assert.Contains("db0:keys=1,expires=0,", await client.CommandAsync("INFO", "keyspace"));
        Assert.Contains("expired_keys:2\r\n", await client.CommandAsync("INFO", "stats"));
    }

    [Fact]
    public async Task The_active_cycle_estimates_the_keys_average_ttl_for_info_and_forgets_it_once_none_is_left()
    {
        await using var redis = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = await redis.ConnectAsync();
        for (var i = 0; i < 100; i++) { Assert.Equal("+OK\r\n", await client.CommandAsync("SET", $"k{i}", "v", "EX", "100")); }
        long AverageTtl(string keyspace) => long.Parse(System.Text.RegularExpressions.Regex.Match(keyspace, @"avg_ttl=(\d+)").Groups[1].Value);
        await Eventually.HoldsAsync(async () => AverageTtl(await client.CommandAsync("INFO", "keyspace")) is > 90_000 and <= 100_000,
            "an average TTL of about 100 s");
        string[] delete = ["DEL", .. Enumerable.Range(0, 100).Select(i => $"k{i}")];
        Assert.Equal(":100\r\n", await client.CommandAsync(delete));
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "plain", "v"));
        await Eventually.HoldsAsync(async () => AverageTtl(await client.CommandAsync("INFO", "keyspace")) == 0, "no average once no key has a TTL");
    }

    private static async Task<long> IntegerAsync(RespSocket client, params string[] command)
    {
        var reply = await client.CommandAsync(command);
        Assert.StartsWith(":", reply);
        return long.Parse(reply.AsSpan(1).TrimEnd("\r\n"));
    }

    // TIME answers seconds and microseconds as two bulk strings.
    private static async Task<long> ServerTimeMsAsync(RespSocket client)
    {
        var parts = (await client.CommandAsync("TIME")).Split("\r\n");
        return long.Parse(parts[2]) * 1000 + long.Parse(parts[4]) / 1000;
    }
}
