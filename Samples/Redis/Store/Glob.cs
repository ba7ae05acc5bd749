namespace Loop.Samples.Redis.Store;

/// <summary>Redis's glob patterns (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET): * ? [abc] [^a] [a-z] and \ escapes.</summary>
internal static class Glob
{
    public static bool Match(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false)
    {
        // Every token but '*' matches exactly one byte, so on a mismatch it is enough to retry from the latest
        // '*' one byte further on: O(pattern × text) at worst and no recursion, where trying every split for
        // every '*' takes exponential time on "*a*a*a…b" and holds the keyspace lock meanwhile.
        int p = 0, t = 0, afterStar = -1, starText = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == (byte)'*')
            {
                afterStar = ++p;
                starText = t;
                continue;
            }
            var next = p;
            if (p < pattern.Length && MatchOne(pattern, ref next, text[t], ignoreCase))
            {
                p = next;
                t++;
                continue;
            }
            if (afterStar < 0) { return false; }
            p = afterStar;
            t = ++starText;
        }
        while (p < pattern.Length && pattern[p] == (byte)'*') { p++; }
        return p == pattern.Length;
    }

    // Consumes the one-byte token at p (?, [...], \x or a literal) and says whether c matches it.
    private static bool MatchOne(ReadOnlySpan<byte> pattern, ref int p, byte c, bool ignoreCase)
    {
        switch (pattern[p])
        {
            case (byte)'?':
                p++;
                return true;
            case (byte)'[':
                var rest = pattern[p..];
                var matched = MatchClass(ref rest, c, ignoreCase);
                p = pattern.Length - rest.Length;
                return matched;
            default:
                if (pattern[p] == (byte)'\\' && p + 1 < pattern.Length) { p++; }
                return Same(pattern[p++], c, ignoreCase);
        }
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
