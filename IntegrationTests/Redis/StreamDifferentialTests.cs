using System.Text.RegularExpressions;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// The stream commands against the real redis-server 7.0: a fixed, seeded script of random commands with explicit IDs
/// (automatic ones depend on the clock) goes to both servers and every reply must be the same RESP, XINFO STREAM FULL
/// of every key at the end included. The script adds enough entries, some of them large, for nodes to fill and split
/// where Redis's do (with the default node limits and with others CONFIG SET), so approximate trimming, radix-tree-keys
/// and radix-tree-nodes are compared too; it mixes valid and
/// invalid IDs, exclusive and incomplete ranges, every trimming option, missing keys and a key of another type. A second
/// script works consumer groups (reads, acknowledgements, claims, deletions under pending entries); there the clock's
/// readings (delivery and seen times, idle times) are masked, and claims ask for no idle time or an unreachable one.
/// </summary>
public sealed partial class StreamDifferentialTests
{
    private static readonly string[] Streams = ["s0", "s1", "s2"];

    [Theory]
    [InlineData(20261126, 2, 100, "4096")]
    [InlineData(11, 3, 100, "4096")]
    [InlineData(3, 2, 7, "300")]
    [InlineData(4, 3, 0, "1kb")]
    public Task Random_stream_commands_answer_as_redis_does(int seed, int protocol, int nodeEntries, string nodeBytes) =>
        CompareAsync(protocol, [["CONFIG", "SET", "stream-node-max-entries", $"{nodeEntries}"], ["CONFIG", "SET", "stream-node-max-bytes", nodeBytes],
            ["CONFIG", "GET", "stream-node-max-bytes"], .. new Script(new Random(seed)).Commands(1500),
            .. Streams.Select(key => new[] { "XINFO", "STREAM", key, "FULL", "COUNT", "0" })]);

    [Theory]
    [InlineData(20261127, 2)]
    [InlineData(5, 3)]
    public Task Random_consumer_group_commands_answer_as_redis_does(int seed, int protocol) =>
        CompareAsync(protocol, [.. new GroupScript(new Random(seed)).Commands(1500),
            .. Streams.SelectMany(key => new[] { new[] { "XINFO", "STREAM", key, "FULL", "COUNT", "0" }, ["XINFO", "GROUPS", key] })]);

    // Both servers, in RESP `protocol`, get a key of another type and then the script, and must answer alike.
    private static async Task CompareAsync(int protocol, List<string[]> script)
    {
        await using var pair = await ServerPair.StartAsync(protocol);
        var (ours, theirs) = (pair.Ours, pair.Theirs);
        script.Insert(0, ["RPUSH", "list", "a"]);
        for (var i = 0; i < script.Count; i++)
        {
            var expected = Masked(script[i], await theirs.CommandAsync(script[i]));
            var actual = Masked(script[i], await ours.CommandAsync(script[i]));
            if (expected != actual) { Assert.Fail($"command {i}: {string.Join(' ', script[i])}\nredis-server: {expected}\nloop-redis:   {actual}"); }
        }
    }

    // The clock's readings: Unix times in milliseconds (13 digits; the script's IDs are far smaller), XPENDING's idle
    // times (the third of each entry's four fields) and XINFO CONSUMERS' idle field.
    private static string Masked(string[] command, string reply)
    {
        reply = UnixTime().Replace(reply, ":<time>\r\n");
        if (command[0] == "XPENDING" && command.Length > 3) { reply = PendingIdle().Replace(reply, "$1:<idle>\r\n"); }
        if (command is ["XINFO", "CONSUMERS", ..]) { reply = ConsumerIdle().Replace(reply, "$1:<idle>\r\n"); }
        return reply;
    }

    [GeneratedRegex(@":1\d{12}\r\n")]
    private static partial Regex UnixTime();

    [GeneratedRegex(@"(\*4\r\n\$\d+\r\n[^\r]*\r\n\$\d+\r\n[^\r]*\r\n):\d+\r\n")]
    private static partial Regex PendingIdle();

    [GeneratedRegex(@"(\$4\r\nidle\r\n):\d+\r\n")]
    private static partial Regex ConsumerIdle();

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

    /// <summary>Consumer group commands over a few streams, groups and consumers, with enough entries added and deleted between them.</summary>
    private sealed class GroupScript(Random random)
    {
        private static readonly string[] GroupNames = ["g1", "g2", "g3"];
        private static readonly string[] Consumers = ["alice", "bob", "carol"];
        private readonly Dictionary<string, long> _lastMs = Streams.ToDictionary(key => key, _ => 0L);
        private readonly Dictionary<string, List<string>> _added = Streams.ToDictionary(key => key, _ => new List<string>());

        // Every group on every stream first, so most commands find theirs; later ones come and go.
        public IEnumerable<string[]> Commands(int count)
        {
            foreach (var key in Streams)
            {
                foreach (var group in GroupNames) { yield return ["XGROUP", "CREATE", key, group, "0", "MKSTREAM"]; }
            }
            for (var i = 0; i < count; i++) { yield return Next(); }
        }

