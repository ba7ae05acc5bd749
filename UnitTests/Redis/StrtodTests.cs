using System.Text;
using Loop.Samples.Redis.Commands;

namespace Loop.UnitTests.Redis;

/// <summary>
/// Numbers read as glibc's strtod reads them, with each of Redis's callers' rules for blanks, what is left over, NaN and
/// ERANGE: SORT's, string2d's and zslParseRange's (checked against redis-server 7.0, see DoubleArgumentDifferentialTests).
/// </summary>
public sealed class StrtodTests
{
    [Theory]
    [InlineData("42", 42)]
    [InlineData("-1.5", -1.5)]
    [InlineData("+.5", 0.5)]
    [InlineData("5.", 5)]
    [InlineData("1e3", 1000)]
    [InlineData("1E-2", 0.01)]
    [InlineData(" \t\n7", 7)]
    [InlineData("", 0)]
    [InlineData("5\0tail", 5)]
    [InlineData("0x10", 16)]
    [InlineData("0X1.8p1", 3)]
    [InlineData("-0x.8", -0.5)]
    [InlineData("0x1p-1074", double.Epsilon)]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("-Infinity", double.NegativeInfinity)]
    [InlineData("2.2250738585072014e-308", 2.2250738585072014e-308)]
    [InlineData("1.7976931348623157e308", double.MaxValue)]
    public void Reads_what_strtod_reads(string text, double expected)
    {
        Assert.True(Strtod.TryParse(Encoding.Latin1.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("5 ")]
    [InlineData(" ")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("0x")]
    [InlineData("0x1p")]
    [InlineData("infin")]
    [InlineData("nan")]
    [InlineData("NAN(1)")]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("1e-310")]
    [InlineData("1e-400")]
    [InlineData("2.2250738585072011e-308")]
    [InlineData("0x1p1024")]
    [InlineData("1,5")]
    public void Refuses_what_leaves_something_over_overflows_underflows_or_is_nan(string text) =>
        Assert.False(Strtod.TryParse(Encoding.Latin1.GetBytes(text), out _));

    [Theory]
    [InlineData("0x1p3", 8)]
    [InlineData("-0X1.8P1", -3)]
    [InlineData("1e-310", 1e-310)] // ERANGE, but a denormal is not refused
    [InlineData("4.9e-324", double.Epsilon)]
    [InlineData("-inf", double.NegativeInfinity)]
    [InlineData("infinity", double.PositiveInfinity)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5)]
    public void String2d_reads_hexadecimal_infinities_and_denormals(string text, double expected)
    {
        Assert.True(Strtod.TryString2d(Encoding.Latin1.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" 5")]
    [InlineData("5 ")]
    [InlineData("5\0")]
    [InlineData("nan")]
    [InlineData("1e400")]
    [InlineData("1e-400")]
    [InlineData("0x1p-1080")]
    [InlineData("0x")]
    public void String2d_refuses_blanks_leftovers_nan_overflow_and_underflow_to_zero(string text) =>
        Assert.False(Strtod.TryString2d(Encoding.Latin1.GetBytes(text), out _));

    [Theory]
    [InlineData(" 5", 5)]
    [InlineData("", 0)]
    [InlineData("5\0tail", 5)]
    [InlineData("1e400", double.PositiveInfinity)]
    [InlineData("1e-400", 0)]
    [InlineData("0x10", 16)]
    public void A_range_bound_takes_what_strtod_reads_out_of_range_or_not(string text, double expected)
    {
        Assert.True(Strtod.TryRangeBound(Encoding.Latin1.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("5 ")]
    [InlineData("nan")]
    [InlineData("x")]
    public void A_range_bound_refuses_leftovers_and_nan(string text) =>
        Assert.False(Strtod.TryRangeBound(Encoding.Latin1.GetBytes(text), out _));
}
