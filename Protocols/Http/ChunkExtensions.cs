namespace Loop.Protocols.Http;

/// <summary>The chunk-ext grammar of RFC 9112 §7.1.1, checked strictly and otherwise ignored.</summary>
internal static class ChunkExtensions
{
    /// <summary>
    /// True when <paramref name="extensions"/> (what follows the chunk size) is empty or a valid
    /// <c>*( BWS ";" BWS ext-name [ BWS "=" BWS ( token / quoted-string ) ] )</c>.
    /// </summary>
    public static bool AreValid(ReadOnlySpan<byte> extensions)
    {
        var rest = extensions;
        while (!rest.IsEmpty)
        {
            rest = SkipWhitespace(rest);
            if (rest.IsEmpty || rest[0] != ';') { return false; }
            rest = SkipWhitespace(rest[1..]);
            if (!SkipToken(ref rest)) { return false; }
            var afterName = SkipWhitespace(rest);
            if (afterName.IsEmpty || afterName[0] != '=') { continue; }
            rest = SkipWhitespace(afterName[1..]);
            if (!SkipToken(ref rest) && !SkipQuotedString(ref rest)) { return false; }
        }
        return true;
    }

    private static ReadOnlySpan<byte> SkipWhitespace(ReadOnlySpan<byte> span) => span.TrimStart(" \t"u8);

    private static bool SkipToken(ref ReadOnlySpan<byte> span)
    {
        var length = span.IndexOfAnyExcept(HttpSyntax.Token);
        if (length == 0 || span.IsEmpty) { return false; }
        span = length < 0 ? default : span[length..];
        return true;
    }

    // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE, where neither may be a control other than HTAB.
    private static bool SkipQuotedString(ref ReadOnlySpan<byte> span)
    {
        if (span.IsEmpty || span[0] != '"') { return false; }
        for (var i = 1; i < span.Length; i++)
        {
            var b = span[i];
            if (b == '"')
            {
                span = span[(i + 1)..];
                return true;
            }
            if (b == '\\' && ++i == span.Length) { return false; }
            if (IsControl(span[i])) { return false; }
        }
        return false;
    }

    private static bool IsControl(byte b) => (b < 0x20 && b != '\t') || b == 0x7F;
}
