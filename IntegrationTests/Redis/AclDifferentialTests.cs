using System.Text.RegularExpressions;
using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// ACL users against redis-server 7.0: the same ACL SETUSER rules (and their errors), GETUSER, LIST, USERS, DRYRUN, CAT and
/// DELUSER, then what each user's connections may do (AUTH, commands, keys read or written, channels, calls from scripts)
/// and what the ACL LOG says of it, compared reply by reply. Redis lists the single commands of a user's rules in its
/// hash order, so those are compared sorted; ACL LOG is compared without its age and client line.
/// </summary>
public sealed class AclDifferentialTests
{
    private static readonly string[][] Setup =
    [
        ["ACL", "SETUSER", "alice", "on", ">p", "~app:*", "%R~ro:*", "&news", "+get", "+set", "-@dangerous", "+client|id"],
        ["ACL", "SETUSER", "bob"],
        ["ACL", "SETUSER", "carol", "on", "nopass", "+@read", "+@write", "-keys", "~*"],
        ["ACL", "SETUSER", "dan", "on", ">p", "+@all", "-@dangerous", "-debug", "~*", "&*"],
        ["ACL", "SETUSER", "erin", "on", ">p", "%W~w*", "%R~r*", "+get", "+set", "+del", "+lmove", "+eval", "+publish", "+subscribe",
            "+psubscribe", "+bitfield", "&ch*", "+multi", "+exec", "+config|get", "+client", "-client|kill"],
        ["ACL", "SETUSER", "frank", "on", "nopass", "+@all", "-@all", "+config|get", "%R~"],
        ["ACL", "SETUSER", "gina", "on", ">p", ">q", "<p", "resetchannels", "allchannels", "#" + new string('a', 64)],
        ["ACL", "SETUSER", "gina", "!" + new string('a', 64), "reset", "on", ">g", "+@hash", "-hset", "~h*"],
        ["ACL", "SETUSER", "off-user", "off", ">p", "+@all", "~*"],
        // Refusals.
        ["ACL", "SETUSER", "bad", "foo"], ["ACL", "SETUSER", "bad", "~*", "~x"], ["ACL", "SETUSER", "bad", "+nocmd"],
        ["ACL", "SETUSER", "bad", "+@nocat"], ["ACL", "SETUSER", "bad", "<nopw"], ["ACL", "SETUSER", "bad", "#abc"],
        ["ACL", "SETUSER", "bad", "+get|x|y"], ["ACL", "SETUSER", "bad", "+config|nope"], ["ACL", "SETUSER", "bad", "%X~a"],
        ["ACL", "SETUSER", "bad", "~a b"], ["ACL", "SETUSER", "bad", "&*", "&x"], ["ACL", "SETUSER", "bad user"],
        ["ACL", "DELUSER", "default"], ["ACL", "GETUSER", "nobody"],
        ["ACL", "GETUSER", "alice"], ["ACL", "GETUSER", "bob"], ["ACL", "GETUSER", "carol"], ["ACL", "GETUSER", "dan"],
        ["ACL", "GETUSER", "erin"], ["ACL", "GETUSER", "frank"], ["ACL", "GETUSER", "gina"], ["ACL", "GETUSER", "default"],
        ["ACL", "LIST"], ["ACL", "USERS"], ["ACL", "CAT"], ["ACL", "CAT", "nope"], ["ACL", "GENPASS", "0"],
        ["ACL", "DRYRUN", "erin", "get", "w1"], ["ACL", "DRYRUN", "erin", "hget", "w1", "f"], ["ACL", "DRYRUN", "erin", "set", "w1", "v"],
        ["ACL", "DRYRUN", "erin", "set", "r1", "v", "GET"], ["ACL", "DRYRUN", "erin", "publish", "x", "m"], ["ACL", "DRYRUN", "nobody", "get", "x"],
        ["ACL", "DRYRUN", "erin", "nocmd"], ["ACL", "DRYRUN", "erin", "get"], ["ACL", "DRYRUN", "dan", "debug", "sleep", "0"],
        ["ACL", "DRYRUN", "erin", "client", "kill", "id", "1"], ["ACL", "DRYRUN", "erin", "client", "id"], ["ACL", "DRYRUN", "frank", "config", "set", "a", "b"],
        ["ACL", "LOG", "RESET"], ["AUTH", "alice", "wrong"], ["AUTH", "nobody", "p"], ["AUTH", "off-user", "p"], ["AUTH", "p"],
        ["ACL", "WHOAMI"],
    ];

