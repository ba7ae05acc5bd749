using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Loop.Protocols.Resp;

/// <summary>
/// Writes RESP replies into a connection's output. <see cref="Protocol"/> 2 or 3 decides how maps, sets,
/// doubles, nulls and pushes are spelled (RESP3 after <c>HELLO 3</c>; RESP2 spells them as arrays and
/// bulk strings, as Redis does).
/// </summary>
public sealed class RespWriter(IBufferWriter<byte> output)
{
    /// <summary>The output replies go to; replaced when a pooled writer serves a new connection.</summary>
    public IBufferWriter<byte> Output { get; set; } = output;

    /// <summary>2 or 3.</summary>
    public int Protocol { get; set; } = 2;

    /// <summary><c>+OK</c>.</summary>
    public void Ok() => Raw("+OK\r\n"u8);

    /// <summary>A simple string: <c>+value</c> (no CR or LF inside).</summary>
    public void SimpleString(ReadOnlySpan<byte> value) => Line((byte)'+', value);

    /// <summary>A simple string from ASCII text.</summary>
    public void SimpleString(string value) => Line((byte)'+', value);

    /// <summary>Told of every error written (a server counting its error replies), or null.</summary>
    public Action<string>? ErrorWritten { get; set; }

    /// <summary>An error line; <paramref name="message"/> starts with its code (<c>ERR</c>, <c>WRONGTYPE</c>, ...).</summary>
    public void Error(string message)
    {
        Line((byte)'-', message);
        ErrorWritten?.Invoke(message);
    }

    /// <summary>An integer: <c>:n</c>.</summary>
    public void Integer(long value) => Number((byte)':', value);

    /// <summary>A bulk string.</summary>
    public void Bulk(ReadOnlySpan<byte> value)
    {
        Number((byte)'$', value.Length);
        var span = Output.GetSpan(value.Length + 2);
        value.CopyTo(span);
        span[value.Length] = (byte)'\r';
        span[value.Length + 1] = (byte)'\n';
        Output.Advance(value.Length + 2);
    }

    /// <summary>A bulk string from text (UTF-8).</summary>
    public void Bulk(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        Number((byte)'$', length);
        var span = Output.GetSpan(length + 2);
        Encoding.UTF8.GetBytes(value, span);
        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        Output.Advance(length + 2);
    }

