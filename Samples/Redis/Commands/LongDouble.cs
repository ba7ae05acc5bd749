using System.Numerics;
using System.Text;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// The x86 long double INCRBYFLOAT and HINCRBYFLOAT compute in (a 64-bit mantissa, exponents to ±16383): read as
/// strtold reads it, added and rounded to nearest-even as the FPU adds, printed as Redis's ld2string(LD_STR_HUMAN) prints
/// it (%.17Lf, trailing zeros cut, "-0" as "0"). A double cannot stand in: 0.1 + 0.2 reads "0.3" only with the extra bits,
/// and 123456789.123456789 prints its long double digits, 123456789.12345678899873747.
/// </summary>
internal readonly struct LongDouble
{
    private const int MantissaBits = 64, MinExponent = -16445, MaxExponent = 16320;

    // |value| = Mantissa * 2^Exponent; infinity has no mantissa.
    private readonly BigInteger _mantissa;
    private readonly int _exponent;
    private readonly bool _negative, _infinite;

    private LongDouble(bool negative, BigInteger mantissa, int exponent, bool infinite = false) =>
        (_negative, _mantissa, _exponent, _infinite) = (negative, mantissa, exponent, infinite);

    public bool IsInfinite => _infinite;

    /// <summary>
    /// Redis's string2ld: strtold over the whole text, refusing a leading blank, trailing characters, NaN, and a number
    /// that overflows or underflows to zero. Decimal numbers are read exactly; other spellings (hex, inf) as strtod reads them.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out LongDouble value)
    {
        value = default;
        if (Hexadecimal(text) is var (hexNegative, hexDigits, twos))
        {
            if (hexDigits.IsZero) { value = new(hexNegative, 0, 0); return true; }
            value = twos >= 0 ? Round(hexNegative, hexDigits << twos, 1) : Round(hexNegative, hexDigits, BigInteger.One << -twos);
            return !value._infinite && !value._mantissa.IsZero; // overflow and underflow are ERANGE to strtold
        }
        if (Decimal(text) is not { } parts)
        {
            if (!Strtod.TryString2d(text, out var number)) { return false; }
            value = FromDouble(number);
            return true;
        }
        var (negative, digits, power) = parts;
        if (digits.IsZero) { value = new(negative, 0, 0); return true; }
        if (power > 5000) { return false; }
        if (power < -5000) { return false; }
        value = power >= 0 ? Round(negative, digits * BigInteger.Pow(10, power), 1) : Round(negative, digits, BigInteger.Pow(10, -power));
        return !value._infinite && !value._mantissa.IsZero;
    }

    /// <summary>A double, exactly (a long double holds every double).</summary>
    public static LongDouble FromDouble(double value)
    {
        if (double.IsInfinity(value)) { return new(value < 0, 0, 0, infinite: true); }
        var bits = BitConverter.DoubleToUInt64Bits(value);
        var biased = (int)((bits >> 52) & 0x7FF);
        var fraction = bits & 0xFFFFFFFFFFFFFUL;
        return biased == 0 ? new(double.IsNegative(value), fraction, -1074) : new(double.IsNegative(value), fraction | (1UL << 52), biased - 1075);
    }

    public static LongDouble operator +(LongDouble a, LongDouble b)
    {
        if (a._infinite || b._infinite) { return a._infinite ? a : b; }
        var exponent = Math.Min(a._exponent, b._exponent);
        var sum = a.Signed() * BigInteger.Pow(2, a._exponent - exponent) + b.Signed() * BigInteger.Pow(2, b._exponent - exponent);
        // An exact zero sum is +0 unless both were -0, as the FPU rounds to nearest.
        if (sum.IsZero) { return new(a._negative && b._negative && a._mantissa.IsZero && b._mantissa.IsZero, 0, 0); }
        var result = exponent >= 0 ? Round(sum.Sign < 0, BigInteger.Abs(sum) << exponent, 1) : Round(sum.Sign < 0, BigInteger.Abs(sum), BigInteger.One << -exponent);
        return result;
    }

    /// <summary>
    /// These seconds as Redis 7.0's getTimeoutFromObjectOrReply takes them: (long long)ceill(seconds * 1000), the product
    /// rounded to a long double, then up (1e-400 s is 1 ms, -0.0001 s is 0, which waits forever); a product no long holds
    /// is long.MinValue, as the x87 conversion makes it, so Redis calls 1e16 seconds or inf negative.
    /// </summary>
    public long TimeoutMilliseconds()
    {
        if (_infinite) { return long.MinValue; }
        if (_mantissa.IsZero) { return 0; }
        var thousands = _mantissa * 1000;
        var product = _exponent >= 0 ? Round(_negative, thousands << _exponent, 1) : Round(_negative, thousands, BigInteger.One << -_exponent);
        if (product._infinite) { return long.MinValue; }
        var whole = product._exponent >= 0 ? product._mantissa << product._exponent : product._mantissa >> -product._exponent;
        if (product._negative) { whole = -whole; }
        else if (product._exponent < 0 && whole << -product._exponent != product._mantissa) { whole += 1; }
        return whole >= long.MinValue && whole <= long.MaxValue ? (long)whole : long.MinValue;
    }

    /// <summary>Redis's ld2string with LD_STR_HUMAN: %.17Lf, trailing zeros and a bare point cut, "-0" as "0".</summary>
    public byte[] ToHumanBytes()
    {
        var scaled = _mantissa * BigInteger.Pow(10, 17);
        scaled = _exponent >= 0 ? scaled << _exponent : RoundedDivide(scaled, BigInteger.One << -_exponent);
        var digits = scaled.ToString().PadLeft(18, '0');
        var text = (digits[..^17] + "." + digits[^17..]).TrimEnd('0').TrimEnd('.');
        return Encoding.ASCII.GetBytes(_negative && text != "0" ? "-" + text : text);
    }

    private BigInteger Signed() => _negative ? -_mantissa : _mantissa;

    // numerator / denominator (both positive) rounded to a 64-bit mantissa, to nearest-even; infinity past the range.
    private static LongDouble Round(bool negative, BigInteger numerator, BigInteger denominator)
    {
        var exponent = (int)(numerator.GetBitLength() - denominator.GetBitLength()) - MantissaBits;
        var mantissa = Quotient(numerator, denominator, exponent);
        if (mantissa.GetBitLength() > MantissaBits) { mantissa = Quotient(numerator, denominator, ++exponent); }
        else if (mantissa.GetBitLength() < MantissaBits) { mantissa = Quotient(numerator, denominator, --exponent); }
        if (exponent < MinExponent) { mantissa = Quotient(numerator, denominator, exponent = MinExponent); }
        if (mantissa.GetBitLength() > MantissaBits) { (mantissa, exponent) = (mantissa >> 1, exponent + 1); }
        return exponent > MaxExponent ? new(negative, 0, 0, infinite: true) : new(negative, mantissa, exponent);
    }

    // numerator / denominator / 2^exponent, rounded to nearest-even.
    private static BigInteger Quotient(BigInteger numerator, BigInteger denominator, int exponent) =>
        exponent >= 0 ? RoundedDivide(numerator, denominator << exponent) : RoundedDivide(numerator << -exponent, denominator);

    private static BigInteger RoundedDivide(BigInteger numerator, BigInteger denominator)
    {
        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        var twice = remainder * 2;
        return twice > denominator || (twice == denominator && !quotient.IsEven) ? quotient + 1 : quotient;
    }

    // strtold's hexadecimal form, [+-]0x hexdigits[.hexdigits][p[+-]digits]: its sign, its digits as one integer, and
    // the power of two they take.
    private static (bool Negative, BigInteger Digits, int Power)? Hexadecimal(ReadOnlySpan<byte> text)
    {
        var i = text.Length > 0 && text[0] is (byte)'-' or (byte)'+' ? 1 : 0;
        if (text.Length < i + 3 || text[i] != (byte)'0' || (text[i + 1] | 0x20) != (byte)'x') { return null; }
        var (digits, power, any) = (BigInteger.Zero, 0, false);
        var point = false;
        for (i += 2; i < text.Length; i++)
        {
            if (text[i] == (byte)'.' && !point) { point = true; continue; }
            if (!char.IsAsciiHexDigit((char)text[i])) { break; }
            digits = digits * 16 + Convert.ToInt32(((char)text[i]).ToString(), 16);
            power -= point ? 4 : 0;
            any = true;
        }
        if (!any) { return null; }
        if (i < text.Length && (text[i] | 0x20) == (byte)'p')
        {
            if (Exponent(text[(i + 1)..]) is not { } e) { return null; }
            power += e;
            i = text.Length;
        }
        return i == text.Length ? (text[0] == (byte)'-', digits, power) : null;
    }

    // [+-]digits, saturating far beyond any long double's exponent (strtold reads any length: it overflows or underflows).
    private static int? Exponent(ReadOnlySpan<byte> text)
    {
        var negative = text.Length > 0 && text[0] == (byte)'-';
        var i = text.Length > 0 && text[0] is (byte)'-' or (byte)'+' ? 1 : 0;
        if (i == text.Length) { return null; }
        var value = 0;
        for (; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit((char)text[i])) { return null; }
            value = Math.Min(value * 10 + (text[i] - '0'), 1_000_000);
        }
        return negative ? -value : value;
    }

    // [+-]digits[.digits][e[+-]digits] (or .digits): its sign, its digits as one integer, and the power of ten they take.
    private static (bool Negative, BigInteger Digits, int Power)? Decimal(ReadOnlySpan<byte> text)
    {
        var i = 0;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        if (text.Length > 0 && text[0] is (byte)'-' or (byte)'+') { i++; }
        var digits = new StringBuilder();
        var (before, after) = (0, 0);
        for (; i < text.Length && char.IsAsciiDigit((char)text[i]); i++, before++) { digits.Append((char)text[i]); }
        if (i < text.Length && text[i] == (byte)'.')
        {
            for (i++; i < text.Length && char.IsAsciiDigit((char)text[i]); i++, after++) { digits.Append((char)text[i]); }
        }
        if (before + after == 0) { return null; }
        var power = -after;
        if (i < text.Length && text[i] is (byte)'e' or (byte)'E')
        {
            if (Exponent(text[(i + 1)..]) is not { } e) { return null; }
            power += e;
            i = text.Length;
        }
        return i == text.Length ? (negative, BigInteger.Parse(digits.ToString()), power) : null;
    }
}