        private string[] Next() => random.Next(100) switch
        {
            < 22 => XAdd(),
            < 27 => ["XDEL", Key(), .. Enumerable.Range(0, random.Next(1, 3)).Select(_ => Id(Pick(Streams)))],
            < 29 => ["XTRIM", Key(), "MAXLEN", $"{random.Next(0, 40)}"],
            < 36 => XGroup(),
            < 54 => XReadGroup(),
            < 62 => ["XACK", Key(), Group(), .. Enumerable.Range(0, random.Next(1, 4)).Select(_ => OneIn(20) ? "x" : Id(Pick(Streams)))],
            < 72 => XPending(),
            < 80 => XClaim(),
            < 86 => XAutoClaim(),
            < 90 => ["XINFO", "GROUPS", Key()],
            < 93 => ["XINFO", "CONSUMERS", Key(), Group()],
            < 96 => ["XINFO", "STREAM", Key(), "FULL", .. OneIn(2) ? new[] { "COUNT", $"{random.Next(0, 4)}" } : []],
            < 98 => ["XINFO", "STREAM", Key()],
            _ => ["XSETID", Key(), Id(Pick(Streams)), .. OneIn(2) ? new[] { "ENTRIESADDED", $"{random.Next(0, 300)}" } : []],
        };

        private string[] XAdd()
        {
            var key = Pick(Streams);
            var ms = _lastMs[key] += random.Next(1, 3);
            var id = $"{ms}-{random.Next(0, 3)}";
            _added[key].Add(id);
            return ["XADD", key, id, "f", $"{random.Next(1000)}", .. OneIn(3) ? new[] { "g", "x" } : []];
        }

        private string[] XGroup() => random.Next(12) switch
        {
            0 => ["XGROUP", "CREATE", OneIn(4) ? "fresh" : Key(), Group(), StartId(), .. OneIn(3) ? new[] { "MKSTREAM" } : [],
                .. OneIn(4) ? new[] { "ENTRIESREAD", $"{random.Next(-2, 30)}" } : []],
            < 5 => ["XGROUP", "CREATE", Key(), Group(), StartId()],
            < 7 => ["XGROUP", "SETID", Key(), Group(), OneIn(4) ? Pick("-", "+", "$") : StartId(), .. OneIn(3) ? new[] { "ENTRIESREAD", $"{random.Next(-1, 30)}" } : []],
            7 => ["XGROUP", "DESTROY", Key(), Group()],
            < 10 => ["XGROUP", "CREATECONSUMER", Key(), Group(), Consumer()],
            10 => ["XGROUP", "DELCONSUMER", Key(), Group(), Consumer()],
            _ => ["XGROUP", Pick("HELP", "BOGUS", "CREATE"), .. OneIn(2) ? new[] { Key() } : []],
        };

        private string[] XReadGroup()
        {
            var keys = Enumerable.Range(0, random.Next(1, 3)).Select(_ => Key()).ToList();
            var ids = keys.Select(_ => random.Next(10) switch { < 6 => ">", 6 => "0", 7 => Pick("$", "x"), _ => Id(Pick(Streams)) });
            var options = new List<string>();
            if (OneIn(2)) { options.AddRange(["COUNT", $"{random.Next(0, 6)}"]); }
            if (OneIn(6)) { options.Add("NOACK"); }
            return ["XREADGROUP", "GROUP", Group(), Consumer(), .. options, "STREAMS", .. keys, .. ids];
        }

        private string[] XPending()
        {
            if (OneIn(3)) { return ["XPENDING", Key(), Group()]; }
            var idle = OneIn(4) ? new[] { "IDLE", Pick("0", "100000000") } : [];
            var consumer = OneIn(3) ? new[] { Consumer() } : [];
            return ["XPENDING", Key(), Group(), .. idle, OneIn(5) ? $"({Id(Pick(Streams))}" : "-", "+", $"{random.Next(-1, 8)}", .. consumer];
        }

        private string[] XClaim()
        {
            var ids = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Id(Pick(Streams)));
            var options = new List<string>();
            if (OneIn(4)) { options.Add("FORCE"); }
            if (OneIn(4)) { options.Add("JUSTID"); }
            if (OneIn(5)) { options.AddRange(["RETRYCOUNT", $"{random.Next(0, 5)}"]); }
            if (OneIn(6)) { options.AddRange(["LASTID", Id(Pick(Streams))]); }
            if (OneIn(20)) { options.Add("BOGUS"); }
            return ["XCLAIM", Key(), Group(), Consumer(), MinIdle(), .. ids, .. options];
        }

        private string[] XAutoClaim() =>
            ["XAUTOCLAIM", Key(), Group(), Consumer(), MinIdle(), OneIn(3) ? "0" : Id(Pick(Streams)),
                .. OneIn(2) ? new[] { "COUNT", $"{random.Next(0, 5)}" } : [], .. OneIn(4) ? new[] { "JUSTID" } : []];

        // No idle time asked (every entry qualifies) or one no entry reaches, so the clock decides nothing.
        private string MinIdle() => random.Next(8) switch { 0 => "100000000", 1 => Pick("-5", "x"), _ => "0" };

        private string StartId() => random.Next(4) switch { 0 => "$", 1 => "0", _ => Id(Pick(Streams)) };

        // Mostly an ID the script added to that stream (likely pending somewhere), else any in its range.
        private string Id(string key)
        {
            if (_added.TryGetValue(key, out var added) && added.Count > 0 && random.Next(10) < 7) { return added[random.Next(Math.Max(0, added.Count - 30), added.Count)]; }
            var ms = random.NextInt64(0, _lastMs.GetValueOrDefault(key) + 2);
            return OneIn(15) ? $"{ms}" : $"{ms}-{random.Next(0, 3)}";
        }

        private string Key() => OneIn(20) ? Pick("missing", "list") : Pick(Streams);

        private string Group() => OneIn(15) ? "nogroup" : Pick(GroupNames);

        private string Consumer() => Pick(Consumers);

        private T Pick<T>(params T[] choices) => choices[random.Next(choices.Length)];

        private bool OneIn(int n) => random.Next(n) == 0;
    }
}
