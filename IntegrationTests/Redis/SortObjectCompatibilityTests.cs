using System.Text;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// SORT, OBJECT and SWAPDB against the real redis-server 7.0 (test.sh installs it; its absence fails these tests): the
/// same commands on the same data answer alike, reply for reply. The SORT series is random but seeded, so a failure
/// names a command that fails again; it leaves out only what Redis itself does not answer deterministically (see
/// <see cref="Deterministic"/>).
/// </summary>
public sealed class SortObjectCompatibilityTests
{
    // Elements: numbers (ties included), words, bytes above 0x7f, the empty string. NUL-bearing ones only go in lists.
    private static readonly string[] Numbers = ["0", "1", "2", "-3", "10", "1.5", "-0.25", "3.0", "1e1", "+4", " 7", "0x10", "inf", "-inf"];
    private static readonly string[] Words = ["apple", "Banana", "cherry", "date", "Egg", "fig", "", "\xe9t\xe9", "\xff", "a b"];
    private static readonly string[] WithNul = ["a\0x", "a\0y"];
    private static readonly string[] Pool = [.. Numbers, .. Words, .. WithNul];

    [Fact]
    public async Task Sort_answers_a_seeded_series_of_random_commands_as_redis_does()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var ours = new RespClient(await loop.ConnectAsync());
        using var theirs = await redis.ConnectAsync();
        var random = new Random(7_000_015);
        foreach (var command in Data(random)) { await SameAsync(ours, theirs, command); }

