using System.Text;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>The wire as redis-cli, telnet and hand-written clients see it.</summary>
public sealed class RawProtocolTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Inline_commands_are_split_at_spaces_with_quotes_and_escapes(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+PONG\r\n", await client.InlineAsync("PING"));
        Assert.Equal("+OK\r\n", await client.InlineAsync("SET k \"a b\""));
        Assert.Equal("$3\r\na b\r\n", await client.InlineAsync("GET k"));
        Assert.Equal("+OK\r\n", await client.InlineAsync(@"SET k2 ""\x41\n"" "));
        Assert.Equal("$2\r\nA\n\r\n", await client.CommandAsync("GET", "k2"));
        Assert.Equal("$4\r\nit's\r\n", await client.InlineAsync(@"ECHO 'it\'s'"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_thousand_commands_in_one_write_are_answered_in_order(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        var requests = new StringBuilder();
        for (var i = 0; i < 1000; i++) { requests.Append(i % 2 == 0 ? RespSocket.Encode("ECHO", $"m{i}") : "INCR n\r\n"); }
        await client.SendAsync(requests.ToString());
        for (var i = 0; i < 1000; i++)
        {
            var expected = i % 2 == 0 ? $"${$"m{i}".Length}\r\nm{i}\r\n" : $":{(i + 1) / 2}\r\n";
            Assert.Equal(expected, await client.ReadReplyAsync());
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_protocol_error_is_answered_after_the_commands_before_it_then_the_connection_closes(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var bystander = await redis.ConnectAsync();
        var cases = new Dictionary<string, string>
        {
            ["*1\r\nxyz\r\n"] = "Protocol error: expected '$', got 'x'",
            ["*abc\r\n"] = "Protocol error: invalid multibulk length",
            ["*1\r\n$-5\r\n"] = "Protocol error: invalid bulk length",
            ["*+1\r\n$4\r\nPING\r\n"] = "Protocol error: invalid multibulk length",
            ["*1\r\n$+4\r\nPING\r\n"] = "Protocol error: invalid bulk length",
            ["SET k \"open\r\n"] = "Protocol error: unbalanced quotes in request",
        };
        foreach (var (request, error) in cases)
        {
            using var client = await redis.ConnectAsync();
            await client.SendAsync("PING\r\n" + request + "PING\r\n");
            Assert.Equal($"+PONG\r\n-ERR {error}\r\n", await client.ReadReplyAsync() + await client.ReadReplyAsync());
            Assert.Equal("", await client.ReadToEndAsync());
        }
        Assert.Equal("+PONG\r\n", await bystander.InlineAsync("PING"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_command_of_100k_arguments_written_in_16KB_pieces_runs_once_with_all_of_them(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        var command = RespSocket.Encode(["RPUSH", "k", .. Enumerable.Range(0, 100_000).Select(i => $"v{i}")]);
        // The server parses it across many receives, each resuming where the one before stopped.
        const int Piece = 16 * 1024;
        for (var at = 0; at < command.Length; at += Piece) { await client.SendAsync(command.Substring(at, Math.Min(Piece, command.Length - at))); }
        Assert.Equal(":100000\r\n", await client.ReadReplyAsync());
        Assert.Equal("$2\r\nv0\r\n", await client.CommandAsync("LINDEX", "k", "0"));
        Assert.Equal("$6\r\nv99999\r\n", await client.CommandAsync("LINDEX", "k", "-1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Unknown_commands_and_wrong_arity_are_worded_as_redis_words_them(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("-ERR unknown command 'FOO', with args beginning with: 'a' 'b c' \r\n", await client.CommandAsync("FOO", "a", "b c"));
        Assert.Equal("-ERR unknown command 'nope', with args beginning with: \r\n", await client.InlineAsync("nope"));
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", await client.CommandAsync("GET"));
        Assert.Equal("-ERR wrong number of arguments for 'set' command\r\n", await client.InlineAsync("SeT k"));
        Assert.Equal("-ERR wrong number of arguments for 'ping' command\r\n", await client.InlineAsync("PING a b"));
        Assert.Equal("+PONG\r\n", await client.InlineAsync("ping"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_bulk_longer_than_proto_max_bulk_len_is_refused_and_the_connection_closed(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, maxBulk: 1024);
        using var client = await redis.ConnectAsync();
        var largest = new string('x', 1024);
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "k", largest));
        Assert.Equal($"$1024\r\n{largest}\r\n", await client.CommandAsync("GET", "k"));
        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n", await client.CommandAsync("SET", "k", largest + "x"));
        Assert.Equal("", await client.ReadToEndAsync());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Client_info_and_client_list_name_each_clients_address(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var first = await redis.ConnectAsync();
        using var second = await redis.ConnectAsync();
        Assert.Contains($" addr={first.LocalEndPoint} laddr=127.0.0.1:", await first.CommandAsync("CLIENT", "INFO"));
        var list = await second.CommandAsync("CLIENT", "LIST");
        Assert.Contains($" addr={first.LocalEndPoint} ", list);
        Assert.Contains($" addr={second.LocalEndPoint} ", list);
    }

    public static TheoryData<Backend, string, string> RandomPicks()
    {
        var data = new TheoryData<Backend, string, string>();
        foreach (var backend in Backends.Concrete)
        {
            data.Add(backend, "SADD k a b", "SRANDMEMBER");
            data.Add(backend, "HSET k a 1 b 2", "HRANDFIELD");
            data.Add(backend, "ZADD k 1 a 2 b", "ZRANDMEMBER");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(RandomPicks))]
    public async Task A_random_pick_of_two_billion_stops_at_the_output_limit_and_closes_only_its_connection(Backend backend, string fill, string pick)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, maxOutputBytes: 1024 * 1024);
        using var victim = await redis.ConnectAsync();
        using var bystander = await redis.ConnectAsync();
        Assert.Equal(":2\r\n", await victim.InlineAsync(fill));
        Assert.StartsWith("*3\r\n", await victim.CommandAsync(pick, "k", "-3"));
        await victim.SendAsync(RespSocket.Encode(pick, "k", "-2147483647"));
        // Without the limit the reply would be gigabytes and the connection stay open past the socket's lifetime.
        await victim.DrainUntilClosedAsync();
        Assert.Equal("+PONG\r\n", await bystander.CommandAsync("PING"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Select_switches_between_sixteen_databases_and_refuses_others(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "k", "zero"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("SELECT", "15"));
        Assert.Equal("$-1\r\n", await client.CommandAsync("GET", "k"));
        Assert.Equal("-ERR DB index is out of range\r\n", await client.CommandAsync("SELECT", "16"));
        Assert.Equal("-ERR DB index is out of range\r\n", await client.CommandAsync("SELECT", "-1"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", await client.CommandAsync("SELECT", "one"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("SELECT", "0"));
        Assert.Equal("$4\r\nzero\r\n", await client.CommandAsync("GET", "k"));
    }
}