    /// <summary>A bulk string holding the decimal text of <paramref name="value"/>.</summary>
    public void BulkInteger(long value)
    {
        Span<byte> text = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, text, out var n);
        Bulk(text[..n]);
    }

    /// <summary>The null bulk string (RESP2 <c>$-1</c>, RESP3 <c>_</c>).</summary>
    public void Null() => Raw(Protocol == 3 ? "_\r\n"u8 : "$-1\r\n"u8);

    /// <summary>The null array (RESP2 <c>*-1</c>, RESP3 <c>_</c>).</summary>
    public void NullArray() => Raw(Protocol == 3 ? "_\r\n"u8 : "*-1\r\n"u8);

    /// <summary>An array of <paramref name="count"/> elements; write them next.</summary>
    public void Array(int count) => Number((byte)'*', count);

    /// <summary>A map of <paramref name="pairs"/> key/value pairs (RESP2: a flat array of twice as many).</summary>
    public void Map(int pairs)
    {
        if (Protocol == 3) { Number((byte)'%', pairs); } else { Number((byte)'*', pairs * 2); }
    }

    /// <summary>A set of <paramref name="count"/> elements (RESP2: an array).</summary>
    public void Set(int count) => Number(Protocol == 3 ? (byte)'~' : (byte)'*', count);

    /// <summary>An out-of-band push of <paramref name="count"/> elements (RESP2: an array, as pub/sub uses).</summary>
    public void Push(int count) => Number(Protocol == 3 ? (byte)'>' : (byte)'*', count);

    /// <summary>A double (RESP3 <c>,</c>; RESP2 a bulk string), formatted as Redis does.</summary>
    public void Double(double value)
    {
        Span<byte> text = stackalloc byte[32];
        var n = FormatDouble(value, text);
        if (Protocol == 3) { Line((byte)',', text[..n]); } else { Bulk(text[..n]); }
    }

    /// <summary>A double already spelled out (RESP3 <c>,</c>; RESP2 a bulk string): for replies Redis formats its own way.</summary>
    public void DoubleText(ReadOnlySpan<byte> text)
    {
        if (Protocol == 3) { Line((byte)',', text); } else { Bulk(text); }
    }

    /// <summary>A boolean (RESP3 <c>#t</c>/<c>#f</c>; RESP2 the integers 1 and 0).</summary>
    public void Boolean(bool value)
    {
        if (Protocol == 3) { Raw(value ? "#t\r\n"u8 : "#f\r\n"u8); } else { Integer(value ? 1 : 0); }
    }

    /// <summary>Bytes already in RESP form.</summary>
    public void Raw(ReadOnlySpan<byte> resp)
    {
        resp.CopyTo(Output.GetSpan(resp.Length));
        Output.Advance(resp.Length);
    }

    // 2^62: doubles up to this size that hold an integer are written as one (Redis's double2ll).
    private const double IntegerLimit = 4611686018427387904.0;

    /// <summary>
    /// A double as Redis 7.2 writes it (d2string): integers within ±2^62 in full; others in their shortest
    /// round-trip digits, laid out as Redis's fpconv does (plain unless the exponent is large: 0.00001, 1.5e-7,
    /// 1e+20); <c>inf</c>, <c>-inf</c>, <c>nan</c>, <c>-0</c>.
    /// </summary>
    public static int FormatDouble(double value, Span<byte> destination)
    {
        if (double.IsPositiveInfinity(value)) { return Copy("inf"u8, destination); }
        if (double.IsNegativeInfinity(value)) { return Copy("-inf"u8, destination); }
        if (double.IsNaN(value)) { return Copy("nan"u8, destination); }
        if (value == 0) { return Copy(double.IsNegative(value) ? "-0"u8 : "0"u8, destination); }
        if (Math.Abs(value) <= IntegerLimit && value == Math.Floor(value))
        {
            Utf8Formatter.TryFormat((long)value, destination, out var written);
            return written;
        }
        // .NET's shortest round-trip text ("-1.5E-07", "123.456") gives the digits and the first one's power of ten.
        Span<byte> text = stackalloc byte[32];
        value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
        var shortest = text[..length];
        var power = 0;
        if (shortest.IndexOf((byte)'E') is var e and >= 0)
        {
            power = int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            shortest = shortest[..e];
        }
        var n = 0;
        if (shortest[0] == (byte)'-') { destination[n++] = (byte)'-'; shortest = shortest[1..]; }
        var point = shortest.IndexOf((byte)'.');
        power += (point < 0 ? shortest.Length : point) - 1;
        Span<byte> digits = stackalloc byte[32];
        var count = 0;
        foreach (var c in shortest)
        {
            if (c == (byte)'.') { continue; }
            // Leading zeros (0.00012) only move the first digit down.
            if (c == (byte)'0' && count == 0) { power--; continue; }
            digits[count++] = c;
        }
        return n + LayOutDigits(digits[..count], power, destination[n..]);
    }

    // fpconv's emit_digits for value = d1.d2d3... x 10^power: plain, or scientific when the power is large.
    private static int LayOutDigits(ReadOnlySpan<byte> digits, int power, Span<byte> destination)
    {
        var scale = power - digits.Length + 1;
        var magnitude = Math.Abs(power);
        if (scale >= 0 && magnitude < digits.Length + 7)
        {
            digits.CopyTo(destination);
            destination.Slice(digits.Length, scale).Fill((byte)'0');
            return digits.Length + scale;
        }
        if (scale < 0 && (scale > -7 || magnitude < 4))
        {
            var whole = digits.Length + scale;
            if (whole <= 0)
            {
                "0."u8.CopyTo(destination);
                destination.Slice(2, -whole).Fill((byte)'0');
                digits.CopyTo(destination[(2 - whole)..]);
                return 2 - whole + digits.Length;
            }
            digits[..whole].CopyTo(destination);
            destination[whole] = (byte)'.';
            digits[whole..].CopyTo(destination[(whole + 1)..]);
            return digits.Length + 1;
        }
        var n = 0;
        destination[n++] = digits[0];
        if (digits.Length > 1)
        {
            destination[n++] = (byte)'.';
            digits[1..].CopyTo(destination[n..]);
            n += digits.Length - 1;
        }
        destination[n++] = (byte)'e';
        destination[n++] = power < 0 ? (byte)'-' : (byte)'+';
        Utf8Formatter.TryFormat(magnitude, destination[n..], out var written);
        return n + written;
    }

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        text.CopyTo(destination);
        return text.Length;
    }

    private void Number(byte marker, long value)
    {
        var span = Output.GetSpan(24);
        span[0] = marker;
        Utf8Formatter.TryFormat(value, span[1..], out var n);
        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        Output.Advance(n + 3);
    }

    private void Line(byte marker, ReadOnlySpan<byte> value)
    {
        var span = Output.GetSpan(value.Length + 3);
        span[0] = marker;
        value.CopyTo(span[1..]);
        span[value.Length + 1] = (byte)'\r';
        span[value.Length + 2] = (byte)'\n';
        Output.Advance(value.Length + 3);
    }

    private void Line(byte marker, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var span = Output.GetSpan(length + 3);
        span[0] = marker;
        Encoding.UTF8.GetBytes(value, span[1..]);
        span[length + 1] = (byte)'\r';
        span[length + 2] = (byte)'\n';
        Output.Advance(length + 3);
    }
}