        var keys = new[] { "L0", "L1", "L2", "N0", "N1", "SI0", "SI1", "SH0", "SH1", "Z0", "Z1", "missing", "str" };
        var compared = 0;
        for (var attempt = 0; compared < 1500; attempt++)
        {
            var (command, stores) = RandomSort(random, keys[random.Next(keys.Length)]);
            if (!Deterministic(command)) { continue; }
            compared++;
            await SameAsync(ours, theirs, command);
            if (stores)
            {
                await SameAsync(ours, theirs, "LRANGE", "dst", "0", "-1");
                await SameAsync(ours, theirs, "TYPE", "dst");
            }
        }
    }

    [Fact]
    public async Task Object_encoding_answers_as_redis_does_on_both_sides_of_every_threshold()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var ours = new RespClient(await loop.ConnectAsync());
        using var theirs = await redis.ConnectAsync();
        var keys = new List<string>();
        async Task CreateAsync(string key, params string[] command)
        {
            await SameAsync(ours, theirs, command);
            keys.Add(key);
            await SameAsync(ours, theirs, "OBJECT", "ENCODING", key);
            await SameAsync(ours, theirs, "OBJECT", "REFCOUNT", key);
        }
        static IEnumerable<string> Range(int count, Func<int, string> item) => Enumerable.Range(0, count).Select(item);

        foreach (var value in new[] { "0", "1", "9999", "10000", "-1", "-0", "01", "+1", " 1", "1.5", "", "9223372036854775807",
                     "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "12345678901234567890", new string('9', 21),
                     new string('x', 43), new string('x', 44), new string('x', 45), new string('x', 5000) })
        {
            await CreateAsync("string", "SET", "string", value);
        }
        await CreateAsync("counter", "SET", "counter", "9998");
        await CreateAsync("counter", "INCR", "counter");
        await CreateAsync("counter", "INCR", "counter");
        await CreateAsync("mset", "MSET", "mset", "42", "other", "x");
        foreach (var count in new[] { 1, 128, 129, 1000 }) { await CreateAsync($"list{count}", ["RPUSH", $"list{count}", .. Range(count, i => $"{i}")]); }
        await CreateAsync("biglist", ["RPUSH", "biglist", new string('x', 9000), "y"]);
        foreach (var count in new[] { 1, 511, 512, 513 })
        {
            await CreateAsync($"intset{count}", ["SADD", $"intset{count}", .. Range(count, i => $"{i * 37 - 5000}")]);
            await CreateAsync($"hash{count}", ["HSET", $"hash{count}", .. Range(count, i => $"field{i}").SelectMany(f => new[] { f, "v" })]);
        }
        foreach (var count in new[] { 1, 127, 128, 129 })
        {
            await CreateAsync($"zset{count}", ["ZADD", $"zset{count}", .. Range(count, i => $"{i % 7}").SelectMany((s, i) => new[] { s, $"m{i}" })]);
        }
        foreach (var length in new[] { 63, 64, 65 })
        {
            await CreateAsync($"hvalue{length}", "HSET", $"hvalue{length}", "f", new string('v', length));
            await CreateAsync($"hfield{length}", "HSET", $"hfield{length}", new string('f', length), "v");
            await CreateAsync($"zmember{length}", "ZADD", $"zmember{length}", "1", new string('m', length));
            await CreateAsync($"hincr{length}", "HINCRBY", $"hincr{length}", new string('f', length), "1");
        }
        foreach (var members in new[] { new[] { "1", "a" }, ["9223372036854775807", "-9223372036854775808"], ["9223372036854775808"], ["01"], ["-0"], [""] })
        {
            await CreateAsync("set", ["SADD", "set", .. members]);
            await SameAsync(ours, theirs, "DEL", "set");
        }
        // Once left, a compact encoding is not taken again; COPY keeps it; a store is judged afresh; SORT converts a sorted set.
        await CreateAsync("intset1", "SADD", "intset1", "word");
        await CreateAsync("intset1", "SREM", "intset1", "word");
        await CreateAsync("hash512", "HSET", "hash512", "one more", "v");
        await CreateAsync("hash512", "HDEL", "hash512", "one more", "field0", "field1");
        await CreateAsync("zset128", "ZADD", "zset128", "1", "one more");
        await CreateAsync("zset128", "ZREM", "zset128", "one more", "m0");
        await CreateAsync("copy", "COPY", "intset1", "copy");
        await CreateAsync("zcopy", "COPY", "zmember65", "zcopy");
        await CreateAsync("union", "SUNIONSTORE", "union", "intset511", "intset1");
        await CreateAsync("inter", "SINTERSTORE", "inter", "intset511", "intset512");
        await CreateAsync("diff", "SDIFFSTORE", "diff", "intset1", "intset512");
        await CreateAsync("zunion", "ZUNIONSTORE", "zunion", "1", "zset128");
        await CreateAsync("zinter", "ZINTERSTORE", "zinter", "2", "zset129", "zset1");
        await CreateAsync("moved", "SMOVE", "intset512", "moved", "-5000");
        await CreateAsync("zset1", "SORT", "zset1", "BY", "nosort");
        await CreateAsync("sorted", "SORT", "intset511", "STORE", "sorted");
        foreach (var key in keys.Distinct()) { await SameAsync(ours, theirs, "OBJECT", "ENCODING", key); }
        // Thresholds from CONFIG, under either name, for the values created after (Redis decides at each write).
        foreach (var (name, value) in new[] { ("set-max-intset-entries", "2"), ("hash-max-ziplist-entries", "1"), ("hash-max-listpack-value", "2"),
                     ("zset-max-listpack-entries", "0"), ("zset-max-ziplist-value", "3") })
        {
            await SameAsync(ours, theirs, "CONFIG", "SET", name, value);
        }
        await CreateAsync("small-intset", "SADD", "small-intset", "1", "2");
        await CreateAsync("small-intset", "SADD", "small-intset", "3");
        await CreateAsync("small-hash", "HSET", "small-hash", "a", "bb");
        await CreateAsync("small-hash2", "HSET", "small-hash2", "a", "bbb");
        await CreateAsync("small-zset", "ZADD", "small-zset", "1", "a");
        await SameAsync(ours, theirs, "OBJECT", "ENCODING", "missing");
        await SameAsync(ours, theirs, "OBJECT", "HELP");
        await SameAsync(ours, theirs, "OBJECT", "FREQ", "string");
        await SameAsync(ours, theirs, "OBJECT", "IDLETIME", "missing");
        await SameAsync(ours, theirs, "OBJECT", "NOPE", "string");
        await SameAsync(ours, theirs, "OBJECT", "ENCODING");
    }

    [Fact]
    public async Task Swapdb_tells_watchers_and_answers_errors_as_redis_does()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto, activeExpiry: false);
        await using var redis = await RealRedis.StartAsync(null, "--enable-debug-command", "yes");
        using var theirsWriter = await redis.ConnectAsync();
        Assert.Equal("OK", await theirsWriter.CallAsync("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
        using var oursWriter = new RespClient(await loop.ConnectAsync());
        foreach (var command in new[] { new[] { "SWAPDB", "a", "1" }, ["SWAPDB", "0", "b"], ["SWAPDB", "0", "16"], ["SWAPDB", "-1", "0"],
                     ["SWAPDB", "4294967296", "0"], ["SWAPDB", "0"], ["SWAPDB", "3", "3"] })
        {
            await SameAsync(oursWriter, theirsWriter, command);
        }

        // One scenario on each server: the same watchers, the same swap, then every watcher's EXEC.
        async Task<string> ScenarioAsync(RespClient writer, Func<Task<RespClient>> connect)
        {
            var watchers = new List<RespClient>();
            async Task WatchAsync(int db, string key)
            {
                var watcher = await connect();
                Assert.Equal("OK", await watcher.CallAsync("SELECT", $"{db}"));
                Assert.Equal("OK", await watcher.CallAsync("WATCH", key));
                watchers.Add(watcher);
            }
            var started = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal("OK", await writer.CallAsync("SET", "was-live", "0", "PX", "1000"));
            await WatchAsync(0, "was-live");
            Assert.Equal("OK", await writer.CallAsync("MSET", "in-zero", "0", "in-both", "0"));
            Assert.Equal("OK", await writer.CallAsync("SELECT", "1"));
            Assert.Equal("OK", await writer.CallAsync("MSET", "in-one", "1", "in-both", "1"));
            Assert.Equal("OK", await writer.CallAsync("SELECT", "0"));
            foreach (var db in new[] { 0, 1 })
            {
                // No key that expires while watched besides was-live: whether an active expiry cycle (each server's own,
                // at random) deleted it before the WATCH would decide the EXEC. SwapDbTests covers that case without one.
                foreach (var key in new[] { "in-zero", "in-one", "in-both", "nowhere" }) { await WatchAsync(db, key); }
            }
            var untilExpired = TimeSpan.FromMilliseconds(1100) - started.Elapsed;
            if (untilExpired > TimeSpan.Zero) { await Task.Delay(untilExpired); }
            Assert.Equal("OK", await writer.CallAsync("SWAPDB", "1", "0"));
            var results = new StringBuilder();
            foreach (var watcher in watchers)
            {
                Assert.Equal("OK", await watcher.CallAsync("MULTI"));
                Assert.Equal("QUEUED", await watcher.CallAsync("PING"));
                results.Append(Describe(await watcher.CallAsync("EXEC"))).Append(' ');
                watcher.Dispose();
            }
            return results.ToString();
        }
        var expected = await ScenarioAsync(theirsWriter, redis.ConnectAsync);
        Assert.Equal(expected, await ScenarioAsync(oursWriter, async () => new RespClient(await loop.ConnectAsync())));
        Assert.Contains("(nil)", expected);
        Assert.Contains("[PONG]", expected);
    }

    private static IEnumerable<string[]> Data(Random random)
    {
        string Pick(string[] from) => from[random.Next(from.Length)];
        IEnumerable<string> Several(string[] from, int most) => Enumerable.Range(0, random.Next(most + 1)).Select(_ => Pick(from));
        for (var i = 0; i < 3; i++) { yield return ["RPUSH", $"L{i}", "seed", .. Several(Pool, 30)]; }
        for (var i = 0; i < 2; i++) { yield return ["RPUSH", $"N{i}", "0", .. Several(Numbers, 25)]; }
        for (var i = 0; i < 2; i++) { yield return ["SADD", $"SI{i}", "0", .. Several(Numbers[..5], 5), .. Enumerable.Range(0, 20).Select(_ => $"{random.Next(-50, 50)}")]; }
        for (var i = 0; i < 2; i++) { yield return ["SADD", $"SH{i}", "seed", .. Several([.. Numbers, .. Words], 25)]; }
        for (var i = 0; i < 2; i++)
        {
            yield return ["ZADD", $"Z{i}", "0", "seed", .. Several([.. Numbers, .. Words], 25).SelectMany(m => new[] { Pick(["-1", "0", "1", "2.5"]), m })];
        }
        yield return ["SET", "str", "x"];
        // Weights: mostly numbers, some missing, a few that are no number; u_ and h_->s are unique for every element.
        var unique = Enumerable.Range(0, Pool.Length).OrderBy(_ => random.Next()).ToArray();
        for (var i = 0; i < Pool.Length; i++)
        {
            var element = Pool[i];
            if (random.Next(10) < 7) { yield return ["SET", $"w_{element}", random.Next(50) == 0 ? "x" : Pick(["-2", "0", "1", "1.5", "3", "10", "-0.5"])]; }
            yield return ["SET", $"u_{element}", $"u{unique[i]:D3}"];
            yield return random.Next(5) == 0
                ? ["HSET", $"h_{element}", "s", $"s{unique[Pool.Length - 1 - i]:D3}"]
                : ["HSET", $"h_{element}", "s", $"s{unique[Pool.Length - 1 - i]:D3}", "n", Pick(["-1", "0", "2", "2.25", "7"])];
        }
    }

    private static readonly string[] TiedAlphaPatterns = ["w_*", "h_*->n", "nothing_*"];

    private static (string[] Command, bool Stores) RandomSort(Random random, string key)
    {
        var options = new List<string[]>();
        if (random.Next(2) == 0) { options.Add(["BY", new[] { "w_*", "h_*->n", "u_*", "h_*->s", "nosort", "nothing_*" }[random.Next(6)]]); }
        if (random.Next(5) < 2) { options.Add(["ALPHA"]); }
        if (random.Next(2) == 0) { options.Add([random.Next(2) == 0 ? "DESC" : "ASC"]); }
        if (random.Next(5) < 2) { options.Add(["LIMIT", $"{random.Next(-2, 12)}", $"{random.Next(-2, 12)}"]); }
        for (var gets = random.Next(4) - 1; gets > 0; gets--)
        {
            options.Add(["GET", new[] { "#", "w_*", "h_*->s", "h_*->n", "missing_*", "fixed" }[random.Next(6)]]);
        }
        var stores = random.Next(4) == 0;
        if (stores) { options.Add(["STORE", "dst"]); }
        var name = !stores && random.Next(3) == 0 ? "SORT_RO" : "SORT";
        return ([name, key, .. options.OrderBy(_ => random.Next()).SelectMany(o => o)], stores);
    }

    /// <summary>
    /// False for the SORTs whose answer Redis leaves to chance: a hash-table set's own order (BY nosort without STORE), and
    /// ALPHA BY with ties (equal or missing values) where the order of equal elements is what Redis's loading and its
    /// sort make of it: a hash-table set's or a sorted set's dictionary order, or with LIMIT its unstable partial
    /// quicksort. Numeric ties are broken by the elements' bytes, so they never make an answer uncertain.
    /// </summary>
    private static bool Deterministic(string[] command)
    {
        string? by = null;
        var alpha = false;
        var limit = false;
        var store = false;
        for (var i = 2; i < command.Length; i++)
        {
            switch (command[i])
            {
                case "BY": by = command[++i]; break;
                case "ALPHA": alpha = true; break;
                case "LIMIT": limit = true; i += 2; break;
                case "GET": i++; break;
                case "STORE": store = true; i++; break;
            }
        }
        var key = command[1];
        var dontSort = by is not null && !by.Contains('*');
        var tiedAlpha = alpha && !dontSort && by is not null && TiedAlphaPatterns.Contains(by);
        if (key.StartsWith("SH", StringComparison.Ordinal)) { return dontSort ? store : !tiedAlpha; }
        if (key.StartsWith('Z')) { return !tiedAlpha; }
        return !(tiedAlpha && limit);
    }

    private static async Task SameAsync(RespClient ours, RespClient theirs, params string[] command)
    {
        var expected = Describe(await theirs.CallAsync(command));
        var actual = Describe(await ours.CallAsync(command));
        Assert.True(expected == actual, $"{Describe(command)}\n  redis-server: {expected}\n  loop-redis:   {actual}");
    }

    private static string Describe(object? reply) => reply switch
    {
        null => "(nil)",
        string text => text.All(c => c is >= ' ' and < '\x7f') ? text : $"\"{string.Concat(text.Select(c => c is >= ' ' and < '\x7f' ? $"{c}" : $"\\x{(int)c:x2}"))}\"",
        long number => $":{number}",
        RespError error => $"-{error.Message}",
        object?[] items => $"[{string.Join(", ", items.Select(Describe))}]",
        _ => reply.ToString() ?? "",
    };
}
