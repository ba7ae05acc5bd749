using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>INFO lists the fields redis-server 7.0 lists, in its order: monitoring tools read them by name.</summary>
public sealed class InfoFieldsTests
{
    [Fact]
    public async Task The_server_section_has_redis_servers_fields_in_its_order()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        using var ourClient = new RespClient(await ours.ConnectAsync());
        using var theirClient = await real.ConnectAsync();
        Assert.Equal(await NamesAsync(theirClient, "server"), await NamesAsync(ourClient, "server"));
        var fields = await FieldsAsync(ourClient, "server");
        Assert.Matches("^[0-9a-f]{40}$", fields["run_id"]);
        Assert.StartsWith($"{(await FieldsAsync(theirClient, "server"))["os"].Split(' ')[0]} ", fields["os"]);
    }

    // Redis 7.0's stats this server does not count (docs/redis-compatibility.md says why).
    private static readonly string[] StatsNotKept =
    [
        "total_net_repl_output_bytes", "instantaneous_output_repl_kbps", "expired_stale_perc", "expired_time_cap_reached_count",
        "expire_cycle_cpu_milliseconds", "evicted_clients", "total_eviction_exceeded_time", "current_eviction_exceeded_time",
        "dump_payload_sanitizations", "total_reads_processed", "total_writes_processed", "reply_buffer_shrinks", "reply_buffer_expands",
    ];

    [Fact]
    public async Task The_stats_section_has_redis_servers_fields_in_its_order_but_those_not_kept()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        using var ourClient = new RespClient(await ours.ConnectAsync());
        using var theirClient = await real.ConnectAsync();
        var (theirs, mine) = (await NamesAsync(theirClient, "stats"), await NamesAsync(ourClient, "stats"));
        Assert.Equal(theirs.Except(StatsNotKept), mine.Intersect(theirs));
    }

    // Redis 7.0's memory fields of its allocator and its own accounting, not kept here (docs/redis-compatibility.md).
    private static readonly string[] MemoryNotKept =
    [
        "used_memory_overhead", "used_memory_startup", "used_memory_dataset", "used_memory_dataset_perc", "allocator_allocated",
        "allocator_active", "allocator_resident", "used_memory_lua", "used_memory_vm_eval", "used_memory_lua_human",
        "used_memory_scripts_eval", "used_memory_vm_functions", "used_memory_vm_total", "used_memory_vm_total_human",
        "used_memory_functions", "used_memory_scripts", "used_memory_scripts_human", "allocator_frag_ratio", "allocator_frag_bytes",
        "allocator_rss_ratio", "allocator_rss_bytes", "rss_overhead_ratio", "rss_overhead_bytes", "mem_replication_backlog",
        "mem_total_replication_buffers", "mem_clients_slaves", "mem_clients_normal", "mem_aof_buffer", "lazyfreed_objects",
    ];

    [Fact]
    public async Task The_clients_section_has_redis_servers_fields_in_its_order_but_the_timeout_table()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        using var ourClient = new RespClient(await ours.ConnectAsync());
        using var theirClient = await real.ConnectAsync();
        var (theirs, mine) = (await NamesAsync(theirClient, "clients"), await NamesAsync(ourClient, "clients"));
        Assert.Equal(theirs.Except(["clients_in_timeout_table"]), mine);
    }

    [Fact]
    public async Task The_memory_section_has_redis_servers_fields_in_its_order_but_those_not_kept()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        using var ourClient = new RespClient(await ours.ConnectAsync());
        using var theirClient = await real.ConnectAsync();
        var (theirs, mine) = (await NamesAsync(theirClient, "memory"), await NamesAsync(ourClient, "memory"));
        Assert.Equal(theirs.Except(MemoryNotKept), mine.Intersect(theirs));
        Assert.Equal("e0e1f9fabfc9d4800c877a703b823ac0578ff8db", await ourClient.CallAsync("SCRIPT", "LOAD", "return 1"));
        var fields = await FieldsAsync(ourClient, "memory");
        Assert.Equal("1", fields["number_of_cached_scripts"]);
        Assert.True(long.Parse(fields["used_memory_peak"]) >= long.Parse(fields["used_memory"]));
    }

    [Fact]
    public async Task Stats_count_the_traffic_its_rate_the_subscriptions_and_the_clients_past_maxclients()
    {
        await using var redis = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = new RespClient(await redis.ConnectAsync());
        Assert.Equal("OK", await client.CallAsync("CONFIG", "RESETSTAT"));
        var before = await FieldsAsync(client, "stats");
        const int count = 2000;
        for (var i = 0; i < count; i++) { client.Queue("SET", "k", "v"); } // 27 bytes each, +OK (5) back
        await client.FlushAsync();
        for (var i = 0; i < count; i++) { await client.ReadAsync(); }
        var after = await FieldsAsync(client, "stats");
        Assert.InRange(long.Parse(after["total_net_input_bytes"]) - long.Parse(before["total_net_input_bytes"]), count * 27, count * 27 + 200);
        Assert.InRange(long.Parse(after["total_net_output_bytes"]) - long.Parse(before["total_net_output_bytes"]), count * 5, count * 5 + 2000);
        await Eventually.HoldsAsync(async () => long.Parse((await FieldsAsync(client, "stats"))["instantaneous_ops_per_sec"]) > 0, "a rate");

        using var subscriber = await redis.ConnectAsync();
        await subscriber.SendAsync(RespSocket.Encode("SUBSCRIBE", "a", "b") + RespSocket.Encode("PSUBSCRIBE", "p*"));
        await subscriber.ReadReplyAsync();
        await subscriber.ReadReplyAsync();
        await subscriber.ReadReplyAsync();
        var subscribed = await FieldsAsync(client, "stats");
        Assert.Equal(("2", "1", "0"), (subscribed["pubsub_channels"], subscribed["pubsub_patterns"], subscribed["pubsubshard_channels"]));

        Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "maxclients", "2")); // this client and the subscriber
        using var refused = await redis.ConnectAsync();
        Assert.Equal("-ERR max number of clients reached\r\n", await refused.ReadToEndAsync());
        Assert.Equal("1", (await FieldsAsync(client, "stats"))["rejected_connections"]);
    }

    private static async Task<string[]> NamesAsync(RespClient client, string section) => [.. (await FieldsAsync(client, section)).Keys];

    private static async Task<Dictionary<string, string>> FieldsAsync(RespClient client, string section) =>
        ((string)(await client.CallAsync("INFO", section))!).Split("\r\n").Where(line => line.Contains(':'))
            .ToDictionary(line => line[..line.IndexOf(':')], line => line[(line.IndexOf(':') + 1)..]);
}
