using Loop.Samples.Redis.Server;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// CONFIG against the real redis-server 7.0: every parameter's default (CONFIG GET *), then generated CONFIG SET/GET
/// cases for every parameter, good and bad values of its type, each followed by a CONFIG GET of its name and alias, and
/// several parameters at once (all or none). Replies are compared after sorting CONFIG GET's pairs (Redis answers in its
/// hash table's order). Left out, on purpose: port, bind, proto-max-bulk-len and client-query-buffer-limit (read at start
/// here), dir (each server's own); values that would change how the real server treats the test's own connection or
/// process (a timeout, client memory and output limits, maxclients beyond the file limit, requirepass, oom-score-adj,
/// appendonly), and TLS switched on (Redis refuses it without certificates; this server keeps the setting).
/// </summary>
public sealed class ConfigDifferentialTests
{
    private static readonly string[] OwnValues = ["port", "dir", "bind"];

    private static readonly string[] NotCompared = ["port", "bind", "proto-max-bulk-len", "client-query-buffer-limit", "dir",
        "requirepass", "appendonly", "timeout", "maxmemory-clients", "maxclients", "oom-score-adj", "client-output-buffer-limit",
        "tls-port", "tls-replication", "tls-cluster"];

    [Fact]
    public async Task Every_parameter_has_redis_default()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        using var ourClient = new RespClient(await ours.ConnectAsync());
        using var theirClient = await real.ConnectAsync();
        var expected = Pairs(await theirClient.CallAsync("CONFIG", "GET", "*"));
        var actual = Pairs(await ourClient.CallAsync("CONFIG", "GET", "*"));
        Assert.Equal(expected.Select(p => p.Name), actual.Select(p => p.Name));
        Assert.Equal(expected.Where(p => !OwnValues.Contains(p.Name)), actual.Where(p => !OwnValues.Contains(p.Name)));
        Assert.True(expected.Count > 190, $"redis-server reported {expected.Count} parameters");
    }

    [Fact]
    public async Task Config_set_and_get_answer_as_redis_does()
    {
        var script = Script();
        Assert.True(script.Count > 2000, $"{script.Count} commands");
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        using var ourClient = new RespClient(await ours.ConnectAsync());
        using var theirClient = await real.ConnectAsync();
        foreach (var command in script)
        {
            var (expected, actual) = (Show(command, await theirClient.CallAsync(command)), Show(command, await ourClient.CallAsync(command)));
            Assert.True(expected == actual, $"{string.Join(' ', command.Select(a => $"'{a}'"))}\nredis-server: {expected}\nloop-redis:   {actual}");
        }
    }

    /// <summary>The commands compared: each parameter's cases, then the multi-parameter and pattern cases.</summary>
    internal static List<string[]> Script()
    {
        var script = new List<string[]>();
        foreach (var parameter in ConfigParameters.All.Where(p => !NotCompared.Contains(p.Name)))
        {
            foreach (var value in Values(parameter).Distinct())
            {
                script.Add(["CONFIG", "SET", parameter.Name, value]);
                script.Add(["CONFIG", "GET", parameter.Name]);
                if (parameter.Alias is { } alias) { script.Add(["CONFIG", "GET", alias]); }
            }
            if (parameter.Alias is { } other) { script.Add(["CONFIG", "SET", other.ToUpperInvariant(), "bad value"]); }
            script.Add(["CONFIG", "SET", parameter.Name, parameter.Default]);
        }
        script.AddRange(Together);
        return script;
    }

    private static readonly string[] Numbers = ["0", "1", "-1", "2", "5", "99", "100", "101", "128", "500", "501", "1000", "1001",
        "65535", "65536", "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
        "18446744073709551616", "abc", "", " 1", "1 ", "+1", "01", "00", "1.5", "1e3", "0x10", "1k", "1K", "1kb", "1Kb", "1m", "1mb",
        "1g", "1gb", "3GB", "1b", "1tb", "-1kb", "1048576", "1048575", "10%", "0%", "100%", "101%", "-5%", "%", "5 %", "777", "778", "0777"];

    private static IEnumerable<string> Values(ConfigParameter parameter) => parameter.Type switch
    {
        BoolConfig => ["yes", "no", "YES", "No", "1", "0", "", "maybe", "yes "],
        NumericConfig => Numbers,
        EnumConfig => ["", "bogus", .. EnumNames(parameter), .. EnumNames(parameter).Select(n => n.ToUpperInvariant())],
        ShutdownFlagsConfig => ["default", "save", "nosave", "now", "force", "save now", "NOW FORCE save", "save nosave", "default now", "", "bad", "now  force"],
        SaveConfig => ["", "900 1", "900", "0 1", "1 0", "900 1 300 10", "+900 01", "900  1", "a b", "-1 5", "900 -1", "3600 1 300 100 60 10000"],
        OomScoreAdjValuesConfig => ["0 200 800", "1 2 3", "-2000 0 2000", "-2001 0 0", "0 0 2001", "1 2", "1 2 3 4", "a b c", "", "+5 -0 010"],
        NotifyKeyspaceEventsConfig => ["", "K", "E", "KEA", "AKE", "Kgx$", "g$lshzxetd", "g$lshzxetdnKEm", "An", "nKm", "KEg$lshzxe", "Q", "k", "A A", "$lz"],
        PercentilesConfig => ["", "50", "50 99 99.9", "0 100", "100.0 0.5", "101", "-1", "x", "50.123456789", "1e1", "99.99999"],
        ReplicaOfConfig => ["no one", "127.0.0.1 6380", "host"],
        _ => ["", "x", "a b", "some-file.conf", "x/y", "{title} x", "{title}", "{bogus}", "host.name-1", "bad_host"],
    };

    private static IEnumerable<string> EnumNames(ConfigParameter parameter) =>
        parameter.Name switch
        {
            "loglevel" => ["debug", "verbose", "notice", "warning"],
            "maxmemory-policy" => ["volatile-lru", "allkeys-lfu", "noeviction", "volatile-ttl"],
            "appendfsync" => ["always", "everysec", "no"],
            "repl-diskless-load" => ["disabled", "on-empty-db", "swapdb"],
            "acl-pubsub-default" => ["allchannels", "resetchannels"],
            "sanitize-dump-payload" => ["no", "yes", "clients"],
            "cluster-preferred-endpoint-type" => ["ip", "hostname", "unknown-endpoint"],
            "propagation-error-behavior" => ["ignore", "panic", "panic-on-replicas"],
            "tls-auth-clients" => ["no", "yes", "optional"],
            _ => ["no", "yes", "local", "auto", "user", "local7"],
        };

    private static readonly string[][] Together =
    [
        ["CONFIG", "SET", "maxmemory", "1mb", "hz", "x"], ["CONFIG", "GET", "maxmemory"],
        ["CONFIG", "SET", "maxmemory", "1mb", "maxmemory", "2mb"], ["CONFIG", "GET", "maxmemory"],
        ["CONFIG", "SET", "hash-max-ziplist-entries", "1", "hash-max-listpack-entries", "2"],
        ["CONFIG", "SET", "foo", "1", "daemonize", "yes"], ["CONFIG", "SET", "daemonize", "yes", "foo", "1"],
        ["CONFIG", "SET", "hz", "20", "foo", "1"], ["CONFIG", "GET", "hz"],
        ["CONFIG", "SET", "hz", "20", "MAXMEMORY", "5mb", "SLOWLOG-MAX-LEN", "7"], ["CONFIG", "GET", "hz", "maxmemory", "slowlog-max-len"],
        ["CONFIG", "SET", "hz", "30", "maxmemory", "bla"], ["CONFIG", "GET", "hz", "maxmemory"],
        ["CONFIG", "SET", "MAXMEMORY", "bla"], ["CONFIG", "SET", "Slave-Read-Only", "maybe"], ["CONFIG", "SET", "DAEMONIZE", "no"],
        ["CONFIG", "SET", "dir", "/tmp"], ["CONFIG", "SET", "dbfilename", "x.rdb"], ["CONFIG", "SET", "maxmemory", "0", "hz", "10", "slowlog-max-len", "128"],
        ["CONFIG", "SET", "save"], ["CONFIG", "SET", "save", "1", "2"], ["CONFIG", "SET"], ["CONFIG", "GET"], ["CONFIG"],
        ["CONFIG", "GET", "*max*"], ["CONFIG", "GET", "maxmemory", "MAXMEMORY"], ["CONFIG", "GET", "hash-max-*"], ["CONFIG", "GET", "[ab]*"],
        ["CONFIG", "GET", "*slave*", "*replica*"], ["CONFIG", "GET", "nosuch"], ["CONFIG", "GET", "nosuch*"], ["CONFIG", "GET", "watchdog-period"],
        ["CONFIG", "GET", "use-exit-on-panic", "key-load-delay", "rdb-key-save-delay", "loading-process-events-interval-bytes"],
        ["CONFIG", "GET", "watchdog*", "*delay*"], ["CONFIG", "GET", "LUA-TIME-LIMIT"], ["CONFIG", "GET", "maxmemory", "maxmemory"],
        ["CONFIG", "GET", "hz", "h?"], ["CONFIG", "GET", "*list*", "list-max-ziplist-size"],
        ["CONFIG", "REWRITE"], ["CONFIG", "REWRITE", "x"], ["CONFIG", "RESETSTAT", "x"], ["CONFIG", "HELP"], ["CONFIG", "NOSUCH"],
    ];

    // A reply as text; CONFIG GET's pairs sorted, the values that are each server's own masked.
    private static string Show(string[] command, object? reply) =>
        command is ["CONFIG", "GET", ..] && reply is object?[]
            ? string.Join(", ", Pairs(reply).Select(p => OwnValues.Contains(p.Name) ? $"{p.Name}=<own>" : $"{p.Name}={p.Value}"))
            : SameAsRealRedis.Show(reply);

    private static List<(string Name, string Value)> Pairs(object? reply) =>
        ((object?[])reply!).Chunk(2).Select(pair => ((string)pair[0]!, (string)pair[1]!)).OrderBy(p => p.Item1, StringComparer.Ordinal).ToList();
}
