using System.Text;
using Loop.Samples.Redis.Commands;

namespace Loop.UnitTests.Redis;

/// <summary>SORT's scores are read as glibc's strtod reads them, with Redis's rule for what is left over (checked against redis-server 7.0).</summary>
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
}
