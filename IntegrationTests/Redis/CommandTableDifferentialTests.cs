namespace Loop.IntegrationTests.Redis;

/// <summary>
/// Every command Redis 7.0 has, against the real redis-server: seeded scripts of random commands drawn from the whole
/// table (redis-server's COMMAND DOCS, subcommands included), each with up to twelve arguments drawn from its own
/// syntax's tokens, from keys of every type, from edge-case numbers, scripts and junk (binary, CR and LF, long). Most
/// of what such a command gets is wrong, so this is where the order of a command's checks and the words of its errors
/// are held to Redis's; what it gets right is compared too, byte for byte. A family's own differential test goes deeper
/// into its semantics; this one goes wide.
/// </summary>
public sealed class CommandTableDifferentialTests
{
    // Never sent: they block, change the connection or the server beyond the script (replication, shutdown, users,
    // configuration, client kills), write files, answer more than once, or depend on time (a relative expiry, an idle
    // time) or on chance in what they change (SPOP) or in how much they answer (SRANDMEMBER with a large negative count).
    private static readonly HashSet<string> NotSent =
    [
        "shutdown", "debug", "replicaof", "slaveof", "failover", "sync", "psync", "migrate", "monitor", "quit", "reset", "hello",
        "auth", "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "client|pause",
        "client|kill", "client|reply", "client|tracking", "config|set", "config|rewrite", "acl|setuser", "acl|deluser",
        "acl|load", "acl|save", "module|load", "module|loadex", "module|unload", "script|debug", "save", "bgsave",
        "bgrewriteaof", "wait", "blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin", "bzpopmax", "bzmpop",
        "expire", "pexpire", "setex", "psetex", "xclaim", "xautoclaim", "spop", "srandmember", "hrandfield", "zrandmember",
    ];

    // Options left out for the same reasons: blocking, relative expiry, idle times.
    private static readonly HashSet<string> TokensNotSent = ["BLOCK", "EX", "PX", "IDLE"];

    // Sent, but only an error is compared (its words too): what they answer otherwise differs on purpose
    // (docs/redis-compatibility.md: order left to hash tables, encodings, memory, ids, times, statistics).
    private static readonly HashSet<string> ErrorsOnly =
    [
        "keys", "scan", "sscan", "hscan", "zscan", "randomkey", "smembers", "sinter", "sunion", "sdiff", "hgetall", "hkeys",
        "hvals", "info", "time", "lastsave", "dump", "function|dump", "function|list", "function|stats", "object|encoding",
        "object|freq", "object|idletime", "object|refcount", "memory|usage", "memory|stats", "memory|doctor",
        "memory|malloc-stats", "client|list", "client|info", "client|id", "role", "lolwut", "pfdebug", "xinfo|stream",
        "xinfo|consumers", "xpending", "latency|latest", "latency|history", "latency|histogram", "latency|doctor",
        "latency|graph", "slowlog|get", "slowlog|len", "acl|log", "acl|genpass", "acl|cat", "acl|list", "acl|getuser",
        "acl|users", "config|get", "command", "command|docs", "command|info", "command|list", "command|count",
        "command|getkeys", "command|getkeysandflags",
    ];

    private static readonly string[] Keys = ["s", "n", "l", "h", "st", "is", "z", "x", "hl", "g", "missing", "{t}a", "{t}b"];

    private static readonly string[] Numbers =
    [
        "0", "1", "-1", "2", "3", "10", "100", "-100", "1.5", "-0.5", "inf", "-inf", "+inf", "nan", "1e308", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "18446744073709551615", "4294967296", "0x10", "", " 1", "1 ", "00",
        "-0", "536870912", "-2147483648", "*", "$", ">", "0-0", "0-1", "1-0", "(1", "[a", "-", "+", "(", "]",
    ];

    private static readonly string[] Words = ["a", "b", "c", "f1", "m1", "g", "field"];
    private static readonly int[] Lengths = [1, 44, 45, 65, 70000];

