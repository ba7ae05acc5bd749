using System.Numerics;
using System.Text;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// C's <c>printf("%.Nf")</c> of a double, as glibc writes it: the exact binary value rounded to N decimals, an exact
/// tie to the even digit. Redis prints geo distances with <c>%.4f</c>, coordinates with <c>%.17Lf</c> (the double
/// widened exactly to a long double, then trailing zeros cut) and bad coordinates in errors with <c>%f</c>.
/// </summary>
internal static class FixedPoint
{
    /// <summary>Enough for any value <see cref="Format"/> takes the fast path for (below 2^64, up to 17 decimals).</summary>
    public const int MaxFastLength = 40;

    /// <summary><c>%.{decimals}f</c> of <paramref name="value"/> (decimals up to 17).</summary>
    public static string ToString(double value, int decimals)
    {
        if (double.IsNaN(value)) { return double.IsNegative(value) ? "-nan" : "nan"; }
        if (double.IsInfinity(value)) { return value < 0 ? "-inf" : "inf"; }
        var (sign, scaled) = Scale(value, decimals);
        return sign + Place(scaled.ToString(), decimals);
    }

    /// <summary>
    /// <c>%.{decimals}f</c> of a finite <paramref name="value"/> below 2^64 in magnitude, written to
    /// <paramref name="destination"/> without allocating; returns its length.
    /// </summary>
    public static int Format(double value, int decimals, Span<byte> destination)
    {
        if (!double.IsFinite(value) || Math.Abs(value) >= 18446744073709551616.0) { return Encoding.ASCII.GetBytes(ToString(value, decimals), destination); }
        var (mantissa, exponent) = Decompose(value);
        var scaled = (UInt128)mantissa * Pow10(decimals);
        if (exponent >= 0) { scaled <<= exponent; }
        else if (exponent <= -120) { scaled = 0; } // below half a unit of the last decimal: scaled < 2^110
        else { scaled = RoundedShift(scaled, -exponent); }
        var n = 0;
        if (double.IsNegative(value)) { destination[n++] = (byte)'-'; }
        Span<byte> digits = stackalloc byte[40];
        var count = 0;
        do
        {
            digits[count++] = (byte)('0' + (int)(scaled % 10));
            scaled /= 10;
        }
        while (scaled != 0);
        // At least one digit before the point.
        while (count <= decimals) { digits[count++] = (byte)'0'; }
        for (var i = count - 1; i >= 0; i--)
        {
            if (i == decimals - 1) { destination[n++] = (byte)'.'; }
            destination[n++] = digits[i];
        }
        return n;
    }

    /// <summary>
    /// Redis's human long double (LD_STR_HUMAN): <c>%.17Lf</c> with the trailing zeros, and a point left bare, cut; "-0"
    /// becomes "0". A double widened to a long double keeps its exact value, so this is <c>%.17f</c> of the double.
    /// </summary>
    public static int FormatHuman(double value, Span<byte> destination)
    {
        var n = Format(value, 17, destination);
        if (destination[..n].IndexOf((byte)'.') >= 0)
        {
            while (destination[n - 1] == (byte)'0') { n--; }
            if (destination[n - 1] == (byte)'.') { n--; }
        }
        if (n == 2 && destination[0] == (byte)'-' && destination[1] == (byte)'0')
        {
            destination[0] = (byte)'0';
            n = 1;
        }
        return n;
    }

    // |value| * 10^decimals rounded to an integer, ties to even, for any finite value.
    private static (string Sign, BigInteger Scaled) Scale(double value, int decimals)
    {
        var (mantissa, exponent) = Decompose(value);
        var scaled = new BigInteger(mantissa) * BigInteger.Pow(10, decimals);
        if (exponent >= 0) { scaled <<= exponent; }
        else
        {
            var quotient = scaled >> -exponent;
            var remainder = scaled - (quotient << -exponent);
            var half = BigInteger.One << (-exponent - 1);
            if (remainder > half || (remainder == half && !quotient.IsEven)) { quotient++; }
            scaled = quotient;
        }
        return (double.IsNegative(value) ? "-" : "", scaled);
    }

    private static string Place(string digits, int decimals)
    {
        if (decimals == 0) { return digits; }
        digits = digits.PadLeft(decimals + 1, '0');
        return digits[..^decimals] + "." + digits[^decimals..];
    }

    // |value| = mantissa * 2^exponent, the mantissa an integer below 2^53.
    private static (ulong Mantissa, int Exponent) Decompose(double value)
    {
        var bits = BitConverter.DoubleToUInt64Bits(value);
        var biased = (int)((bits >> 52) & 0x7FF);
        var fraction = bits & 0xFFFFFFFFFFFFFUL;
        return biased == 0 ? (fraction, -1074) : (fraction | (1UL << 52), biased - 1075);
    }

    private static UInt128 RoundedShift(UInt128 value, int shift)
    {
        var quotient = value >> shift;
        var remainder = value - (quotient << shift);
        var half = (UInt128)1 << (shift - 1);
        if (remainder > half || (remainder == half && (quotient & 1) != 0)) { quotient++; }
        return quotient;
    }

    private static UInt128 Pow10(int exponent)
    {
        UInt128 result = 1;
        for (var i = 0; i < exponent; i++) { result *= 10; }
        return result;
    }
}
