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
/// recorded as ranges. A multibulk command that is not all here resumes, on the next call, after its last complete
/// argument (see <see cref="RespParseProgress"/>), so it costs one pass over its bytes however the network cuts it;
/// an inline command is short (<see cref="RespLimits.MaxInlineLength"/>) and is read again from its start.
/// </summary>
public static class RespParser
{
    /// <summary>
    /// Parses one command; on <see cref="RespParseStatus.Complete"/> <paramref name="consumed"/> covers it. After
    /// <see cref="RespParseStatus.Incomplete"/> the next call must present the same command from its first byte, with
    /// more bytes after it, and the same <paramref name="progress"/> and <paramref name="arguments"/>. After
    /// <see cref="RespParseStatus.Complete"/> or <see cref="RespParseStatus.Error"/> the progress is back to <c>default</c>.
    /// </summary>
    public static RespParseStatus TryParse(ReadOnlySpan<byte> input, RespLimits limits, ref RespParseProgress progress,
        ref RespArgument[] arguments, ref byte[] scratch, out int count, out int consumed, out string? error)
    {
        count = 0;
        consumed = 0;
        error = null;
        if (input.IsEmpty) { return RespParseStatus.Incomplete; }
        // Only a multibulk command leaves progress behind; an inline one is read again from its start.
        return input[0] == (byte)'*'
            ? ParseMultibulk(input, limits, ref progress, ref arguments, out count, out consumed, out error)
            : InlineParser.Parse(input, limits, ref arguments, ref scratch, out count, out consumed, out error);
    }

    private static RespParseStatus ParseMultibulk(ReadOnlySpan<byte> input, RespLimits limits, ref RespParseProgress progress,
        ref RespArgument[] arguments, out int count, out int consumed, out string? error)
    {
        count = 0;
        consumed = 0;
        error = null;
        var items = progress.ItemCount;
        var position = progress.Position;
        if (items == 0)
        {
            var header = ReadLength(input, 0, limits, out var declared, out position, "too big mbulk count string", out error);
            if (header != RespParseStatus.Complete) { return header; }
            if (declared > limits.MaxArrayLength)
            {
                error = "Protocol error: invalid multibulk length";
                return RespParseStatus.Error;
            }
            // Redis skips an empty or negative count (*-10 as *-1) and reads on.
            if (declared <= 0)
            {
                consumed = position;
                return RespParseStatus.Complete;
            }
            items = (int)declared;
            // Grows with the arguments that arrive, not with what the header claims.
            if (arguments.Length < items) { Array.Resize(ref arguments, Math.Min(items, Math.Max(arguments.Length * 2, 16))); }
        }

        // A break with error set is a protocol error; any other leaves the rest of the command for the next call.
        var parsed = progress.Parsed;
        for (; parsed < items; parsed++)
        {
            if (position >= input.Length) { break; }
            if (input[position] != (byte)'$')
            {
                error = $"Protocol error: expected '$', got '{(char)input[position]}'";
                break;
            }
            if (ReadLength(input, position, limits, out var length, out var dataStart, "too big bulk count string", out error)
                != RespParseStatus.Complete) { break; }
            if (length < 0 || length > limits.MaxBulkLength)
            {
                error = "Protocol error: invalid bulk length";
                break;
            }
            var end = dataStart + length;
            if (end + 2 > input.Length) { break; }
            if (input[(int)end] != (byte)'\r' || input[(int)end + 1] != (byte)'\n')
            {
                error = "Protocol error: bulk string not terminated by CRLF";
                break;
            }
            if (parsed == arguments.Length) { Array.Resize(ref arguments, arguments.Length * 2); }
            arguments[parsed] = new RespArgument(dataStart, (int)length, InScratch: false);
            position = (int)end + 2;
        }
        if (error is not null)
        {
            progress = default;
            return RespParseStatus.Error;
        }
        if (parsed < items)
        {
            progress = new RespParseProgress(items, parsed, position);
            return RespParseStatus.Incomplete;
        }
        progress = default;
        count = items;
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
            || !TryParseInteger(rest[..(newline - 1)], out value))
        {
            error = input[start] == (byte)'*' ? "Protocol error: invalid multibulk length" : "Protocol error: invalid bulk length";
            return RespParseStatus.Error;
        }
        next = start + 1 + newline + 1;
        return RespParseStatus.Complete;
    }

    /// <summary>
    /// Reads a length as Redis's string2ll does: an optional '-' and digits without a leading zero (or just "0"),
    /// within ±<see cref="long.MaxValue"/>. No '+', no spaces: Redis rejects <c>*+1</c> and <c>$01</c>, so this server does too.
    /// </summary>
    private static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        var negative = !text.IsEmpty && text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        // 19 digits fit a ulong, so the loop needs no overflow check; 20 without a leading zero are past a long.
        if (digits.IsEmpty || digits.Length > 19 || (digits[0] == (byte)'0' && (digits.Length > 1 || negative))) { return false; }
        ulong magnitude = 0;
        foreach (var c in digits)
        {
            var digit = (uint)(c - '0');
            if (digit > 9) { return false; }
            magnitude = magnitude * 10 + digit;
        }
        if (magnitude > long.MaxValue) { return false; }
        value = negative ? -(long)magnitude : (long)magnitude;
        return true;
    }
}
