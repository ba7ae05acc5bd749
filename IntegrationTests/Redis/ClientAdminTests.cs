using System.Text.RegularExpressions;
using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Redis.ConcurrentClients;

namespace Loop.IntegrationTests.Redis;

/// <summary>CLIENT REPLY, KILL, PAUSE/UNPAUSE, UNBLOCK and the idle field, with the clients acted on served by another loop.</summary>
public sealed class ClientAdminTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Replies_turned_off_or_skipped_are_not_sent(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        await client.SendAsync(RespSocket.Encode("CLIENT", "REPLY", "OFF") + RespSocket.Encode("SET", "a", "1") + RespSocket.Encode("GET", "nope") +
            RespSocket.Encode("CLIENT", "REPLY", "ON") + RespSocket.Encode("GET", "a"));
        Assert.Equal("+OK\r\n", await client.ReadReplyAsync());
        Assert.Equal("$1\r\n1\r\n", await client.ReadReplyAsync());

        await client.SendAsync(RespSocket.Encode("CLIENT", "REPLY", "SKIP") + RespSocket.Encode("SET", "b", "2") + RespSocket.Encode("GET", "b"));
        Assert.Equal("$1\r\n2\r\n", await client.ReadReplyAsync());
        Assert.Equal("-ERR syntax error\r\n", await client.CommandAsync("CLIENT", "REPLY", "MAYBE"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task LIST_shows_the_clients_of_a_type_or_of_the_ids_given(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var asking = new RespClient(await redis.ConnectAsync());
        var subscriber = await redis.ConnectClientOnAnotherLoopAsync(asking);
        var other = await redis.ConnectClientOnAnotherLoopAsync(asking);
        var (askingId, subscriberId, otherId) = ((long)(await asking.CallAsync("CLIENT", "ID"))!, (long)(await subscriber.CallAsync("CLIENT", "ID"))!,
            (long)(await other.CallAsync("CLIENT", "ID"))!);
        await subscriber.CallAsync("SUBSCRIBE", "news");

        Assert.Equal([subscriberId], Ids(await asking.CallAsync("CLIENT", "LIST", "TYPE", "pubsub")));
        Assert.Equal([askingId, otherId], Ids(await asking.CallAsync("CLIENT", "LIST", "TYPE", "NORMAL")));
        Assert.Empty(Ids(await asking.CallAsync("CLIENT", "LIST", "TYPE", "replica")));
        Assert.Equal([otherId, askingId], Ids(await asking.CallAsync("CLIENT", "LIST", "ID", $"{otherId}", "987654", $"{askingId}")));
        Assert.Equal(new RespError("ERR Unknown client type 'bogus'"), await asking.CallAsync("CLIENT", "LIST", "TYPE", "bogus"));
        Assert.Equal(new RespError("ERR Invalid client ID"), await asking.CallAsync("CLIENT", "LIST", "ID", "1", "x"));
        Assert.Equal(new RespError("ERR syntax error"), await asking.CallAsync("CLIENT", "LIST", "TYPE"));
        Assert.Equal(3, Ids(await asking.CallAsync("CLIENT", "LIST")).Length);

        static long[] Ids(object? list) => [.. Regex.Matches((string)list!, @"^id=(\d+) ", RegexOptions.Multiline).Select(m => long.Parse(m.Groups[1].Value))];
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task KILL_closes_the_clients_that_match_on_any_loop(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var killer = new RespClient(await redis.ConnectAsync());
        var victim = await redis.ConnectClientOnAnotherLoopAsync(killer);
        var victimId = (long)(await victim.CallAsync("CLIENT", "ID"))!;
        var killerId = (long)(await killer.CallAsync("CLIENT", "ID"))!;

        Assert.Equal(0L, await killer.CallAsync("CLIENT", "KILL", "ID", $"{killerId}")); // SKIPME yes
        Assert.Equal(1L, await killer.CallAsync("CLIENT", "KILL", "ID", $"{victimId}", "TYPE", "normal", "USER", "default"));
        await victim.Socket.DrainUntilClosedAsync();
        Assert.Equal(0L, await killer.CallAsync("CLIENT", "KILL", "ID", $"{victimId}"));

        var subscriber = await redis.ConnectClientOnAnotherLoopAsync(killer);
        var bystander = await redis.ConnectClientOnAnotherLoopAsync(killer);
        await subscriber.CallAsync("SUBSCRIBE", "news");
        Assert.Equal(1L, await killer.CallAsync("CLIENT", "KILL", "TYPE", "pubsub"));
        await subscriber.Socket.DrainUntilClosedAsync();
        Assert.Equal("OK", await killer.CallAsync("CLIENT", "KILL", await Field(bystander, "addr")));
        await bystander.Socket.DrainUntilClosedAsync();
        Assert.Equal(new RespError("ERR No such client"), await killer.CallAsync("CLIENT", "KILL", "127.0.0.1:1"));

        // Killing itself: after the reply. Every client has the same local address, so first the others must be gone: a
        // client sees its socket closed before the server, on another loop, has released its session.
        await Eventually.HoldsAsync(async () => ((string)(await killer.CallAsync("CLIENT", "LIST"))!).Trim().Split('\n').Length == 1,
            "the killed clients and those that probed for another loop to be released");
        Assert.Equal(":1\r\n", await killer.Socket.CommandAsync("CLIENT", "KILL", "LADDR", await Field(killer, "laddr"), "SKIPME", "no"));
        await killer.Socket.DrainUntilClosedAsync();
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_write_pause_holds_writes_on_every_loop_until_UNPAUSE(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var pauser = new RespClient(await redis.ConnectAsync());
        var writer = await redis.ConnectClientOnAnotherLoopAsync(pauser);
        var reader = await redis.ConnectClientOnAnotherLoopAsync(pauser);
        Assert.Equal("OK", await pauser.CallAsync("CLIENT", "PAUSE", "100000", "WRITE"));

        await writer.SendAsync("SET", "k", "v");
        await Eventually.HoldsAsync(() => Task.FromResult(redis.Redis.ClientPause.Waiting == 1), "the SET to wait");
        Assert.Contains("blocked_clients:1\r\n", (string)(await reader.CallAsync("INFO", "clients"))!); // as Redis counts a paused client
        Assert.Null(await reader.CallAsync("GET", "k")); // reads go on, the SET has not run
        Assert.Equal("OK", await pauser.CallAsync("CLIENT", "UNPAUSE"));
        Assert.Equal("OK", await writer.ReadAsync());
        Assert.Equal("v", await reader.CallAsync("GET", "k"));
    }

    [Fact]
    public async Task While_clients_are_paused_a_key_past_its_deadline_reads_as_gone_and_is_deleted_only_after()
    {
        await using var redis = await InProcessRedis.StartAsync(Backend.Auto, activeExpiry: false);
        var client = new RespClient(await redis.ConnectAsync());
        // The pause starts once the transaction is done, as in Redis: the SET runs.
        Assert.Equal(new object?[] { "OK", "OK" }, await ExecAsync(client, ["SET", "k", "v", "PX", "10"], ["CLIENT", "PAUSE", "50000", "WRITE"]));
        await Eventually.HoldsAsync(async () => await client.CallAsync("GET", "k") is null, "the key to pass its deadline");
        Assert.Equal((0L, 1L), (InfoField(await client.CallAsync("INFO", "stats"), "expired_keys"), (long)(await client.CallAsync("DBSIZE"))!));
        Assert.Equal("OK", await client.CallAsync("CLIENT", "UNPAUSE"));
        Assert.Null(await client.CallAsync("GET", "k"));
        Assert.Equal((1L, 0L), (InfoField(await client.CallAsync("INFO", "stats"), "expired_keys"), (long)(await client.CallAsync("DBSIZE"))!));
    }

    private static async Task<object?[]> ExecAsync(RespClient client, params string[][] commands)
    {
        Assert.Equal("OK", await client.CallAsync("MULTI"));
        foreach (var command in commands) { Assert.Equal("QUEUED", await client.CallAsync(command)); }
        return Assert.IsType<object?[]>(await client.CallAsync("EXEC"));
    }

    // Checked against redis-server 7.0.15: a WRITE pause holds what writes or may be propagated, a subcommand by its own flags.
    [Theory]
    [InlineData(true, "PUBLISH", "c", "m")]
    [InlineData(true, "SPUBLISH", "c", "m")]
    [InlineData(true, "EVAL", "return 1", "0")]
    [InlineData(true, "PFCOUNT", "h")]
    [InlineData(true, "FLUSHALL")]
    [InlineData(true, "FUNCTION", "DELETE", "x")]
    [InlineData(false, "GET", "k")]
    [InlineData(false, "EVAL_RO", "return 1", "0")]
    [InlineData(false, "SCRIPT", "FLUSH")]
    [InlineData(false, "XGROUP", "HELP")]
    [InlineData(false, "FUNCTION", "LIST")]
    [InlineData(false, "EVAL", "#!lua flags=no-writes\nreturn 1", "0")] // a script's declared flags stand for the command's
    [InlineData(true, "EVAL", "#!lua\nreturn 1", "0")]
    [InlineData(false, "FCALL", "readonly", "0")]
    [InlineData(true, "FCALL", "writes", "0")]
    [InlineData(false, "EVALSHA", "ae33f9227913b24d053a555637f98260b23bd3a3", "0")] // the cached no-writes script below
    [InlineData(true, "EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0")] // unknown: the command's flags
    public async Task A_write_pause_holds_writes_and_what_redis_may_propagate(bool held, params string[] command)
    {
        await using var redis = await InProcessRedis.StartAsync(Backend.Auto);
        var pauser = new RespClient(await redis.ConnectAsync());
        var client = new RespClient(await redis.ConnectAsync());
        await pauser.CallAsync("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function{function_name='readonly', callback=function() return 1 end, flags={'no-writes'}}\n" +
            "redis.register_function('writes', function() return 1 end)");
        await pauser.CallAsync("SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 2");
        Assert.Equal("OK", await pauser.CallAsync("CLIENT", "PAUSE", "100000", "WRITE"));
        await client.SendAsync(command);
        if (held)
        {
            await Eventually.HoldsAsync(() => Task.FromResult(redis.Redis.ClientPause.Waiting == 1), $"{command[0]} to wait");
            Assert.Equal("OK", await pauser.CallAsync("CLIENT", "UNPAUSE"));
        }
        await client.ReadAsync(); // answered: at once, or once unpaused
        Assert.Equal(0, redis.Redis.ClientPause.Waiting);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_pause_of_all_commands_ends_by_itself_and_the_held_commands_run_in_order(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var pauser = new RespClient(await redis.ConnectAsync());
        var other = await redis.ConnectClientOnAnotherLoopAsync(pauser);
        Assert.Equal("OK", await pauser.CallAsync("CLIENT", "PAUSE", "300", "ALL"));
        other.Queue("INCR", "n");
        other.Queue("GET", "n");
        await other.FlushAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(redis.Redis.ClientPause.Waiting == 1), "the INCR to wait");
        // The loop's timer ends the pause: the two commands then run, in order.
        Assert.Equal(1L, await other.ReadAsync());
        Assert.Equal("1", await other.ReadAsync());
        Assert.Equal(0, redis.Redis.ClientPause.Waiting);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task UNBLOCK_ends_a_wait_on_another_loop_as_a_timeout_or_an_error(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var admin = new RespClient(await redis.ConnectAsync());
        var waiter = await redis.ConnectClientOnAnotherLoopAsync(admin);
        var waiterId = (long)(await waiter.CallAsync("CLIENT", "ID"))!;
        Assert.Equal(0L, await admin.CallAsync("CLIENT", "UNBLOCK", $"{waiterId}"));

        await waiter.SendAsync("BLPOP", "list", "0");
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal(1L, await admin.CallAsync("CLIENT", "UNBLOCK", $"{waiterId}"));
        Assert.Null(await waiter.ReadAsync());

        await waiter.SendAsync("BLPOP", "list", "0");
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal(1L, await admin.CallAsync("CLIENT", "UNBLOCK", $"{waiterId}", "ERROR"));
        Assert.Equal(new RespError("UNBLOCKED client unblocked via CLIENT UNBLOCK"), await waiter.ReadAsync());
        await admin.CallAsync("RPUSH", "list", "x"); // no longer waited on
        Assert.Equal(1L, await admin.CallAsync("LLEN", "list"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task LIST_shows_each_client_idle_since_its_last_command(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var asker = new RespClient(await redis.ConnectAsync());
        var quiet = await redis.ConnectClientOnAnotherLoopAsync(asker);
        var quietId = await Field(quiet, "id");
        var askerId = await Field(asker, "id");
        await Eventually.HoldsAsync(async () => Idle(await List(), quietId) >= 1, "the quiet client to be idle a second");
        Assert.Equal(0, Idle(await List(), askerId));

        async Task<string> List() => (string)(await asker.CallAsync("CLIENT", "LIST"))!;
    }

    [Fact]
    public async Task INFO_shows_redis_servers_fields_in_its_order_with_what_the_client_holds()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        using var theirClient = await real.ConnectAsync();
        using var ourClient = new RespClient(await ours.ConnectAsync());
        static string[] Names(object? line) => [.. ((string)line!).Trim().Split(' ').Select(field => field[..field.IndexOf('=')])];
        Assert.Equal(Names(await theirClient.CallAsync("CLIENT", "INFO")), Names(await ourClient.CallAsync("CLIENT", "INFO")));
        Assert.Equal("client|info", await Field(ourClient, "cmd"));
        Assert.Equal(("26", "26"), (await Field(theirClient, "qbuf"), await Field(ourClient, "qbuf"))); // the running command's bytes

        using var queuing = await ours.ConnectAsync();
        Assert.Equal("+OK\r\n+QUEUED\r\n", await queuing.CommandAsync("MULTI") + await queuing.CommandAsync("SET", "k", "v"));
        await queuing.SendAsync("*3\r\n$3\r\nSET\r\n$1\r\nk"); // half a command, waiting for the rest
        await Eventually.HoldsAsync(async () => Regex.IsMatch((string)(await ourClient.CallAsync("CLIENT", "LIST"))!,
            @"\bmulti=1 qbuf=18 qbuf-free=\d+ argv-mem=0 multi-mem=5 .* cmd=set\b"), "the queued command and the half one in CLIENT LIST");
    }

    [Fact]
    public Task Errors_read_as_redis_servers_do() => SameAsRealRedis.RepliesAsync(
        [
            ["CLIENT", "KILL", "1.2.3.4:5"], ["CLIENT", "KILL", "ID", "0"], ["CLIENT", "KILL", "ID", "x"], ["CLIENT", "KILL", "TYPE", "foo"],
            ["CLIENT", "KILL", "USER", "bob"], ["CLIENT", "KILL", "SKIPME", "maybe"], ["CLIENT", "KILL", "ID", "5", "ADDR"],
            ["CLIENT", "KILL", "ADDR", "1.2.3.4:5", "SKIPME", "no"], ["CLIENT", "UNBLOCK", "x"], ["CLIENT", "UNBLOCK", "5", "foo"],
            ["CLIENT", "UNBLOCK", "12345"], ["CLIENT", "PAUSE", "-1"], ["CLIENT", "PAUSE", "x"], ["CLIENT", "PAUSE", "10", "foo"],
            ["CLIENT", "REPLY", "foo"], ["CLIENT", "NO-EVICT", "maybe"], ["CLIENT", "NO-EVICT", "on"], ["CLIENT", "PAUSE", "0"],
            ["CLIENT", "UNPAUSE"],
        ]);

    private static async Task<string> Field(RespClient client, string name) =>
        Regex.Match((string)(await client.CallAsync("CLIENT", "INFO"))!, $@"\b{name}=(\S+)").Groups[1].Value;

    private static int Idle(string list, string id) =>
        int.Parse(Regex.Match(list, $@"^id={id} .*\bidle=(\d+)", RegexOptions.Multiline).Groups[1].Value);
}
