namespace Loop.Protocols.Resp;

/// <summary>
/// Inline commands (<c>PING\r\n</c>, <c>SET k "a b"\n</c>): one line split at spaces, with Redis's quoting
/// rules. Arguments are unescaped into the scratch buffer.
/// </summary>
internal static class InlineParser
{
    public static RespParseStatus Parse(ReadOnlySpan<byte> input, RespLimits limits, ref RespArgument[] arguments,
        ref byte[] scratch, out int count, out int consumed, out string? error)
    {
        count = 0;
        consumed = 0;
        error = null;
        var newline = input.IndexOf((byte)'\n');
        if (newline < 0)
        {
            if (input.Length <= limits.MaxInlineLength) { return RespParseStatus.Incomplete; }
            error = "Protocol error: too big inline request";
            return RespParseStatus.Error;
        }
        var line = input[..newline];
        if (!line.IsEmpty && line[^1] == (byte)'\r') { line = line[..^1]; }
        if (scratch.Length < line.Length) { scratch = new byte[Math.Max(line.Length, 256)]; }

        var written = 0;
        var i = 0;
        while (true)
        {
            while (i < line.Length && IsSpace(line[i])) { i++; }
            if (i == line.Length) { break; }
            var start = written;
            if (!ReadWord(line, ref i, scratch, ref written))
            {
                error = "Protocol error: unbalanced quotes in request";
                return RespParseStatus.Error;
            }
            if (count == arguments.Length) { Array.Resize(ref arguments, arguments.Length * 2); }
            arguments[count++] = new RespArgument(start, written - start, InScratch: true);
        }
        consumed = newline + 1;
        return RespParseStatus.Complete;
    }

    // One argument from line[i..]: plain, "double quoted" with escapes, or 'single quoted'.
    private static bool ReadWord(ReadOnlySpan<byte> line, ref int i, byte[] output, ref int written)
    {
        byte quote = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (quote == 0)
            {
                if (IsSpace(c)) { return true; }
                if (c is (byte)'"' or (byte)'\'') { quote = c; i++; continue; }
                output[written++] = c;
                i++;
                continue;
            }
            if (c == quote)
            {
                i++;
                // A closing quote must end the argument.
                return i == line.Length || IsSpace(line[i]);
            }
            if (c == (byte)'\\' && i + 1 < line.Length)
            {
                if (quote == (byte)'"' && TryEscape(line, ref i, out var unescaped)) { output[written++] = unescaped; continue; }
                if (quote == (byte)'\'' && line[i + 1] == (byte)'\'') { output[written++] = (byte)'\''; i += 2; continue; }
            }
            output[written++] = c;
            i++;
        }
        return quote == 0;
    }

    private static bool TryEscape(ReadOnlySpan<byte> line, ref int i, out byte value)
    {
        var next = line[i + 1];
        if (next == (byte)'x' && i + 3 < line.Length && IsHex(line[i + 2]) && IsHex(line[i + 3]))
        {
            value = (byte)(Hex(line[i + 2]) * 16 + Hex(line[i + 3]));
            i += 4;
            return true;
        }
        value = next switch
        {
            (byte)'n' => (byte)'\n',
            (byte)'r' => (byte)'\r',
            (byte)'t' => (byte)'\t',
            (byte)'b' => (byte)'\b',
            (byte)'a' => (byte)'\a',
            _ => next,
        };
        i += 2;
        return true;
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'\v' or (byte)'\f';

    private static bool IsHex(byte c) => char.IsAsciiHexDigit((char)c);

    private static int Hex(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
