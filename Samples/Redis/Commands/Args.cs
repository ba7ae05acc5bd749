using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Loop.Samples.Redis.Commands;

/// <summary>Argument parsing and the error texts clients match on, worded as Redis words them.</summary>
internal static class Args
{
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string NotFloat = "ERR value is not a valid float";
    public const string Syntax = "ERR syntax error";
    public const string Overflow = "ERR increment or decrement would overflow";
    public const string NoSuchKey = "ERR no such key";
    public const string IndexOutOfRange = "ERR index out of range";
    public const string OutOfLongRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

    public static string WrongArgumentCount(string command) => $"ERR wrong number of arguments for '{command.ToLowerInvariant()}' command";

    /// <summary>A timeout in milliseconds (CLIENT PAUSE, WAIT): Redis's error when it is not an integer or negative, else null.</summary>
    public static string? TimeoutError(ReadOnlySpan<byte> text, out long milliseconds)
    {
        if (!TryLong(text, out milliseconds)) { return "ERR timeout is not an integer or out of range"; }
        return milliseconds < 0 ? "ERR timeout is negative" : null;
    }

    public static bool Is(ReadOnlySpan<byte> argument, string word) => Ascii.EqualsIgnoreCase(argument, word);

    public static bool TryLong(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var used) && used == text.Length && text.Length > 0
        && !(text.Length > 1 && text[0] == (byte)'0') && !(text.Length > 1 && text[0] == (byte)'-' && text[1] == (byte)'0')
        && text[0] != (byte)'+';

    public static bool TryDouble(ReadOnlySpan<byte> text, out double value)
    {
        if (Ascii.EqualsIgnoreCase(text, "inf") || Ascii.EqualsIgnoreCase(text, "+inf")) { value = double.PositiveInfinity; return true; }
        if (Ascii.EqualsIgnoreCase(text, "-inf")) { value = double.NegativeInfinity; return true; }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value)
            && text.Length > 0 && !char.IsWhiteSpace((char)text[0]) && !char.IsWhiteSpace((char)text[^1]);
    }

    /// <summary>
    /// Redis's string2d (getDoubleFromObject: GEO's numbers, ZADD's and ZINCRBY's scores, weights): <see cref="TryDouble"/>, but a number beyond
    /// the double's range is refused, as strtod's ERANGE makes Redis refuse it: one that overflows (1e400) or one that
    /// underflows to zero (1e-400).
    /// </summary>
    public static bool TryDoubleInRange(ReadOnlySpan<byte> text, out double value)
    {
        if (!TryDouble(text, out value)) { return false; }
        var unsigned = text[0] is (byte)'+' or (byte)'-' ? text[1..] : text;
        if (double.IsInfinity(value)) { return unsigned.Length > 0 && (unsigned[0] | 0x20) == 'i'; }
        if (value != 0) { return true; }
        var mantissa = unsigned.IndexOfAny((byte)'e', (byte)'E') is var e and >= 0 ? unsigned[..e] : unsigned;
        return mantissa.IndexOfAnyInRange((byte)'1', (byte)'9') < 0;
    }

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    public static byte[] Bytes(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
