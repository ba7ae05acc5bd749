using System.Buffers.Text;

namespace Loop.Samples.Http.Database;

/// <summary>The row count of <c>/queries?queries=N</c> and its kin: TechEmpower clamps it to 1..500, and a missing or bad one is 1.</summary>
public static class QueryCount
{
    /// <summary>The value of <paramref name="name"/> in <paramref name="query"/> (as <c>name=N</c>), clamped to 1..500.</summary>
    public static int Parse(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name)
    {
        while (!query.IsEmpty)
        {
            var end = query.IndexOf((byte)'&');
            var pair = end < 0 ? query : query[..end];
            query = end < 0 ? default : query[(end + 1)..];
            if (pair.Length <= name.Length || !pair.StartsWith(name) || pair[name.Length] != (byte)'=') { continue; }
            var value = pair[(name.Length + 1)..];
            if (!Utf8Parser.TryParse(value, out long count, out var used) || used != value.Length) { return 1; }
            return (int)Math.Clamp(count, 1, WorldDatabase.MaxQueries);
        }
        return 1;
    }
}
