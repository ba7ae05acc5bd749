using System.Buffers.Text;
using System.Globalization;

namespace Loop.Samples.Redis.Persistence;

/// <summary>Numbers the format stores as text, or that it hands back as text.</summary>
internal static class RdbText
{
    /// <summary>An integer's decimal spelling: what an integer-encoded string or packed entry stands for.</summary>
    public static byte[] Digits(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var written);
        return digits[..written].ToArray();
    }

    /// <summary>
    /// A score written as text (in ziplists, listpacks and old files' RDB_TYPE_ZSET): decimals and exponents as
    /// strtod reads Redis's %.17g, and inf, -inf. NaN is refused, as Redis refuses it.
    /// </summary>
    public static bool TryParseScore(ReadOnlySpan<byte> text, out double score)
    {
        if (text.SequenceEqual("inf"u8) || text.SequenceEqual("+inf"u8)) { score = double.PositiveInfinity; return true; }
        if (text.SequenceEqual("-inf"u8)) { score = double.NegativeInfinity; return true; }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out score) && !double.IsNaN(score);
    }
}
