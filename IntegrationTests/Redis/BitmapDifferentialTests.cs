using System.Text;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// The bitmap commands and LCS against the real redis-server 7.0 (test.sh installs it; its absence fails these tests):
/// a fixed, seeded script of random commands goes to both servers, every reply must be the same RESP, and so must every
/// key's value at the end. The script mixes valid and invalid offsets, widths, overflow modes, ranges (negative, BYTE
/// and BIT), missing keys and a key of another type, with the string commands that share the values.
/// </summary>
public sealed class BitmapDifferentialTests
{
    private static readonly string[] Keys = ["k0", "k1", "k2", "k3", "missing", "list"];
    private static readonly string[] Written = ["k0", "k1", "k2", "k3"];

    [Theory]
    [InlineData(20240601, 2)]
    [InlineData(7, 3)]
    public async Task Random_bitmap_and_lcs_commands_answer_as_redis_does(int seed, int protocol)
    {
        await using var pair = await ServerPair.StartAsync(protocol);
        var (ours, theirs) = (pair.Ours, pair.Theirs);
        var script = new List<string[]> { new[] { "RPUSH", "list", "a", "b" } };
        script.AddRange(new Script(new Random(seed)).Commands(400));
        script.AddRange(Written.Append("dest").Select(key => new[] { "GET", key }));

        for (var i = 0; i < script.Count; i++)
        {
            var command = script[i];
            await SameAsync(i, command);
            // After a write, the value written too: a difference shows at the command that made it.
            if (WrittenKey(command) is { } key) { await SameAsync(i, ["GET", key]); }
        }

        async Task SameAsync(int i, string[] command)
        {
            var expected = await theirs.CommandAsync(command);
            var actual = await ours.CommandAsync(command);
            if (expected != actual)
            {
                Assert.Fail($"command {i}: {Show(script[i])}\nthen {Show(command)}\nredis-server: {Show(expected)}\nloop-redis:   {Show(actual)}");
            }
        }
    }

    private static string? WrittenKey(string[] command) => command[0] switch
    {
        "SETBIT" or "BITFIELD" or "SET" or "APPEND" or "SETRANGE" or "DEL" => command[1],
        "BITOP" => command[2],
        _ => null,
    };

    private static string Show(params string[] parts) => string.Join(' ', parts.Select(p =>
        string.Concat(p.Select(ch => ch is >= ' ' and <= '~' ? ch.ToString() : $"\\x{(int)ch:x2}"))));

    /// <summary>Random commands over a few keys, from a seeded generator: the same seed, the same script.</summary>
    private sealed class Script(Random random)
    {
        public IEnumerable<string[]> Commands(int count)
        {
            for (var i = 0; i < count; i++) { yield return Next(); }
        }

        private string[] Next() => random.Next(100) switch
        {
            < 14 => ["SETBIT", Key(), Offset(), OneIn(12) ? Pick("2", "-1", "x") : Pick("0", "1")],
            < 22 => ["GETBIT", Key(), Offset()],
            < 34 => ["BITCOUNT", Key(), .. Range(allowShort: false)],
            < 46 => ["BITPOS", Key(), OneIn(15) ? Pick("2", "x") : Pick("0", "1"), .. Range(allowShort: true)],
            < 54 => BitOp(),
            < 72 => Bitfield("BITFIELD"),
            < 76 => Bitfield("BITFIELD_RO"),
            < 83 => Lcs(),
            < 88 => ["SET", Pick(Written), Text()],
            < 91 => ["APPEND", Pick(Written), Text()],
            < 93 => ["SETRANGE", Pick(Written), $"{random.Next(40)}", Text()],
            < 96 => ["GETRANGE", Key(), Number(30), Number(30)],
            < 98 => ["STRLEN", Key()],
            _ => ["DEL", Pick(Written)],
        };

        private string Key() => random.Next(12) == 0 ? Pick("missing", "list") : Pick(Written);

        private string Pick(params string[] choices) => choices[random.Next(choices.Length)];

        private bool OneIn(int n) => random.Next(n) == 0;

        // Mostly offsets within a few dozen bytes, now and then a few hundred; sometimes negative, past proto-max-bulk-len,
        // or not numbers.
        private string Offset() => random.Next(30) switch
        {
            0 => $"-{random.Next(1, 10)}",
            1 => Pick("4294967296", "99999999999999999999", "x", "", "1.5", "+3", "01"),
            2 => $"{random.Next(4000)}",
            _ => $"{random.Next(random.Next(2) == 0 ? 64 : 400)}",
        };

        private string Number(int magnitude) => $"{random.Next(-magnitude, magnitude + 1)}";

