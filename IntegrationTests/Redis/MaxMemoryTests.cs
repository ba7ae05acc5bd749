using System.Globalization;
using Loop.IntegrationTests.Hardening;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// maxmemory and the eviction policies, in loop-redis's own process as it is deployed (a 16 MB gen0 budget), so that its
/// heap is its own: a limit set some way above the heap as it is (the .NET heap has a baseline), then keys written well
/// past it.
/// </summary>
public sealed class MaxMemoryTests
{
    private static readonly RespError OutOfMemory = new("OOM command not allowed when used memory > 'maxmemory'.");
    private const long Headroom = 48L * 1024 * 1024;
    private const int Batch = 4000;
    private static readonly string Value = new('v', 1000);

    [Theory]
    [InlineData("allkeys-lru")]
    [InlineData("allkeys-lfu")]
    [InlineData("allkeys-random")]
    public async Task Allkeys_policies_evict_and_never_refuse(string policy)
    {
        await using var redis = await StartAsync();
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        using var subscriber = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "notify-keyspace-events", "Ee"));
        Assert.Equal(new object?[] { "subscribe", "__keyevent@0__:evicted", 1L }, await subscriber.CallAsync("SUBSCRIBE", "__keyevent@0__:evicted"));
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory-policy", policy));
        await LimitAboveUsedAsync(c);
        const int rounds = 30; // 30 × 4000 keys of 1 KB: more than twice the headroom
        for (var round = 0; round < rounds; round++) { await FillAsync(c, $"k{round}:", Batch); }
        var evicted = await InfoAsync(c, "stats", "evicted_keys");
        var keys = (long)(await c.CallAsync("DBSIZE"))!;
        Assert.True(evicted > 0, $"nothing evicted under {policy}");
        Assert.Equal(rounds * Batch, keys + evicted);
        Assert.True(keys * Value.Length < 2 * Headroom, $"{keys} keys kept under {policy}");
        var notified = Assert.IsType<object?[]>(await subscriber.ReadAsync());
        Assert.Equal("__keyevent@0__:evicted", notified[1]);
        Assert.Equal(0L, await c.CallAsync("EXISTS", (string)notified[2]!));
    }

    [Fact]
    public async Task Allkeys_lru_keeps_the_keys_read_between_fills()
    {
        await using var redis = await StartAsync();
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"));
        await FillAsync(c, "hot:", 100);
        await LimitAboveUsedAsync(c);
        for (var round = 0; round < 30; round++)
        {
            await FillAsync(c, $"cold{round}:", Batch);
            for (var i = 0; i < 100; i++) { c.Queue("GET", $"hot:{i}"); }
            await c.FlushAsync();
            for (var i = 0; i < 100; i++) { Assert.Equal(Value, await c.ReadAsync()); }
        }
        Assert.True(await InfoAsync(c, "stats", "evicted_keys") > 0);
    }

    [Fact]
    public async Task Volatile_policies_evict_only_keys_with_a_ttl_then_refuse()
    {
        await using var redis = await StartAsync();
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        foreach (var policy in new[] { "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl" })
        {
            Assert.Equal("OK", await c.CallAsync("FLUSHALL"));
            Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory", "0"));
            Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory-policy", policy));
            Assert.Equal("OK", await c.CallAsync("CONFIG", "RESETSTAT"));
            await FillAsync(c, "ttl:", 1000, "EX", "100000");
            await LimitAboveUsedAsync(c);
            var written = await FillUntilRefusedAsync(c, "plain:");
            // Refused: nothing was left to evict, so every key with a TTL went, and only those.
            Assert.Equal(1000L, await InfoAsync(c, "stats", "evicted_keys"));
            Assert.Equal((long)written, await c.CallAsync("DBSIZE"));
            Assert.Equal(Value, await c.CallAsync("GET", "plain:0"));
        }
    }

    [Fact]
    public async Task Noeviction_refuses_writes_that_grow_memory_but_serves_reads_and_deletes()
    {
        await using var redis = await StartAsync();
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await LimitAboveUsedAsync(c);
        var written = await FillUntilRefusedAsync(c, "k:");
        Assert.Equal(Value, await c.CallAsync("GET", "k:0"));
        Assert.Equal(1L, await c.CallAsync("DEL", "k:0"));
        Assert.Equal((long)written - 1, await c.CallAsync("DBSIZE"));
        Assert.Equal(0L, await InfoAsync(c, "stats", "evicted_keys"));
        var errors = (string)(await c.CallAsync("INFO", "errorstats"))!;
        Assert.Contains("errorstat_OOM:count=", errors);
        var commands = (string)(await c.CallAsync("INFO", "commandstats"))!;
        Assert.Matches("cmdstat_set:calls=[0-9]+,usec=[0-9]+,usec_per_call=[0-9.]+,rejected_calls=[1-9]", commands);
    }

    [Fact]
    public async Task Maxmemory_0_stops_evicting()
    {
        await using var redis = await StartAsync();
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory-policy", "allkeys-random"));
        await LimitAboveUsedAsync(c);
        for (var round = 0; round < 20; round++) { await FillAsync(c, $"a{round}:", Batch); }
        var evicted = await InfoAsync(c, "stats", "evicted_keys");
        Assert.True(evicted > 0);
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory", "0"));
        var keys = (long)(await c.CallAsync("DBSIZE"))!;
        for (var round = 0; round < 20; round++) { await FillAsync(c, $"b{round}:", Batch); }
        Assert.Equal(evicted, await InfoAsync(c, "stats", "evicted_keys"));
        Assert.Equal(keys + 20 * Batch, await c.CallAsync("DBSIZE"));
    }

    [Fact]
    public async Task A_maxmemory_set_under_what_is_used_evicts_at_once_as_redis_does()
    {
        await using var redis = await StartAsync();
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        using var subscriber = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "notify-keyspace-events", "Ee"));
        Assert.Equal(new object?[] { "psubscribe", "*", 1L }, await subscriber.CallAsync("PSUBSCRIBE", "*"));
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"));
        Assert.Equal("OK", await c.CallAsync("SET", "foo", "bar"));
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory", "1"));
        Assert.Equal(new object?[] { "pmessage", "*", "__keyevent@0__:evicted", "foo" }, await subscriber.ReadAsync());
        Assert.Equal((0L, 1L), ((long)(await c.CallAsync("DBSIZE"))!, await InfoAsync(c, "stats", "evicted_keys")));
    }

    private static Task<RedisProcess> StartAsync(params string[] args) =>
        RedisProcess.StartServingAsync(["--port", "0", "--save", "", .. args], limits: "export DOTNET_GCgen0size=0x1000000");

    [Fact]
    public async Task Each_eviction_is_logged_to_the_append_only_file_as_a_del()
    {
        await using var redis = await StartAsync("--appendonly", "yes", "--auto-aof-rewrite-percentage", "0");
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory-policy", "allkeys-random"));
        await LimitAboveUsedAsync(c);
        for (var round = 0; round < 20; round++) { await FillAsync(c, $"k{round}:", Batch); }
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory", "0"));
        // A logged write's reply leaves once the log has it, and the evictions' DELs before it.
        await FillAsync(c, "last", 1);
        var evicted = await InfoAsync(c, "stats", "evicted_keys");
        Assert.True(evicted > 0);
        var log = await File.ReadAllTextAsync(Path.Combine(redis.Directory, "appendonlydir", "appendonly.aof.1.incr.aof"));
        var deletes = log.Split("*2\r\n$3\r\nDEL\r\n").Skip(1).Select(rest => rest.Split("\r\n")[1]).ToList();
        Assert.Equal(evicted, deletes.Count);
        Assert.Equal(deletes.Count, deletes.Distinct().Count());
        Assert.Equal(0L, await c.CallAsync("EXISTS", deletes[0]));
        Assert.Equal(20 * Batch + 1 - evicted, await c.CallAsync("DBSIZE"));
    }

    // maxmemory set the headroom above what INFO reports now.
    private static async Task LimitAboveUsedAsync(RespClient c)
    {
        var limit = await InfoAsync(c, "memory", "used_memory") + Headroom;
        Assert.Equal("OK", await c.CallAsync("CONFIG", "SET", "maxmemory", limit.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(limit, await InfoAsync(c, "memory", "maxmemory"));
    }

    // Sets prefix0 .. prefix(count-1) to a 1 KB value, pipelined: every reply must be OK.
    private static async Task FillAsync(RespClient c, string prefix, int count, params string[] options)
    {
        for (var i = 0; i < count; i++) { c.Queue(["SET", $"{prefix}{i}", Value, .. options]); }
        await c.FlushAsync();
        for (var i = 0; i < count; i++) { Assert.Equal("OK", await c.ReadAsync()); }
    }

    // Sets prefix0, prefix1, ... one batch at a time until the server answers OOM (within a gigabyte of values): every
    // reply is OK or OOM (after the first OOM a collection may make room again). Returns how many were set.
    private static async Task<int> FillUntilRefusedAsync(RespClient c, string prefix)
    {
        var set = 0;
        for (var batch = 0; batch < 250; batch++)
        {
            for (var i = 0; i < Batch; i++) { c.Queue("SET", $"{prefix}{batch * Batch + i}", Value); }
            await c.FlushAsync();
            var refused = false;
            for (var i = 0; i < Batch; i++)
            {
                var reply = await c.ReadAsync();
                if (reply is "OK") { set++; continue; }
                Assert.Equal(OutOfMemory, reply);
                refused = true;
            }
            if (refused) { return set; }
        }
        throw new InvalidOperationException("never refused");
    }

    private static async Task<long> InfoAsync(RespClient c, string section, string field)
    {
        var info = (string)(await c.CallAsync("INFO", section))!;
        var line = info.Split("\r\n").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
