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

    /// <summary>A simple string: <c>+value</c> (a CR or LF inside is written as a space, as for errors).</summary>
    public void SimpleString(ReadOnlySpan<byte> value) => Line((byte)'+', value);

    /// <summary>A simple string from ASCII text.</summary>
    public void SimpleString(string value) => Line((byte)'+', value);

    /// <summary>
    /// Told of every error written (a server counting its error replies), or null: the message, and whether it is still
    /// to be counted (false for one the server counted where it arose).
    /// </summary>
    public Action<string, bool>? ErrorWritten { get; set; }

    /// <summary>
    /// An error line; <paramref name="message"/> starts with its code (<c>ERR</c>, <c>WRONGTYPE</c>, ...). As Redis's
    /// addReplyErrorFormat writes one, CRs and LFs at its end are left out and any inside become spaces, so an argument
    /// quoted in it cannot break the reply. <paramref name="counted"/> is false for an error already counted where it
    /// arose (<see cref="ErrorWritten"/>).
    /// </summary>
    public void Error(string message, bool counted = true)
    {
        Line((byte)'-', message.TrimEnd('\r', '\n'));
        ErrorWritten?.Invoke(message, counted);
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

    /// <summary>A bulk string from text (UTF-8, <see cref="RespText"/>'s escaped bytes as themselves).</summary>
    public void Bulk(string value)
    {
        var length = RespText.ByteCount(value);
        Number((byte)'$', length);
        var span = Output.GetSpan(length + 2);
        RespText.Encode(value, span);
        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        Output.Advance(length + 2);
    }

    /// <summary>Text to be shown as it is (RESP3 verbatim string <c>=len\r\ntxt:...</c>; RESP2 a bulk string), as Redis's addReplyVerbatim.</summary>
    public void Verbatim(string text)
    {
        if (Protocol != 3) { Bulk(text); return; }
        var length = RespText.ByteCount(text);
        Number((byte)'=', length + 4);
        var span = Output.GetSpan(length + 6);
        "txt:"u8.CopyTo(span);
        RespText.Encode(text, span[4..]);
        span[length + 4] = (byte)'\r';
        span[length + 5] = (byte)'\n';
        Output.Advance(length + 6);
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

    /// <summary>
    /// A reply already in RESP3 form (one recorded from redis-server), in this connection's protocol: as it is under
    /// RESP3; under RESP2 a map is an array of its keys and values and a set an array, as Redis spells them. It may hold
    /// arrays, maps, sets, bulk and simple strings and integers.
    /// </summary>
    public void Resp3(ReadOnlySpan<byte> reply)
    {
        if (Protocol == 3) { Raw(reply); return; }
        // What RESP2 spells the same is copied in runs; only map and set headers are respelled.
        int copied = 0, at = 0;
        while (at < reply.Length)
        {
            var end = at + reply[at..].IndexOf("\r\n"u8) + 2;
            switch (reply[at])
            {
                case (byte)'%' or (byte)'~':
                    Raw(reply[copied..at]);
                    Array(reply[at] == (byte)'%' ? Count(reply[at..end]) * 2 : Count(reply[at..end]));
                    copied = end;
                    break;
                case (byte)'$': end += Count(reply[at..end]) + 2; break;
                case (byte)'*' or (byte)'+' or (byte)':': break;
                default: throw new FormatException($"RESP3 type '{(char)reply[at]}' is not one Resp3 writes");
            }
            at = end;
        }
        Raw(reply[copied..]);
    }

    // The length or count on a header line (with its CRLF).
    private static int Count(ReadOnlySpan<byte> line) => int.Parse(line[1..^2], CultureInfo.InvariantCulture);

    /// <summary>
    /// A double as Redis 7.0's addReplyDouble writes it: printf's %.17g (0.10000000000000001, 3, 1e+20,
    /// 1.4999999999999999e-07, -0), and <c>inf</c>, <c>-inf</c>, <c>nan</c>.
    /// </summary>
    public static int FormatDouble(double value, Span<byte> destination)
    {
        if (double.IsPositiveInfinity(value)) { return Copy("inf"u8, destination); }
        if (double.IsNegativeInfinity(value)) { return Copy("-inf"u8, destination); }
        if (double.IsNaN(value)) { return Copy("nan"u8, destination); }
        // .NET's G17 is %.17g but for the exponent's letter (1E+20, 1.4999999999999999E-07).
        value.TryFormat(destination, out var length, "G17", CultureInfo.InvariantCulture);
        if (destination[..length].IndexOf((byte)'E') is var e and >= 0) { destination[e] = (byte)'e'; }
        return length;
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
        NoLineBreaks(span.Slice(1, value.Length));
        span[value.Length + 1] = (byte)'\r';
        span[value.Length + 2] = (byte)'\n';
        Output.Advance(value.Length + 3);
    }

    private void Line(byte marker, string value)
    {
        var length = RespText.ByteCount(value);
        var span = Output.GetSpan(length + 3);
        span[0] = marker;
        RespText.Encode(value, span[1..]);
        NoLineBreaks(span.Slice(1, length));
        span[length + 1] = (byte)'\r';
        span[length + 2] = (byte)'\n';
        Output.Advance(length + 3);
    }

    // A line's CR or LF would end the reply early: Redis writes them as spaces (sdsmapchars).
    private static void NoLineBreaks(Span<byte> line)
    {
        line.Replace((byte)'\r', (byte)' ');
        line.Replace((byte)'\n', (byte)' ');
    }
}
