using System.Buffers;

namespace Loop.Protocols.Http;

/// <summary>The character classes and small grammar rules of RFC 9110 / 9112 that the parsers share.</summary>
internal static class HttpSyntax
{
    /// <summary>tchar: what a method, a field name, a transfer coding or a chunk extension name is made of.</summary>
    public static readonly SearchValues<byte> Token =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>Bytes never allowed in a field value: controls other than HTAB (so also a bare CR) and DEL.</summary>
    public static readonly SearchValues<byte> NotInFieldValue = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127]);

    /// <summary>Visible ASCII but '#': a request target carries no fragment, no space, no control, no obs-text.</summary>
    public static readonly SearchValues<byte> TargetChars = SearchValues.Create(
        "!\"$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    /// <summary>uri-host [":" port]: reg-name, IP literal and port characters.</summary>
    public static readonly SearchValues<byte> HostChars =
        SearchValues.Create("!$&'()*+,-.0123456789:;=ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz~%"u8);

    public static bool IsToken(ReadOnlySpan<byte> span) => !span.IsEmpty && span.IndexOfAnyExcept(Token) < 0;

    private static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> span) => span.Trim(" \t"u8);

    /// <summary>Takes the next element of a comma-separated list, trimmed (possibly empty), and advances past it.</summary>
    public static ReadOnlySpan<byte> NextListElement(ref ReadOnlySpan<byte> list)
    {
        var comma = list.IndexOf((byte)',');
        var element = comma < 0 ? list : list[..comma];
        list = comma < 0 ? default : list[(comma + 1)..];
        return TrimWhitespace(element);
    }

    /// <summary>Content-Length = 1*DIGIT: no sign, no space, no list, no hex; false also on overflow.</summary>
    public static bool TryParseContentLength(ReadOnlySpan<byte> value, out long length)
    {
        length = 0;
        if (value.IsEmpty) { return false; }
        foreach (var b in value)
        {
            var digit = b - '0';
            if ((uint)digit > 9 || length > (long.MaxValue - digit) / 10) { return false; }
            length = length * 10 + digit;
        }
        return true;
    }

    /// <summary>
    /// Splits a field line (header or trailer) into name and value: a token, a colon right after it, then the
    /// value without surrounding whitespace. Returns false for obs-fold, whitespace before the colon, a bad name
    /// or a control character (bare CR included) in the value.
    /// </summary>
    public static bool TryParseField(ReadOnlySpan<byte> line, out int nameLength, out int valueStart, out int valueLength)
    {
        valueStart = valueLength = 0;
        nameLength = line.IndexOf((byte)':');
        if (nameLength <= 0 || !IsToken(line[..nameLength])) { return false; }
        var raw = line[(nameLength + 1)..];
        var value = TrimWhitespace(raw);
        if (value.IndexOfAny(NotInFieldValue) >= 0) { return false; }
        valueStart = nameLength + 1 + (value.IsEmpty ? 0 : raw.IndexOfAnyExcept(" \t"u8));
        valueLength = value.Length;
        return true;
    }
}
