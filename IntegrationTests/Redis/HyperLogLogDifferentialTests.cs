using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// The HyperLogLog commands against the real redis-server 7.0 (test.sh installs it; its absence fails these tests): a
/// seeded script of random commands over a few keys, some 20000 distinct elements in all, so keys grow sparse, turn
/// dense by size and by a register too large for sparse, and are merged in both encodings; every reply must be the
/// same RESP and every key the same bytes. And HLL strings move between the two servers, by GET and SET and by DUMP
/// and RESTORE, and go on answering alike.
/// </summary>
public sealed class HyperLogLogDifferentialTests
{
    private static readonly string[] Written = ["h0", "h1", "h2", "h3", "dest"];

    [Theory]
    [InlineData(20240613, null)]
    [InlineData(11, "500")]
    public async Task Random_hyperloglog_commands_answer_as_redis_does(int seed, string? sparseMaxBytes)
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var ours = await loop.ConnectAsync();
        using var theirs = await RespSocket.ConnectAsync(redis.EndPoint);
        var script = new List<string[]> { new[] { "RPUSH", "list", "a" }, new[] { "SET", "str", "not an hll, long enough" } };
        if (sparseMaxBytes is not null) { script.Add(["CONFIG", "SET", "hll-sparse-max-bytes", sparseMaxBytes]); }
        var generator = new Script(new Random(seed));
        script.AddRange(generator.Commands(700));
        script.AddRange(Written.Select(key => new[] { "GET", key }));

