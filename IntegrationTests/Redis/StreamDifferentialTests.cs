using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// The stream commands against the real redis-server 7.0: a fixed, seeded script of random commands with explicit IDs
/// (automatic ones depend on the clock) goes to both servers and every reply must be the same RESP, XINFO STREAM FULL
/// of every key at the end included. The script adds enough entries, some of them large, for nodes to fill and split
/// where Redis's do, so approximate trimming, radix-tree-keys and radix-tree-nodes are compared too; it mixes valid and
/// invalid IDs, exclusive and incomplete ranges, every trimming option, missing keys and a key of another type.
/// </summary>
public sealed class StreamDifferentialTests
{
    private static readonly string[] Streams = ["s0", "s1", "s2"];

    [Theory]
    [InlineData(20261126, 2)]
    [InlineData(11, 3)]
    public async Task Random_stream_commands_answer_as_redis_does(int seed, int protocol)
    {
        await using var loop = await InProcessRedis.StartAsync(Backend.Auto);
        await using var redis = await RealRedis.StartAsync();
        using var ours = await loop.ConnectAsync();
        using var theirs = await RespSocket.ConnectAsync(redis.EndPoint);
        // HELLO's reply names the server, so it is not compared.
        Assert.StartsWith(protocol == 3 ? "%" : "*", await theirs.CommandAsync("HELLO", $"{protocol}"));
        Assert.StartsWith(protocol == 3 ? "%" : "*", await ours.CommandAsync("HELLO", $"{protocol}"));
        var script = new List<string[]> { new[] { "RPUSH", "list", "a" } };
        script.AddRange(new Script(new Random(seed)).Commands(1500));
        script.AddRange(Streams.Select(key => new[] { "XINFO", "STREAM", key, "FULL", "COUNT", "0" }));
        for (var i = 0; i < script.Count; i++)
        {
            var expected = await theirs.CommandAsync(script[i]);
            var actual = await ours.CommandAsync(script[i]);
            if (expected != actual) { Assert.Fail($"command {i}: {string.Join(' ', script[i])}\nredis-server: {expected}\nloop-redis:   {actual}"); }
        }
    }

    /// <summary>Random stream commands over a few keys, from a seeded generator: the same seed, the same script.</summary>
    private sealed class Script(Random random)
    {
        private readonly Dictionary<string, long> _lastMs = Streams.ToDictionary(key => key, _ => 0L);

        public IEnumerable<string[]> Commands(int count)
        {
            for (var i = 0; i < count; i++) { yield return Next(); }
        }

        private string[] Next() => random.Next(100) switch
        {
            < 45 => XAdd(),
            < 50 => ["XLEN", Key()],
            < 60 => ["XRANGE", Key(), Bound(start: true), Bound(start: false), .. Count()],
            < 66 => ["XREVRANGE", Key(), Bound(start: false), Bound(start: true), .. Count()],
            < 74 => ["XDEL", Key(), .. Enumerable.Range(0, random.Next(1, 4)).Select(_ => Id(Pick(Streams)))],
            < 79 => ["XTRIM", Key(), .. Trim(), .. OneIn(15) ? new[] { Pick("LIMIT", "BOGUS") } : []],
            < 83 => XSetId(),
            < 90 => XRead(),
            < 95 => ["XINFO", "STREAM", Key()],
            < 97 => ["XINFO", "STREAM", Key(), "FULL", .. OneIn(2) ? new[] { "COUNT", $"{random.Next(-1, 4)}" } : []],
            _ => Pick<string[]>(["DEL", Pick(Streams)], ["TYPE", Key()], ["OBJECT", "ENCODING", Key()], ["EXISTS", Key()]),
        };

        private string[] XAdd()
        {
            var key = OneIn(30) ? Pick("missing", "list") : Pick(Streams);
            var parts = new List<string> { "XADD", key };
            if (OneIn(10)) { parts.Add("NOMKSTREAM"); }
            if (OneIn(6)) { parts.AddRange(Trim()); }
            parts.Add(NewId(key));
            var pairs = OneIn(40) ? 0 : random.Next(1, 4);
            for (var i = 0; i < pairs; i++)
            {
                parts.Add(OneIn(4) ? Pick("f", "g", "12") : $"f{i}");
                parts.Add(Value());
            }
            if (OneIn(40)) { parts.Add("odd"); }
            return [.. parts];
        }