        // BITCOUNT's and BITPOS's [start [end [unit]]]: byte or bit indexes, negative ones, and some that are wrong.
        private string[] Range(bool allowShort)
        {
            var bits = random.Next(3) == 0;
            var magnitude = bits ? 300 : 40;
            var start = random.Next(25) == 0 ? "y" : Number(magnitude);
            var end = random.Next(25) == 0 ? "z" : Number(magnitude);
            var unit = random.Next(12) == 0 ? "bits" : bits ? Pick("BIT", "bit") : Pick("BYTE", "byte");
            return random.Next(9) switch
            {
                0 => [],
                1 => allowShort ? [start] : [start, end],
                2 => [start, end],
                3 => [start, end, unit, .. random.Next(4) == 0 ? new[] { "extra" } : []],
                _ => bits ? [start, end, unit] : [start, end, .. random.Next(2) == 0 ? new[] { unit } : []],
            };
        }

        private string[] BitOp()
        {
            var op = Pick("AND", "OR", "XOR", "NOT", "and", "xor", "NAND");
            var sources = op == "NOT" && random.Next(6) != 0 ? 1 : random.Next(1, 4);
            return ["BITOP", op, Pick([.. Written, "dest"]), .. Enumerable.Range(0, sources).Select(_ => Key())];
        }

        private string[] Bitfield(string name)
        {
            var parts = new List<string> { name, Key() };
            var operations = OneIn(20) ? 0 : random.Next(1, 6);
            for (var i = 0; i < operations; i++)
            {
                if (OneIn(3)) { parts.AddRange(["OVERFLOW", OneIn(40) ? "BOUNCE" : Pick("WRAP", "SAT", "FAIL", "wrap", "sat", "fail")]); }
                var type = Type(out var width);
                var offset = OneIn(8) ? $"#{random.Next(0, 12)}" : OneIn(60) ? Offset() : $"{random.Next(0, 200)}";
                var op = name == "BITFIELD_RO" && random.Next(6) != 0 ? "GET" : Pick("GET", "SET", "INCRBY", "get", "set", "incrby");
                parts.AddRange(op.Equals("GET", StringComparison.OrdinalIgnoreCase) ? [op, type, offset] : [op, type, offset, Value(width)]);
            }
            if (OneIn(40)) { parts.Add(Pick("GET", "SET", "POP")); }
            return [.. parts];
        }

        // i1..i64 and u1..u63 mostly; sometimes a width Redis refuses.
        private string Type(out int width)
        {
            var signed = random.Next(2) == 0;
            width = random.Next(8) == 0 ? Pick(1, 63, 64, 8, 16, 32) : random.Next(1, signed ? 65 : 64);
            return OneIn(80) ? Pick("u64", "i65", "i0", "x8", "u") : $"{(signed ? 'i' : 'u')}{width}";
        }

        private int Pick(params int[] choices) => choices[random.Next(choices.Length)];

        // SET values and increments: small, near the field's limits, or anywhere in 64 bits.
        private string Value(int width) => random.Next(6) switch
        {
            0 => $"{random.NextInt64(long.MinValue, long.MaxValue)}",
            1 => OneIn(15) ? "x" : Pick($"{long.MaxValue}", $"{long.MinValue}", "-1", "0"),
            2 => $"{(width >= 63 ? long.MaxValue : (1L << width) - 1) + random.Next(-2, 3)}",
            3 => $"{-(width >= 64 ? long.MaxValue : 1L << (width - 1)) + random.Next(-2, 3)}",
            _ => Number(300),
        };

        private string[] Lcs()
        {
            var options = new List<string[]>();
            foreach (var option in new[] { "LEN", "IDX", "WITHMATCHLEN" }) { if (random.Next(3) == 0) { options.Add([option]); } }
            if (random.Next(3) == 0) { options.Add(["MINMATCHLEN", Pick("0", "1", "2", "3", "-1", "x")]); }
            if (random.Next(20) == 0) { options.Add([Pick("BOGUS", "MINMATCHLEN")]); }
            return ["LCS", Key(), Key(), .. options.OrderBy(_ => random.Next()).SelectMany(option => option)];
        }

        // Short strings over a small alphabet (so LCS finds runs), sometimes with bytes of every value.
        private string Text()
        {
            var text = new StringBuilder();
            var length = random.Next(0, 24);
            var binary = random.Next(4) == 0;
            for (var i = 0; i < length; i++) { text.Append(binary ? (char)random.Next(256) : (char)('a' + random.Next(4))); }
            return text.ToString();
        }
    }
}