    private static readonly string[] Scripts =
    [
        "return 1", "return redis.call('get',KEYS[1])", "return redis.call('incr',KEYS[1])", "return {1,2,{3}}", "error('x')",
        "return redis.pcall('lpush',KEYS[1],ARGV[1])", "redis.call('set',KEYS[1],string.rep('x',100))",
        "#!lua name=lib\nredis.register_function('f', function(k,a) return #k end)", "return cjson.encode({a=1})",
        "return redis.sha1hex(ARGV[1])",
    ];

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    [InlineData(20261128, 3)]
    public async Task Random_commands_from_the_whole_table_answer_as_redis_does(int seed, int protocol)
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var ours = new RespClient(await loop.ConnectAsync());
        using var theirs = await RespClient.ConnectAsync(redis.EndPoint);
        var tokens = Tokens(await theirs.CallAsync("COMMAND", "DOCS"));
        Assert.IsNotType<RespError>(await ours.CallAsync("HELLO", $"{protocol}"));
        Assert.IsNotType<RespError>(await theirs.CallAsync("HELLO", $"{protocol}"));
        var names = tokens.Keys.Where(name => !NotSent.Contains(name) && !name.StartsWith("module", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        var random = new Random(seed);
        var inMulti = false;
        for (var i = 0; i < 2000; i++)
        {
            if (i % 300 == 0 && !inMulti) { await SetUpAsync(ours, theirs); }
            var name = names[random.Next(names.Length)];
            // Inside MULTI, EXEC answers the queued commands' replies together: only those compared whole are queued.
            if (inMulti && ErrorsOnly.Contains(name)) { continue; }
            string[] command = [.. name.Split('|'), .. Enumerable.Range(0, random.Next(13)).Select(_ => Argument(random, tokens[name]))];
            // An id XADD makes up is the time: one of a fixed time is the same on both.
            if (name == "xadd") { command = [.. command.Select(a => a == "*" ? "5-*" : a)]; }
            var (expected, actual) = (await theirs.CallAsync(command), await ours.CallAsync(command));
            if (!Same(name, expected, actual))
            {
                Assert.Fail($"command {i}: {Shown(command)}\nredis-server: {SameAsRealRedis.Show(expected)}\nloop-redis:   {SameAsRealRedis.Show(actual)}");
            }
            if (name == "multi" && expected is "OK") { inMulti = true; }
            if (name is "exec" or "discard") { inMulti = false; }
        }
    }

    private static bool Same(string name, object? expected, object? actual) =>
        SameAsRealRedis.Show(expected) == SameAsRealRedis.Show(actual) || (expected, actual) switch
        {
            // Lua 5.4 words some syntax errors otherwise (docs/redis-compatibility.md, Scripting).
            (RespError e, RespError a) => e.Message.StartsWith("ERR Error compiling script", StringComparison.Ordinal)
                && a.Message.StartsWith("ERR Error compiling script", StringComparison.Ordinal),
            (RespError, _) or (_, RespError) => false,
            // SORT BY a pattern without * does not sort: a set's members come in its hash table's order.
            (object?[] e, object?[] a) when name is "sort" or "sort_ro" => e.Select(SameAsRealRedis.Show).Order().SequenceEqual(a.Select(SameAsRealRedis.Show).Order()),
            _ => ErrorsOnly.Contains(name),
        };

    // Each command's tokens (its options' names, through every nesting), by Redis's name for it (container|sub).
    private static Dictionary<string, string[]> Tokens(object? docs)
    {
        var tokens = new Dictionary<string, string[]>();
        void Command(string name, object?[] doc)
        {
            var found = new HashSet<string>();
            void Arguments(object?[] arguments)
            {
                foreach (var argument in arguments.Cast<object?[]>())
                {
                    for (var i = 0; i + 1 < argument.Length; i += 2)
                    {
                        if (argument[i] is "token" && argument[i + 1] is string token && !TokensNotSent.Contains(token)) { found.Add(token); }
                        if (argument[i] is "arguments") { Arguments((object?[])argument[i + 1]!); }
                    }
                }
            }
            for (var i = 0; i + 1 < doc.Length; i += 2)
            {
                if (doc[i] is "arguments") { Arguments((object?[])doc[i + 1]!); }
                if (doc[i] is "subcommands" && doc[i + 1] is object?[] subcommands)
                {
                    for (var j = 0; j + 1 < subcommands.Length; j += 2) { Command((string)subcommands[j]!, (object?[])subcommands[j + 1]!); }
                }
            }
            tokens[name] = [.. found.Order(StringComparer.Ordinal)];
        }
        var all = (object?[])docs!;
        for (var i = 0; i + 1 < all.Length; i += 2) { Command((string)all[i]!, (object?[])all[i + 1]!); }
        return tokens;
    }

    private static string Argument(Random random, string[] tokens) => random.Next(20) switch
    {
        < 6 when tokens.Length > 0 => tokens[random.Next(tokens.Length)],
        < 11 => Keys[random.Next(Keys.Length)],
        < 16 => Numbers[random.Next(Numbers.Length)],
        16 => Scripts[random.Next(Scripts.Length)],
        _ => random.Next(5) switch
        {
            0 => Words[random.Next(Words.Length)],
            1 => new string(Enumerable.Range(0, random.Next(7)).Select(_ => "abc*?[]^-\\!"[random.Next(11)]).ToArray()),
            // Binary, CR and LF among it (no NUL: Redis's errors end a quoted argument there, docs/redis-compatibility.md).
            2 => new string(Enumerable.Range(0, random.Next(1, 20)).Select(_ => (char)random.Next(1, 256)).ToArray()),
            3 => new string('x', Lengths[random.Next(Lengths.Length)]),
            _ => random.Next(-1000, 1000).ToString(),
        },
    };

    // Keys of every type, the same on both servers, some past Redis's compact encodings; called again now and then, as
    // the script deletes and retypes them.
    private static async Task SetUpAsync(params RespClient[] clients)
    {
        string[][] setUp =
        [
            ["SELECT", "0"], ["FLUSHALL"], ["FUNCTION", "FLUSH"], ["SET", "s", "hello"], ["SET", "n", "12"],
            ["RPUSH", "l", "a", "b", "c", "1", "2"], ["HSET", "h", "f1", "v1", "f2", "2"], ["SADD", "st", "a", "b", "m1"],
            ["SADD", "is", "1", "2", "3"], ["ZADD", "z", "1", "a", "2", "b", "3", "m1"], ["XADD", "x", "1-1", "f", "v"],
            ["XADD", "x", "2-1", "f", "v"], ["XGROUP", "CREATE", "x", "g", "0"], ["PFADD", "hl", "a", "b"],
            ["GEOADD", "g", "13.36", "38.11", "m1", "15.08", "37.50", "m2"],
            ["RPUSH", "l", .. Enumerable.Range(0, 200).Select(i => $"e{i % 37}")],
            ["HSET", "h", .. Enumerable.Range(0, 150).SelectMany(i => new[] { $"k{i}", $"{i * 7}" })],
            ["ZADD", "z", .. Enumerable.Range(0, 150).SelectMany(i => new[] { $"{i % 13}.5", $"z{i}" })],
            ["SADD", "is", .. Enumerable.Range(0, 600).Select(i => $"{i * 3}")],
            ["SETRANGE", "s", "100", "tail"],
        ];
        foreach (var client in clients)
        {
            foreach (var command in setUp) { Assert.IsNotType<RespError>(await client.CallAsync(command)); }
        }
    }

    private static string Shown(string[] command) =>
        string.Join(' ', command.Select(a => a.Length > 60 ? $"{a[..20]}...({a.Length} chars)" : a.ReplaceLineEndings("\\n")));
}
