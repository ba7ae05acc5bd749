using Loop.Protocols.Resp;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Commands;

/// <summary>MATCH, COUNT, TYPE (SCAN) and NOVALUES (HSCAN) of the SCAN family.</summary>
internal sealed class ScanOptions
{
    public byte[]? Pattern { get; private set; }
    public int Count { get; private set; } = 10;
    public string? Type { get; private set; }
    public bool NoValues { get; private set; }

    public static bool TryParse(RespCommand c, int first, out ScanOptions options, out string? error, bool allowType = true, bool allowNoValues = false)
    {
        options = new ScanOptions();
        error = null;
        for (var i = first; i < c.Count; i++)
        {
            if (allowNoValues && Args.Is(c[i], "NOVALUES")) { options.NoValues = true; continue; }
            if (i + 1 >= c.Count) { error = Args.Syntax; return false; }
            if (Args.Is(c[i], "MATCH")) { options.Pattern = c[++i].ToArray(); }
            else if (Args.Is(c[i], "COUNT"))
            {
                if (!Args.TryLong(c[++i], out var count)) { error = Args.NotInteger; return false; }
                if (count < 1) { error = Args.Syntax; return false; }
                options.Count = (int)Math.Min(count, int.MaxValue);
            }
            else if (allowType && Args.Is(c[i], "TYPE")) { options.Type = Args.Text(c[++i]).ToLowerInvariant(); }
            else { error = Args.Syntax; return false; }
        }
        return true;
    }

    /// <summary>True when <paramref name="key"/> (holding <paramref name="value"/>, null if expired) passes MATCH and TYPE.</summary>
    public bool Matches(ReadOnlySpan<byte> key, object? value) =>
        value is not null && (Pattern is null || Glob.Match(Pattern, key)) && (Type is null || RedisValue.TypeName(value) == Type);
}
