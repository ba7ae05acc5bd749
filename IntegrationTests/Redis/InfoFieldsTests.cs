using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>INFO lists the fields redis-server 7.0 lists, in its order: monitoring tools read them by name.</summary>
public sealed class InfoFieldsTests
{
    // Per section, Redis 7.0's fields this server does not keep (docs/redis-compatibility.md says why).
    private static readonly Dictionary<string, string[]> NotKept = new()
    {
        ["server"] = [],
        ["clients"] = ["clients_in_timeout_table"],
        ["memory"] =
        [
            "used_memory_overhead", "used_memory_startup", "used_memory_dataset", "used_memory_dataset_perc", "allocator_allocated",
            "allocator_active", "allocator_resident", "used_memory_lua", "used_memory_vm_eval", "used_memory_lua_human",
            "used_memory_scripts_eval", "used_memory_vm_functions", "used_memory_vm_total", "used_memory_vm_total_human",
            "used_memory_functions", "used_memory_scripts", "used_memory_scripts_human", "allocator_frag_ratio", "allocator_frag_bytes",
            "allocator_rss_ratio", "allocator_rss_bytes", "rss_overhead_ratio", "rss_overhead_bytes", "mem_replication_backlog",
            "mem_total_replication_buffers", "mem_clients_slaves", "mem_clients_normal", "mem_aof_buffer", "lazyfreed_objects",
        ],
        ["stats"] =
        [
            "total_net_repl_output_bytes", "instantaneous_output_repl_kbps", "expired_stale_perc", "expired_time_cap_reached_count",
            "expire_cycle_cpu_milliseconds", "evicted_clients", "total_eviction_exceeded_time", "current_eviction_exceeded_time",
            "dump_payload_sanitizations", "total_reads_processed", "total_writes_processed", "reply_buffer_shrinks", "reply_buffer_expands",
        ],
    };

    // Ours may add fields of its own (the collector's in memory, lock_contentions in stats), after Redis's.
    [Theory]
    [InlineData("server")]
    [InlineData("clients")]
    [InlineData("memory")]
    [InlineData("stats")]
    public async Task A_section_has_redis_servers_fields_in_its_order_but_those_not_kept(string section)
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        using var ourClient = new RespClient(await ours.ConnectAsync());
        using var theirClient = await real.ConnectAsync();
        var (theirs, mine) = (await NamesAsync(theirClient, section), await NamesAsync(ourClient, section));
        Assert.Equal(theirs.Except(NotKept[section]), mine.Intersect(theirs));
    }

    [Fact]
    public async Task Server_and_memory_fields_say_what_redis_servers_say()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        using var client = new RespClient(await ours.ConnectAsync());
        var server = await FieldsAsync(client, "server");
        Assert.Matches("^[0-9a-f]{40}$", server["run_id"]);
        Assert.Matches(@"^Linux \S+ (x86_64|aarch64)$", server["os"]);
        Assert.Equal("e0e1f9fabfc9d4800c877a703b823ac0578ff8db", await client.CallAsync("SCRIPT", "LOAD", "return 1"));
        var memory = await FieldsAsync(client, "memory");
        Assert.Equal("1", memory["number_of_cached_scripts"]);
        Assert.True(long.Parse(memory["used_memory_peak"]) >= long.Parse(memory["used_memory"]));
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
