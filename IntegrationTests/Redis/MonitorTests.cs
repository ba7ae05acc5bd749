using System.Text.RegularExpressions;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>MONITOR: every command of every client, on every loop, spelled and filtered as redis-server 7.0 does.</summary>
public sealed partial class MonitorTests
{
    // What a client runs while another monitors: quoting, databases, a transaction, passwords, and commands Redis
    // hides (admin ones, unknown ones, refused ones). QUIT ends it.
    private static readonly string[][] Script =
    [
        ["SET", "k", "a b\"\\\n\r\t\a\b\x01\u00ff"], ["GET", "k"], ["SELECT", "1"], ["SET", "x", "1"], ["SELECT", "0"],
        ["MULTI"], ["INCR", "n"], ["LPUSH", "l", "x"], ["MONITOR"], ["EXEC"], ["MULTI"], ["SET", "a", "1"], ["DISCARD"],
        ["AUTH", "pw"], ["AUTH", "default", "pw"], ["HELLO", "2", "AUTH", "default", "pw"], ["HELLO", "2"],
        ["CONFIG", "GET", "port"], ["DEBUG", "SLEEP", "0"], ["SLOWLOG", "GET"], ["LATENCY", "LATEST"], ["NOSUCH", "x"], ["GET"],
        ["PING"], ["CLIENT", "SETNAME", "x"], ["CLIENT", "ID"], ["CLIENT", "LIST"], ["CLIENT", "NO-EVICT", "off"], ["ACL", "WHOAMI"],
        ["ACL", "USERS"], ["ECHO", ""], ["EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "ek", "ev"],
        ["FUNCTION", "LOAD", "#!lua name=monlib\nredis.register_function('monf', function(keys) return redis.call('GET', keys[1]) end)"],
        ["FCALL", "monf", "1", "ek"], ["MIGRATE", "127.0.0.1", "1", "k", "0", "100", "AUTH", "secret"],
        ["MIGRATE", "127.0.0.1", "1", "", "0", "100", "AUTH2", "user", "secret", "KEYS", "k"], ["QUIT"],
    ];

    [Fact]
    public async Task A_monitor_sees_what_redis_shows_it()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var ourClient = await loop.ConnectAsync();
        var expected = await MonitorAsync(await RespSocket.ConnectAsync(redis.EndPoint), await RespSocket.ConnectAsync(redis.EndPoint),
            await RespSocket.ConnectAsync(redis.EndPoint));
        var actual = await MonitorAsync(await loop.ConnectOnAnotherLoopAsync(await loop.LoopOfAsync(ourClient)), ourClient, await loop.ConnectAsync());
        Assert.Equal(expected, actual);
        Assert.Contains("+<time> [0 <client>] \"AUTH\" \"(redacted)\" \"(redacted)\"", actual);
        Assert.Contains("+<time> [1 <client>] \"SET\" \"x\" \"1\"", actual);
        Assert.Contains("+<time> [0 lua] \"SET\" \"ek\" \"ev\"", actual); // after the EVAL that ran it
    }

    // What the monitor receives: the client's script, then its own commands (a second MONITOR, PING, a read, RESET),
    // then, after RESET, a command of another client that it must no longer see. Times and ports masked.
    private static async Task<List<string>> MonitorAsync(RespSocket monitor, RespSocket client, RespSocket other)
    {
        using (monitor)
        using (client)
        using (other)
        {
            Assert.Equal("+OK\r\n", await monitor.CommandAsync("MONITOR"));
            foreach (var command in Script) { await client.CommandAsync(command); }
            var seen = new List<string>();
            while (await monitor.ReadReplyAsync() is var line)
            {
                seen.Add(Masked(line));
                if (line.Contains("\"QUIT\"")) { break; }
            }
            await monitor.SendAsync(RespSocket.Encode("MONITOR") + RespSocket.Encode("PING")); // no reply to the second MONITOR
            seen.Add(Masked(await monitor.ReadReplyAsync()));
            seen.Add(Masked(await monitor.ReadReplyAsync()));
            seen.Add(await monitor.CommandAsync("GET", "k"));
            seen.Add(await monitor.CommandAsync("RESET"));
            Assert.Equal("+OK\r\n", await other.CommandAsync("SET", "after", "reset"));
            seen.Add(await monitor.CommandAsync("PING"));
            return seen;
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_monitor_sees_each_clients_commands_from_every_loop_in_order(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend);
        using var monitor = await server.ConnectOnLoopAsync(0);
        var clients = await server.ConnectClientsOverLoopsAsync(4);
        Assert.Equal("+OK\r\n", await monitor.CommandAsync("MONITOR")); // after the clients' CLIENT IDs that found their loops
        Assert.Contains(" flags=O ", (string)(await clients[1].CallAsync("CLIENT", "LIST"))!); // hidden from the monitor: admin
        const int count = 300;
        foreach (var client in clients)
        {
            for (var i = 0; i < count; i++) { client.Queue("INCR", "n"); }
        }
        await Task.WhenAll(clients.Select(c => c.FlushAsync()));
        foreach (var client in clients)
        {
            for (var i = 0; i < count; i++) { await client.ReadAsync(); }
        }
        Assert.Equal(count * clients.Length, (long)(await clients[0].CallAsync("GET", "n") is string n ? long.Parse(n) : 0));

        // Each client's INCRs arrive one after another, by its own port, interleaved with the others', and all of them
        // before the GET that followed them, whichever loop ran it.
        var perClient = new Dictionary<string, int>();
        for (var i = 0; i < count * clients.Length; i++)
        {
            var line = await monitor.ReadReplyAsync();
            var match = IncrLine().Match(line);
            Assert.True(match.Success, line);
            perClient[match.Groups[1].Value] = perClient.GetValueOrDefault(match.Groups[1].Value) + 1;
        }
        Assert.Equal(Enumerable.Repeat(count, clients.Length), perClient.Values);
        Assert.EndsWith("\"GET\" \"n\"\r\n", await monitor.ReadReplyAsync());
        foreach (var client in clients) { client.Dispose(); }
    }

    private static string Masked(string line) =>
        Prefix().Replace(line, match => $"+<time> [{match.Groups[1].Value} {(match.Groups[2].Value == "lua" ? "lua" : "<client>")}]").TrimEnd('\r', '\n');

    [GeneratedRegex(@"^\+\d{10}\.\d{6} \[(\d+) (127\.0\.0\.1:\d+|lua)\]")]
    private static partial Regex Prefix();

    [GeneratedRegex(@"^\+\d{10}\.\d{6} \[0 (127\.0\.0\.1:\d+)\] ""INCR"" ""n""\r\n$")]
    private static partial Regex IncrLine();
}
