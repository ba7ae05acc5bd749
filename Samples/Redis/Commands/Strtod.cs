using System.Globalization;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// A number read as SORT reads its scores: C's strtod on the value as a C string (it ends at the first NUL), in the C
/// locale, and refused when anything is left over, when the result is NaN, or when strtod reports ERANGE (beyond the
/// doubles, or a decimal too small for a normal double). So leading whitespace, a '+', "5.", ".5", "inf",
/// "-Infinity" and hexadecimal ("0x1p-3") are numbers; "", which strtod leaves whole, is 0.
/// </summary>
internal static class Strtod
{
    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var nul = text.IndexOf((byte)0);
        if (nul >= 0) { text = text[..nul]; }
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
        else if (rest.Length > 2 && rest[0] == (byte)'0' && (rest[1] | 0x20) == (byte)'x' && IsHexStart(rest[2..]))
        {
            parsed = TryHex(rest[2..], out value);
        }
        else
        {
            parsed = TryDecimal(rest, out value);
        }
        if (negative) { value = -value; }
        return parsed;
    }

    // digits [. digits] [e [sign] digits], at least one digit before the exponent. Overflow is ERANGE; so is a
    // result that underflows to zero or to a subnormal, which glibc reports for any inexact tiny result (a decimal's).
    private static bool TryDecimal(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
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
        return !double.IsInfinity(value) && !(nonZero && Math.Abs(value) < MinNormal);
    }

    // hex digits [. hex digits] [p [sign] digits]: the mantissa times a power of two. ERANGE as for decimals, except
    // that a tiny result that is exact is not one.
    private static bool TryHex(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
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
        if (double.IsInfinity(value)) { return false; }
        var exact = !lost && (ulong)(double)mantissa == mantissa && Math.ScaleB(value, -scale) == mantissa;
        return mantissa == 0 || Math.Abs(value) >= MinNormal || exact;
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
