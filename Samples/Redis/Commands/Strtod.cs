using System.Globalization;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// C's strtod (glibc, C locale) as Redis's parsers of doubles use it: leading whitespace skipped, a sign, then "inf" or
/// "infinity", "nan" or "nan(chars)", hexadecimal ("0x1.8p3", the power of two in decimal) or decimal ("5.", ".5",
/// "1e-3"), in any case; ERANGE beyond the doubles, or for a result too small for a normal double that is not exact (every
/// such decimal). Each entry point is one of Redis's callers, with its rule for blanks, what is left over, NaN and ERANGE.
/// </summary>
internal static class Strtod
{
    /// <summary>
    /// SORT's scores: strtod on the value as a C string (it ends at the first NUL), refused when anything is left over,
    /// NaN, or ERANGE. So leading whitespace and hexadecimal are numbers, and "", which strtod leaves whole, is 0.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out double value) =>
        TryWhole(CString(text), out value, out var outOfRange) && !outOfRange && !double.IsNaN(value);

    /// <summary>
    /// Redis's string2d (getDoubleFromObject): ZADD's and ZINCRBY's scores, WEIGHTS, GEO's coordinates, radius, width
    /// and height, latency-tracking-info-percentiles. Refused when empty, with a leading blank, with anything left over
    /// (a NUL too), NaN, or ERANGE with an infinite or zero result: 1e400 and 1e-400 are not floats, 1e-310 (denormal) is.
    /// </summary>
    public static bool TryString2d(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.IsEmpty || IsSpace(text[0]) || text.Contains((byte)0)) { return false; }
        return TryWhole(text, out value, out var outOfRange) && !double.IsNaN(value)
            && !(outOfRange && (double.IsInfinity(value) || value == 0));
    }

    /// <summary>
    /// A score range's bound after its '(' (zslParseRange: ZRANGEBYSCORE, ZCOUNT, ZREMRANGEBYSCORE, ZRANGE BYSCORE):
    /// strtod up to the first NUL, refused only for what is left over or NaN. Leading whitespace is skipped, "" is 0,
    /// and ERANGE is no error: 1e400 is infinity, 1e-400 zero.
    /// </summary>
    public static bool TryRangeBound(ReadOnlySpan<byte> text, out double value) =>
        TryWhole(CString(text), out value, out _) && !double.IsNaN(value);

    // strtod over the whole of text: false when it leaves anything (an empty text it leaves whole, as 0); NaN for "nan".
    private static bool TryWhole(ReadOnlySpan<byte> text, out double value, out bool outOfRange)
    {
        value = 0;
        outOfRange = false;
        if (text.IsEmpty) { return true; } // nothing converted, and the end pointer stands on the terminator
        var i = 0;
        while (i < text.Length && IsSpace(text[i])) { i++; }
        var negative = i < text.Length && text[i] == (byte)'-';
        if (i < text.Length && text[i] is (byte)'-' or (byte)'+') { i++; }
        var rest = text[i..];
        bool parsed;
        if (StartsWith(rest, "inf"))
        {
            value = double.PositiveInfinity;
            parsed = rest.Length == 3 || (rest.Length == 8 && StartsWith(rest, "infinity"));
        }
        else if (StartsWith(rest, "nan"))
        {
            value = double.NaN;
            parsed = rest.Length == 3 || (rest[^1] == (byte)')' && rest[3] == (byte)'(' && IsNanChars(rest[4..^1]));
        }
        else if (rest.Length > 2 && rest[0] == (byte)'0' && (rest[1] | 0x20) == (byte)'x' && IsHexStart(rest[2..]))
        {
            parsed = TryHex(rest[2..], out value, out outOfRange);
        }
        else
        {
            parsed = TryDecimal(rest, out value, out outOfRange);
        }
        if (negative) { value = -value; }
        return parsed;
    }

    // nan(chars): letters, digits and underscores.
    private static bool IsNanChars(ReadOnlySpan<byte> chars)
    {
        foreach (var c in chars) { if (!char.IsAsciiLetterOrDigit((char)c) && c != (byte)'_') { return false; } }
        return true;
    }

    private static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> text)
    {
        var nul = text.IndexOf((byte)0);
        return nul >= 0 ? text[..nul] : text;
    }

    // digits [. digits] [e [sign] digits], at least one digit before the exponent. Overflow is ERANGE; so is a
    // result that underflows to zero or to a subnormal, which glibc reports for any inexact tiny result (a decimal's).
    private static bool TryDecimal(ReadOnlySpan<byte> text, out double value, out bool outOfRange)
    {
        value = 0;
        outOfRange = false;
        var i = 0;
        var digits = 0;
        var nonZero = false;
        for (; i < text.Length && char.IsAsciiDigit((char)text[i]); i++) { digits++; nonZero |= text[i] != (byte)'0'; }
        if (i < text.Length && text[i] == (byte)'.')
        {
            for (i++; i < text.Length && char.IsAsciiDigit((char)text[i]); i++) { digits++; nonZero |= text[i] != (byte)'0'; }
        }
        if (digits == 0 || !ExponentRunsToEnd(text[i..], (byte)'e')) { return false; }
        value = double.Parse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);
        outOfRange = double.IsInfinity(value) || (nonZero && Math.Abs(value) < MinNormal);
        return true;
    }

    // hex digits [. hex digits] [p [sign] digits]: the mantissa times a power of two. ERANGE as for decimals, except
    // that a tiny result that is exact is not one.
    private static bool TryHex(ReadOnlySpan<byte> text, out double value, out bool outOfRange)
    {
        value = 0;
        outOfRange = false;
        ulong mantissa = 0;
        var exponent = 0L;
        var lost = false;
        var i = 0;
        var fraction = false;
        for (; i < text.Length; i++)
        {
            if (text[i] == (byte)'.' && !fraction) { fraction = true; continue; }
            var digit = HexValue(text[i]);
            if (digit < 0) { break; }
            if (mantissa >> 56 == 0)
            {
                mantissa = mantissa << 4 | (uint)digit;
                if (fraction) { exponent -= 4; }
            }
            else
            {
                lost |= digit != 0;
                if (!fraction) { exponent += 4; }
            }
        }
        if (!ExponentRunsToEnd(text[i..], (byte)'p')) { return false; }
        if (i < text.Length) { exponent += BinaryExponent(text[(i + 1)..]); }
        var scale = (int)Math.Clamp(exponent, -4000, 4000);
        value = Math.ScaleB(mantissa, scale);
        var exact = !lost && (ulong)(double)mantissa == mantissa && Math.ScaleB(value, -scale) == mantissa;
        outOfRange = double.IsInfinity(value) || (mantissa != 0 && Math.Abs(value) < MinNormal && !exact);
        return true;
    }

    // p's signed decimal exponent, saturated far beyond where any double ends.
    private static long BinaryExponent(ReadOnlySpan<byte> text)
    {
        var negative = text[0] == (byte)'-';
        var magnitude = 0L;
        foreach (var c in text[(text[0] is (byte)'-' or (byte)'+' ? 1 : 0)..]) { magnitude = Math.Min(magnitude * 10 + (c - '0'), 100_000); }
        return negative ? -magnitude : magnitude;
    }

    // Nothing left, or an exponent marker, an optional sign and digits up to the end (strtod would stop before a marker
    // without digits, leaving it over: refused all the same).
    private static bool ExponentRunsToEnd(ReadOnlySpan<byte> rest, byte marker)
    {
        if (rest.IsEmpty) { return true; }
        if ((rest[0] | 0x20) != marker) { return false; }
        var i = 1;
        if (i < rest.Length && rest[i] is (byte)'-' or (byte)'+') { i++; }
        if (i == rest.Length) { return false; }
        for (; i < rest.Length; i++) { if (!char.IsAsciiDigit((char)rest[i])) { return false; } }
        return true;
    }

    private const double MinNormal = 2.2250738585072014E-308;

    private static bool IsHexStart(ReadOnlySpan<byte> text) => HexValue(text[0]) >= 0 || (text.Length > 1 && text[0] == (byte)'.' && HexValue(text[1]) >= 0);

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static bool StartsWith(ReadOnlySpan<byte> text, string word) =>
        text.Length >= word.Length && System.Text.Ascii.EqualsIgnoreCase(text[..word.Length], word);
}