    // What each user's connection sends after AUTH.
    private static readonly (string User, string Password, string[][] Commands)[] Sessions =
    [
        ("alice", "p", [["GET", "app:1"], ["SET", "app:1", "v"], ["GET", "ro:1"], ["SET", "ro:1", "v"], ["GET", "other"], ["DEL", "app:1"],
            ["CLIENT", "ID"], ["CLIENT", "LIST"], ["PUBLISH", "news", "m"], ["ACL", "WHOAMI"], ["PING"], ["QUIT"]]),
        ("erin", "p", [["GET", "r1"], ["GET", "w1"], ["SET", "w1", "x"], ["SET", "w1", "x", "GET"], ["DEL", "w1"], ["LMOVE", "r1", "w1", "LEFT", "LEFT"],
            ["BITFIELD", "r1", "GET", "u8", "0"], ["BITFIELD", "r1", "SET", "u8", "0", "1"], ["BITFIELD", "w1", "SET", "u8", "0", "1"],
            ["PUBLISH", "ch1", "m"], ["PUBLISH", "other", "m"], ["EVAL", "return redis.call('get', 'w1')", "0"],
            ["EVAL", "return redis.call('set', 'w1', 'v')", "0"], ["EVAL", "return redis.call('hget', 'w1', 'f')", "0"],
            ["EVAL", "return redis.pcall('get', 'w1')", "0"], ["MULTI"], ["GET", "w2"], ["HGET", "r1", "f"], ["EXEC"],
            ["CONFIG", "GET", "maxmemory"], ["CONFIG", "SET", "maxmemory", "0"], ["CLIENT", "KILL", "ID", "1"], ["HGET", "r1", "f"],
            ["SUBSCRIBE", "ch2"], ["UNSUBSCRIBE", "ch2"], ["PSUBSCRIBE", "ch*"], ["PUNSUBSCRIBE"], ["PSUBSCRIBE", "ch1*"]]),
        ("gina", "g", [["HSET", "h1", "f", "v"], ["HGET", "h1", "f"], ["HGETALL", "h1"], ["GET", "h1"]]),
        ("frank", "anything", [["CONFIG", "GET", "maxmemory"], ["CONFIG", "SET", "maxmemory", "0"], ["GET", "a"]]),
    ];

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Users_rules_and_denials_are_redis_s(Backend backend)
    {
        await using var ours = await InProcessRedis.StartAsync(backend);
        await using var real = await RealRedis.StartAsync();
        using var ourAdmin = await ours.ConnectAsync();
        using var theirAdmin = await RespSocket.ConnectAsync(real.EndPoint);
        foreach (var command in Setup) { await CompareAsync(ourAdmin, theirAdmin, command); }
        foreach (var (user, password, commands) in Sessions)
        {
            using var ourClient = await ours.ConnectAsync();
            using var theirClient = await RespSocket.ConnectAsync(real.EndPoint);
            await CompareAsync(ourClient, theirClient, ["AUTH", user, password]);
            foreach (var command in commands) { await CompareAsync(ourClient, theirClient, command); }
        }
        await CompareAsync(ourAdmin, theirAdmin, ["ACL", "LOG", "50"]);
        await CompareAsync(ourAdmin, theirAdmin, ["ACL", "DELUSER", "alice", "nobody", "bob"]);
        await CompareAsync(ourAdmin, theirAdmin, ["ACL", "USERS"]);
    }

    private static async Task CompareAsync(RespSocket ours, RespSocket theirs, string[] command)
    {
        var (expected, actual) = (Normalized(command, await theirs.CommandAsync(command)), Normalized(command, await ours.CommandAsync(command)));
        Assert.True(expected == actual, $"{string.Join(' ', command)}\nredis-server: {Escaped(expected)}\nloop-redis:   {Escaped(actual)}");
    }

    // Single-command rules sorted by name (Redis lists them in hash order); an ACL LOG without ages and client lines; a
    // client id, and a CLIENT LIST line without what differs between the servers (addresses, buffers).
    private static string Normalized(string[] command, string reply)
    {
        reply = Regex.Replace(reply, @"([+-]@\w+ )*((?:[+-][a-z|_-]+(?: |(?=\r)))+)", m => m.Groups[1].Value +
            string.Join(' ', m.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).OrderBy(rule => rule[1..], StringComparer.Ordinal)));
        if (command is ["ACL", "LOG", _]) { reply = Regex.Replace(reply, @"\$11\r\nage-seconds\r\n\$\d+\r\n[^\r]*\r\n\$11\r\nclient-info\r\n\$\d+\r\n[^\r]*\r\n", ""); }
        if (command is ["CLIENT", "ID"]) { reply = Regex.Replace(reply, @"^:\d+", ":id"); }
        if (command is ["CLIENT", "LIST"]) { reply = Regex.Match(reply, @"flags=\S+ ").Value + Regex.Match(reply, @"cmd=\S+ user=\S+").Value; }
        return Regex.Replace(reply, @"\$\d+\r\n", "$\r\n"); // bulk lengths follow what was normalized
    }

    private static string Escaped(string reply) => reply.Replace("\r", "\\r").Replace("\n", "\\n");
}
