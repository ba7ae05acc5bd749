namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// How Redis quotes the file names in a manifest (sds.c): <see cref="Split"/> reads a line as <c>sdssplitargs</c> does,
/// <see cref="Quote"/> spells a name as <c>aofInfoFormat</c> does (<c>sdscatrepr</c> when <c>sdsneedsrepr</c> says so).
/// Characters are classified as C's isspace and isprint do in the C locale, where no byte above 0x7E is printable.
/// </summary>
internal static class SdsArguments
{
    /// <summary>
    /// The arguments of <paramref name="line"/>: separated by blanks, either bare, "double quoted" (escapes <c>\xHH</c>,
    /// <c>\n \r \t \b \a</c>, and a backslash before any other character) or 'single quoted' (<c>\'</c> only). Null, as
    /// Redis refuses them, when a quote is not closed or a closing quote is followed by something other than a blank.
    /// </summary>
    public static List<byte[]>? Split(ReadOnlySpan<byte> line)
    {
        var arguments = new List<byte[]>();
        var current = new List<byte>();
        var i = 0;
        while (true)
        {
            while (i < line.Length && IsSpace(line[i])) { i++; }
            if (i == line.Length) { return arguments; }
            bool inDoubleQuotes = false, inSingleQuotes = false, done = false;
            while (!done)
            {
                // The C code reads a NUL at the end; At gives 0 past the span.
                var c = At(line, i);
                if (inDoubleQuotes)
                {
                    if (c == '\\' && At(line, i + 1) == 'x' && IsHexDigit(At(line, i + 2)) && IsHexDigit(At(line, i + 3)))
                    {
                        current.Add((byte)(HexValue(At(line, i + 2)) * 16 + HexValue(At(line, i + 3))));
                        i += 3;
                    }
                    else if (c == '\\' && At(line, i + 1) != 0)
                    {
                        i++;
                        current.Add(Unescape(line[i]));
                    }
                    else if (c == '"')
                    {
                        if (At(line, i + 1) != 0 && !IsSpace(At(line, i + 1))) { return null; }
                        done = true;
                    }
                    else if (c == 0) { return null; }
                    else { current.Add(c); }
                }
                else if (inSingleQuotes)
                {
                    if (c == '\\' && At(line, i + 1) == '\'')
                    {
                        i++;
                        current.Add((byte)'\'');
                    }
                    else if (c == '\'')
                    {
                        if (At(line, i + 1) != 0 && !IsSpace(At(line, i + 1))) { return null; }
                        done = true;
                    }
                    else if (c == 0) { return null; }
                    else { current.Add(c); }
                }
                else
                {
                    switch (c)
                    {
                        case (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0: done = true; break;
                        case (byte)'"': inDoubleQuotes = true; break;
                        case (byte)'\'': inSingleQuotes = true; break;
                        default: current.Add(c); break;
                    }
                }
                if (At(line, i) != 0) { i++; }
            }
            arguments.Add([.. current]);
            current.Clear();
        }
    }

    /// <summary><paramref name="name"/> as a manifest line holds it: as it is, or double-quoted with escapes when it has a blank, a quote, a backslash or an unprintable byte.</summary>
    public static byte[] Quote(ReadOnlySpan<byte> name)
    {
        if (!NeedsQuotes(name)) { return name.ToArray(); }
        var quoted = new List<byte>(name.Length + 2);
        AppendRepr(quoted, name);
        return [.. quoted];
    }

    /// <summary>Appends <paramref name="text"/> double-quoted, with escapes for quotes, backslashes and unprintable bytes (Redis's sdscatrepr).</summary>
    public static void AppendRepr(List<byte> quoted, ReadOnlySpan<byte> text)
    {
        quoted.Add((byte)'"');
        foreach (var c in text)
        {
            switch (c)
            {
                case (byte)'\\' or (byte)'"': quoted.AddRange([(byte)'\\', c]); break;
                case (byte)'\n': quoted.AddRange("\\n"u8); break;
                case (byte)'\r': quoted.AddRange("\\r"u8); break;
                case (byte)'\t': quoted.AddRange("\\t"u8); break;
                case (byte)'\a': quoted.AddRange("\\a"u8); break;
                case (byte)'\b': quoted.AddRange("\\b"u8); break;
                default:
                    if (IsPrint(c)) { quoted.Add(c); }
                    else { quoted.AddRange(System.Text.Encoding.ASCII.GetBytes($"\\x{c:x2}")); }
                    break;
            }
        }
        quoted.Add((byte)'"');
    }

    private static bool NeedsQuotes(ReadOnlySpan<byte> name)
    {
        foreach (var c in name)
        {
            if (c is (byte)'\\' or (byte)'"' || !IsPrint(c) || IsSpace(c)) { return true; }
        }
        return false;
    }

    private static byte At(ReadOnlySpan<byte> line, int index) => index < line.Length ? line[index] : (byte)0;

    private static byte Unescape(byte c) => c switch
    {
        (byte)'n' => (byte)'\n',
        (byte)'r' => (byte)'\r',
        (byte)'t' => (byte)'\t',
        (byte)'b' => (byte)'\b',
        (byte)'a' => (byte)'\a',
        _ => c,
    };

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static bool IsPrint(byte c) => c is >= 0x20 and <= 0x7E;

    private static bool IsHexDigit(byte c) => char.IsAsciiHexDigit((char)c);

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
