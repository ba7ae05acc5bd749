namespace Loop.Samples.Redis.Store;

/// <summary>Redis's glob patterns (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET): * ? [abc] [^a] [a-z] and \ escapes.</summary>
internal static class Glob
{
    public static bool Match(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false)
    {
        while (!pattern.IsEmpty)
        {
            switch (pattern[0])
            {
                case (byte)'*':
                    while (pattern.Length > 1 && pattern[1] == (byte)'*') { pattern = pattern[1..]; }
                    if (pattern.Length == 1) { return true; }
                    for (var i = 0; i <= text.Length; i++)
                    {
                        if (Match(pattern[1..], text[i..], ignoreCase)) { return true; }
                    }
                    return false;
                case (byte)'?':
                    if (text.IsEmpty) { return false; }
                    text = text[1..];
                    pattern = pattern[1..];
                    break;
                case (byte)'[':
                    if (text.IsEmpty || !MatchClass(ref pattern, text[0], ignoreCase)) { return false; }
                    text = text[1..];
                    break;
                default:
                    if (pattern[0] == (byte)'\\' && pattern.Length > 1) { pattern = pattern[1..]; }
                    if (text.IsEmpty || !Same(pattern[0], text[0], ignoreCase)) { return false; }
                    text = text[1..];
                    pattern = pattern[1..];
                    break;
            }
        }
        return text.IsEmpty;
    }

    // Consumes "[...]" from the pattern and says whether c is in the class.
    private static bool MatchClass(ref ReadOnlySpan<byte> pattern, byte c, bool ignoreCase)
    {
        pattern = pattern[1..];
        var negate = !pattern.IsEmpty && pattern[0] == (byte)'^';
        if (negate) { pattern = pattern[1..]; }
        var matched = false;
        while (!pattern.IsEmpty && pattern[0] != (byte)']')
        {
            if (pattern[0] == (byte)'\\' && pattern.Length > 1)
            {
                pattern = pattern[1..];
                matched |= Same(pattern[0], c, ignoreCase);
                pattern = pattern[1..];
            }
            else if (pattern.Length >= 3 && pattern[1] == (byte)'-' && pattern[2] != (byte)']')
            {
                var (low, high) = pattern[0] <= pattern[2] ? (pattern[0], pattern[2]) : (pattern[2], pattern[0]);
                var x = ignoreCase ? Lower(c) : c;
                matched |= x >= (ignoreCase ? Lower(low) : low) && x <= (ignoreCase ? Lower(high) : high);
                pattern = pattern[3..];
            }
            else
            {
                matched |= Same(pattern[0], c, ignoreCase);
                pattern = pattern[1..];
            }
        }
        if (!pattern.IsEmpty) { pattern = pattern[1..]; }
        return matched != negate;
    }

    private static bool Same(byte a, byte b, bool ignoreCase) => ignoreCase ? Lower(a) == Lower(b) : a == b;

    private static byte Lower(byte c) => c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c | 0x20) : c;
}