        var encodings = new HashSet<string>();
        for (var i = 0; i < script.Count; i++)
        {
            var command = script[i];
            var reply = await SameAsync(theirs, ours, command, $"command {i}");
            if (command is ["PFDEBUG", "ENCODING", _]) { encodings.Add(reply); }
            // After a write (PFCOUNT's cache included), the value written too: a difference shows where it was made.
            if (WrittenKey(command) is { } key) { await SameAsync(theirs, ours, ["GET", key], $"command {i}: {Show(command)}, then"); }
        }
        // The script reached what it is for: both encodings, over enough distinct elements to leave sparse behind.
        Assert.True(generator.Distinct >= 15000, $"only {generator.Distinct} distinct elements");
        Assert.Contains("+sparse\r\n", encodings);
        Assert.Contains("+dense\r\n", encodings);
    }

    [Fact]
    public async Task Hll_strings_move_between_redis_server_and_ours_and_answer_alike()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var ours = await loop.ConnectAsync();
        using var theirs = await RespSocket.ConnectAsync(redis.EndPoint);
        foreach (var (server, prefix) in new[] { (theirs, "r:"), (ours, "o:") })
        {
            await server.CommandAsync(["PFADD", prefix + "sparse", .. Elements("s", 40)]);
            await server.CommandAsync(["PFADD", prefix + "dense", .. Elements("d", 4000)]);
            await server.CommandAsync(["PFADD", prefix + "cached", .. Elements("c", 300)]);
            await server.CommandAsync("PFCOUNT", prefix + "cached");
            await server.CommandAsync("PFADD", prefix + "huge", HyperLogLogTests.HugeCountElement);
        }
        string[] kinds = ["sparse", "dense", "cached", "huge"];
        foreach (var (from, to, prefix) in new[] { (theirs, ours, "r:"), (ours, theirs, "o:") })
        {
            foreach (var kind in kinds)
            {
                var key = prefix + kind;
                var (bytes, dump) = (await BulkAsync(from, "GET", key), await BulkAsync(from, "DUMP", key));
                Assert.Equal("+OK\r\n", await to.CommandAsync("SET", key, bytes));
                // The restored copy on both servers, so that both hold the same keys.
                foreach (var server in new[] { to, from })
                {
                    Assert.Equal("+OK\r\n", await server.CommandAsync("RESTORE", key + ":restored", "0", dump));
                    Assert.Equal(bytes, await BulkAsync(server, "GET", key + ":restored"));
                }
            }
        }

        foreach (var prefix in new[] { "r:", "o:" })
        {
            foreach (var kind in kinds)
            {
                var key = prefix + kind;
                await SameAsync(theirs, ours, ["PFCOUNT", key]);
                await SameAsync(theirs, ours, ["GET", key]);
                await SameAsync(theirs, ours, ["PFCOUNT", key + ":restored", prefix + "sparse", "missing"]);
                await SameAsync(theirs, ours, ["PFADD", key, .. Elements("more", 60)]);
                await SameAsync(theirs, ours, ["GET", key]);
                await SameAsync(theirs, ours, ["PFMERGE", key + ":merged", prefix + "sparse", key]);
                await SameAsync(theirs, ours, ["GET", key + ":merged"]);
                await SameAsync(theirs, ours, ["PFCOUNT", key + ":merged"]);
                await SameAsync(theirs, ours, ["PFDEBUG", "ENCODING", key + ":merged"]);
            }
        }
    }

    [Fact]
    public async Task Sparse_hlls_turn_dense_at_the_same_element_as_in_redis_server()
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var ours = await loop.ConnectAsync();
        using var theirs = await RespSocket.ConnectAsync(redis.EndPoint);
        // An edit grows a sparse HLL by 1 to 3 bytes: over 40 limits, some edits land exactly on the limit.
        for (var limit = 100; limit < 140; limit++)
        {
            await SameAsync(theirs, ours, ["CONFIG", "SET", "hll-sparse-max-bytes", $"{limit}"]);
            var key = $"h{limit}";
            for (var i = 0; await SameAsync(theirs, ours, ["PFDEBUG", "ENCODING", key]) != "+dense\r\n"; i++)
            {
                await SameAsync(theirs, ours, ["PFADD", key, $"{limit}:{i}"]);
                await SameAsync(theirs, ours, ["GET", key]);
            }
        }
    }

    // The reply of both servers to a command, which must be the same; `where` says where in a script it was sent.
    private static async Task<string> SameAsync(RespSocket theirs, RespSocket ours, string[] command, string where = "")
    {
        var (expected, actual) = (await theirs.CommandAsync(command), await ours.CommandAsync(command));
        Assert.True(expected == actual, $"{where} {Show(command)}\nredis-server: {Show(expected)}\nloop-redis:   {Show(actual)}");
        return actual;
    }

    private static string[] Elements(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}{i}").ToArray();

    // A bulk reply's bytes (Latin-1 text, one char per byte).
    private static async Task<string> BulkAsync(RespSocket server, params string[] command)
    {
        var reply = await server.CommandAsync(command);
        Assert.StartsWith("$", reply);
        var body = reply.IndexOf("\r\n", StringComparison.Ordinal) + 2;
        return reply[body..^2];
    }

    private static string? WrittenKey(string[] command) => command[0] switch
    {
        "PFADD" or "PFMERGE" or "PFCOUNT" or "DEL" or "SETRANGE" => command[1],
        "PFDEBUG" => command[2],
        _ => null,
    };

    private static string Show(params string[] parts)
    {
        var text = string.Join(' ', parts.Select(p => string.Concat(p.Select(ch => ch is >= ' ' and <= '~' ? ch.ToString() : $"\\x{(int)ch:x2}"))));
        return text.Length > 600 ? text[..600] + "..." : text;
    }

    /// <summary>Random commands over a few keys, from a seeded generator: the same seed, the same script.</summary>
    private sealed class Script(Random random)
    {
        private int _fresh;

        /// <summary>How many distinct elements the script added.</summary>
        public int Distinct => _fresh;

        public IEnumerable<string[]> Commands(int count)
        {
            for (var i = 0; i < count; i++) { yield return Next(); }
        }

        private string[] Next() => random.Next(100) switch
        {
            < 40 => ["PFADD", Key(), .. Elements()],
            < 52 => ["PFCOUNT", Key()],
            < 62 => ["PFCOUNT", .. Enumerable.Range(0, random.Next(2, 5)).Select(_ => Key())],
            < 72 => ["PFMERGE", Pick(Written), .. Enumerable.Range(0, random.Next(0, 4)).Select(_ => Key())],
            < 77 => ["PFDEBUG", "ENCODING", Key()],
            < 81 => ["PFDEBUG", "DECODE", Key()],
            < 83 => ["PFDEBUG", Pick("GETREG", "TODENSE", "getreg", "todense"), Key()],
            < 84 => ["PFDEBUG", "NOPE", Key()],
            < 90 => ["GET", Key()],
            < 93 => ["DEL", Pick(Written)],
            < 94 => ["SETRANGE", Pick(Written), $"{random.Next(20)}", Pick("\x00", "\x02", "x", "\xff")],
            < 95 => ["PFADD", Pick(Written), HyperLogLogTests.HugeCountElement],
            _ => ["PFADD", Key(), .. Elements(), .. Elements()],
        };

        private string Key() => random.Next(10) == 0 ? Pick("missing", "list", "str") : Pick(Written);

        private string Pick(params string[] choices) => choices[random.Next(choices.Length)];

        // Mostly a few elements, new or seen before; now and then a few hundred new ones, some binary.
        private IEnumerable<string> Elements()
        {
            var count = random.Next(6) == 0 ? random.Next(200, 800) : random.Next(0, 6);
            for (var i = 0; i < count; i++)
            {
                if (_fresh > 0 && random.Next(6) == 0) { yield return $"e{random.Next(_fresh)}"; }
                else if (random.Next(20) == 0) { yield return string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => (char)random.Next(256))); }
                else { yield return $"e{_fresh++}"; }
            }
        }
    }
}
