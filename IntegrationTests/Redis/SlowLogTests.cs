using System.Text.RegularExpressions;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>SLOWLOG and its two settings: what is logged, how it is shortened, and that every loop logs to one log.</summary>
public sealed partial class SlowLogTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Commands_as_slow_as_the_threshold_are_logged_newest_first_from_every_loop(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var clients = await redis.ConnectClientsOverLoopsAsync(redis.Server.Loops.Count);
        Assert.Equal("OK", await clients[0].CallAsync("CONFIG", "SET", "slowlog-log-slower-than", "0"));
        Assert.Equal("OK", await clients[0].CallAsync("CLIENT", "SETNAME", "first"));
        Assert.Equal("OK", await clients[0].CallAsync("SLOWLOG", "RESET"));
        for (var i = 0; i < clients.Length; i++) { await clients[i].CallAsync("SET", $"key{i}", "v"); }

        var entries = (object?[])(await clients[^1].CallAsync("SLOWLOG", "GET"))!;
        // Newest first: each client's SET, then SLOWLOG RESET, which ran after the log was emptied.
        Assert.Equal(clients.Length + 1, entries.Length);
        Assert.Equal(entries.Length + 1L, await clients[0].CallAsync("SLOWLOG", "LEN")); // and SLOWLOG GET
        for (var i = 0; i < clients.Length; i++)
        {
            var entry = (object?[])entries[clients.Length - 1 - i]!;
            Assert.Equal(new object[] { "SET", $"key{i}", "v" }, entry[3]);
            Assert.Equal(await Address(clients[i]), entry[4]);
            Assert.Equal(i == 0 ? "first" : "", entry[5]);
        }
        var ids = entries.Select(e => (long)((object?[])e!)[0]!).ToArray();
        Assert.Equal(ids.OrderDescending(), ids);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Thresholds_and_length_decide_what_is_kept(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = new RespClient(await redis.ConnectAsync());
        await client.CallAsync("PING"); // the default threshold, 10 ms, is far above a PING
        Assert.Equal(0L, await client.CallAsync("SLOWLOG", "LEN"));

        await client.CallAsync("CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "3");
        for (var i = 0; i < 5; i++) { await client.CallAsync("PING"); }
        Assert.Equal(3L, await client.CallAsync("SLOWLOG", "LEN"));
        Assert.Single((object?[])(await client.CallAsync("SLOWLOG", "GET", "1"))!);

        await client.CallAsync("CONFIG", "SET", "slowlog-log-slower-than", "-1");
        Assert.Equal("OK", await client.CallAsync("SLOWLOG", "RESET"));
        await client.CallAsync("PING");
        Assert.Equal(0L, await client.CallAsync("SLOWLOG", "LEN"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_blocked_command_is_logged_when_its_wait_ends_not_when_it_blocks(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var clients = await redis.ConnectClientsOverLoopsAsync(2);
        var (waiter, other) = (clients[0], clients[1]);
        await other.CallAsync("CONFIG", "SET", "slowlog-log-slower-than", "0");
        var blpop = waiter.CallAsync("BLPOP", "list", "0");
        await ConcurrentClients.WaitForBlockedClientsAsync(other, 1);
        Assert.DoesNotContain(Commands(await other.CallAsync("SLOWLOG", "GET", "-1")), command => command == "BLPOP list 0");

        // Redis's own test (unit/slowlog): served by a push in EXEC that also empties the log, the BLPOP is the newest entry.
        await other.CallAsync("MULTI");
        await other.CallAsync("LPUSH", "list", "foo");
        await other.CallAsync("SLOWLOG", "RESET");
        await other.CallAsync("EXEC");
        Assert.Equal(new object[] { "list", "foo" }, await blpop);
        Assert.Equal("BLPOP list 0", Commands(await other.CallAsync("SLOWLOG", "GET", "1")).Single());
    }

    [Fact]
    public Task Entries_help_and_errors_read_as_redis_servers_do() => SameAsRealRedis.RepliesAsync(
        [
            ["CONFIG", "SET", "slowlog-log-slower-than", "0"], ["SLOWLOG", "RESET"], ["CLIENT", "SETNAME", "me"],
            ["SET", "long", new string('x', 200)], ["RPUSH", "many", .. Enumerable.Range(0, 40).Select(i => $"{i}")],
            ["AUTH", "secret"], ["CONFIG", "SET", "masterauth", "secret", "hz", "10", "MASTERUSER", "me"], ["CONFIG", "SET", "masterauth", "x", "hz"],
            ["MULTI"], ["INCR", "n"], ["EXEC"],
            ["SLOWLOG", "GET", "-1"], ["SLOWLOG", "GET", "-2"], ["SLOWLOG", "GET", "x"], ["SLOWLOG", "GET", "1", "2"],
            ["SLOWLOG", "LEN", "1"], ["SLOWLOG", "NOPE"], ["SLOWLOG", "HELP"],
            ["CONFIG", "SET", "slowlog-log-slower-than", "-2"], ["CONFIG", "SET", "slowlog-max-len", "-1"],
            ["CONFIG", "SET", "slowlog-max-len", "x"], ["CONFIG", "GET", "slowlog-max-len"], ["CONFIG", "GET", "slowlog-log-slower-than"],
        ], Masked);

    // Each entry's arguments, joined by spaces.
    private static IEnumerable<string> Commands(object? entries) =>
        ((object?[])entries!).Select(entry => string.Join(' ', (object?[])((object?[])entry!)[3]!));

    private static async Task<string> Address(RespClient client) =>
        AddressField().Match((string)(await client.CallAsync("CLIENT", "INFO"))!).Groups[1].Value;

    // A reply as text, with what differs between servers and runs (ids, times, durations, ports) masked.
    private static string Masked(object? reply) => reply switch
    {
        object?[] items when items.Length == 6 && items[0] is long && items[3] is object?[] =>
            $"[id, time, duration, {Masked(items[3])}, {Port().Replace((string)items[4]!, ":port")}, {items[5]}]",
        object?[] items => $"[{string.Join(", ", items.Select(Masked))}]",
        _ => SameAsRealRedis.Show(reply),
    };

    [GeneratedRegex(@"addr=(\S+)")]
    private static partial Regex AddressField();

    [GeneratedRegex(@":\d+$")]
    private static partial Regex Port();
}
