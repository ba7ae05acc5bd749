using System.Buffers.Text;

namespace Loop.Protocols.Resp;

/// <summary>What <see cref="RespParser.TryParse"/> found at the start of the input.</summary>
public enum RespParseStatus
{
    /// <summary>A whole command (possibly empty: a blank inline line or <c>*0</c>, which Redis skips).</summary>
    Complete,

    /// <summary>The command is not all here yet: keep the bytes and try again with more.</summary>
    Incomplete,

    /// <summary>Malformed framing: answer the error and close the connection, as Redis does.</summary>
    Error,
}

/// <summary>
/// Parses one RESP2 request — a multibulk array of bulk strings, or an inline command as telnet and
/// redis-benchmark's PING_INLINE send it — from the start of the input, without allocating. Arguments are
/// recorded as ranges; an incomplete command is re-parsed from its start when more bytes arrive, which
/// costs one pass over its headers since bulk payloads are skipped by length.
/// </summary>
public static class RespParser
{
    /// <summary>Parses one command; on <see cref="RespParseStatus.Complete"/> <paramref name="consumed"/> covers it.</summary>
    public static RespParseStatus TryParse(ReadOnlySpan<byte> input, RespLimits limits, ref RespArgument[] arguments,
        ref byte[] scratch, out int count, out int consumed, out string? error)
    {
        count = 0;
        consumed = 0;
        error = null;
        if (input.IsEmpty) { return RespParseStatus.Incomplete; }
        return input[0] == (byte)'*'
            ? ParseMultibulk(input, limits, ref arguments, out count, out consumed, out error)
            : InlineParser.Parse(input, limits, ref arguments, ref scratch, out count, out consumed, out error);
    }

    private static RespParseStatus ParseMultibulk(ReadOnlySpan<byte> input, RespLimits limits, ref RespArgument[] arguments,
        out int count, out int consumed, out string? error)
    {
        count = 0;
        consumed = 0;
        error = null;
        var status = ReadLength(input, 0, limits, out var items, out var position, "too big mbulk count string", out error);
        if (status != RespParseStatus.Complete) { return status; }
        if (items > limits.MaxArrayLength || items < -1)
        {
            error = "Protocol error: invalid multibulk length";
            return RespParseStatus.Error;
        }
        if (items <= 0)
        {
            consumed = position;
            return RespParseStatus.Complete;
        }
        if (arguments.Length < items) { Array.Resize(ref arguments, (int)Math.Min(items, Math.Max(arguments.Length * 2, 16))); }

        for (var i = 0; i < items; i++)
        {
            if (position >= input.Length) { return RespParseStatus.Incomplete; }
            if (input[position] != (byte)'$')
            {
                error = $"Protocol error: expected '$', got '{(char)input[position]}'";
                return RespParseStatus.Error;
            }
            status = ReadLength(input, position, limits, out var length, out var dataStart, "too big bulk count string", out error);
            if (status != RespParseStatus.Complete) { return status; }
            if (length < 0 || length > limits.MaxBulkLength)
            {
                error = "Protocol error: invalid bulk length";
                return RespParseStatus.Error;
            }
            var end = dataStart + length;
            if (end + 2 > input.Length) { return RespParseStatus.Incomplete; }
            if (input[(int)end] != (byte)'\r' || input[(int)end + 1] != (byte)'\n')
            {
                error = "Protocol error: bulk string not terminated by CRLF";
                return RespParseStatus.Error;
            }
            if (i == arguments.Length) { Array.Resize(ref arguments, arguments.Length * 2); }
            arguments[i] = new RespArgument(dataStart, (int)length, InScratch: false);
            position = (int)end + 2;
        }
        count = (int)items;
        consumed = position;
        return RespParseStatus.Complete;
    }

    /// <summary>Reads the number after a one-byte type marker at <paramref name="start"/>, up to its CRLF.</summary>
    private static RespParseStatus ReadLength(ReadOnlySpan<byte> input, int start, RespLimits limits, out long value,
        out int next, string tooBig, out string? error)
    {
        value = 0;
        next = 0;
        error = null;
        var rest = input[(start + 1)..];
        var newline = rest.IndexOf((byte)'\n');
        if (newline < 0)
        {
            if (rest.Length > limits.MaxInlineLength)
            {
                error = $"Protocol error: {tooBig}";
                return RespParseStatus.Error;
            }
            return RespParseStatus.Incomplete;
        }
        if (newline == 0 || rest[newline - 1] != (byte)'\r'
            || !Utf8Parser.TryParse(rest[..(newline - 1)], out value, out var used) || used != newline - 1)
        {
            error = input[start] == (byte)'*' ? "Protocol error: invalid multibulk length" : "Protocol error: invalid bulk length";
            return RespParseStatus.Error;
        }
        next = start + 1 + newline + 1;
        return RespParseStatus.Complete;
    }
}