        // Mostly above the key's last ID; sometimes equal, below, 0-0, "ms-*", or not an ID.
        private string NewId(string key)
        {
            var last = _lastMs.GetValueOrDefault(key);
            switch (random.Next(40))
            {
                case 0: return Pick("0-0", "0", "x", "-1", "1-x", "18446744073709551615-18446744073709551615", "+");
                case 1: return $"{Math.Max(last - random.Next(3), 0)}-{random.Next(3)}";
                case 2: return $"{last}-*";
            }
            var ms = _lastMs[key] = last + random.Next(0, 3);
            return random.Next(4) switch
            {
                0 => $"{ms}-*",
                1 => $"{ms}",
                _ => $"{ms}-{random.Next(1, 1000)}",
            };
        }

        // Short values, integers (listpacks store those smaller), and now and then large ones that fill a node early.
        private string Value() => random.Next(20) switch
        {
            0 => new string('v', random.Next(100, 1500)),
            < 6 => $"{random.NextInt64(-100_000, 100_000) * (OneIn(3) ? 100_000_000 : 1)}",
            _ => new string((char)('a' + random.Next(26)), random.Next(0, 12)),
        };

        private string[] Trim()
        {
            var byId = random.Next(3) == 0;
            var how = random.Next(4) switch { 0 => new[] { "=" }, 1 => ["~"], _ => [] };
            var threshold = byId ? Id(Pick(Streams)) : $"{(OneIn(20) ? -1 : random.Next(0, 260))}";
            var limit = how.Contains("~") && OneIn(3) ? new[] { "LIMIT", $"{random.Next(0, 300)}" } : OneIn(30) ? ["LIMIT", "5"] : [];
            var strategy = OneIn(40) ? "MAXLENS" : byId ? "MINID" : "MAXLEN";
            return [strategy, .. how, threshold, .. limit];
        }

        private string[] XSetId()
        {
            var parts = new List<string> { "XSETID", Key(), Id(Pick(Streams)) };
            if (OneIn(3)) { parts.AddRange(["ENTRIESADDED", $"{random.Next(-1, 400)}"]); }
            if (OneIn(3)) { parts.AddRange(["MAXDELETEDID", Id(Pick(Streams))]); }
            if (OneIn(20)) { parts.Add("BOGUS"); }
            return [.. parts];
        }

        private string[] XRead()
        {
            var keys = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Key()).ToList();
            var ids = keys.Select(key => OneIn(5) ? "$" : OneIn(30) ? ">" : Id(key)).ToList();
            if (OneIn(20)) { ids.RemoveAt(0); }
            return ["XREAD", .. OneIn(2) ? new[] { "COUNT", $"{random.Next(-1, 5)}" } : [], "STREAMS", .. keys, .. ids];
        }

        // An ID somewhere in a key's range: complete, incomplete, or (rarely) malformed.
        private string Id(string key)
        {
            var ms = random.NextInt64(0, _lastMs.GetValueOrDefault(key) + 3);
            return random.Next(12) switch
            {
                0 => $"{ms}",
                1 => Pick("x", "1-", "-", "+", "1--1", "01-2", "18446744073709551615-18446744073709551615"),
                _ => $"{ms}-{random.Next(0, 1000)}",
            };
        }

        private string Bound(bool start) => random.Next(10) switch
        {
            0 => start ? "-" : "+",
            1 => $"({Id(Pick(Streams))}",
            2 => Pick("(-", "(+", "(0-0", "(18446744073709551615-18446744073709551615", "x"),
            _ => Id(Pick(Streams)),
        };

        private string[] Count() => random.Next(4) == 0 ? ["COUNT", $"{random.Next(-1, 6)}"] : OneIn(30) ? ["LIMIT"] : [];

        private string Key() => OneIn(12) ? Pick("missing", "list") : Pick(Streams);

        private T Pick<T>(params T[] choices) => choices[random.Next(choices.Length)];

        private bool OneIn(int n) => random.Next(n) == 0;
    }
}
