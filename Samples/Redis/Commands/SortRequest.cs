using Loop.Protocols.Resp;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Commands;

/// <summary>SORT's options, read as Redis reads them: left to right, the last of each winning, the first error answering.</summary>
internal sealed class SortRequest
{
    public bool Descending { get; set; }
    public bool Alpha { get; set; }

    /// <summary>A BY pattern without '*' (BY nosort): the elements keep their own order. Stays set by a later BY, as in Redis.</summary>
    public bool DontSort { get; set; }

    public long LimitStart { get; set; }

    /// <summary>Negative: every element from <see cref="LimitStart"/> on.</summary>
    public long LimitCount { get; set; } = -1;

    public byte[]? By { get; set; }
    public byte[]? Store { get; set; }
    public List<byte[]> Gets { get; } = [];

    /// <summary>Reads the options after the key; false with Redis's error (SORT_RO knows no STORE).</summary>
    public static bool TryParse(RespCommand c, bool readOnly, out SortRequest request, out string error)
    {
        request = new SortRequest();
        error = "";
        for (var j = 2; j < c.Count; j++)
        {
            var left = c.Count - j - 1;
            if (Args.Is(c[j], "ASC")) { request.Descending = false; }
            else if (Args.Is(c[j], "DESC")) { request.Descending = true; }
            else if (Args.Is(c[j], "ALPHA")) { request.Alpha = true; }
            else if (Args.Is(c[j], "LIMIT") && left >= 2)
            {
                if (!Args.TryLong(c[j + 1], out var start) || !Args.TryLong(c[j + 2], out var count)) { error = Args.NotInteger; return false; }
                (request.LimitStart, request.LimitCount) = (start, count);
                j += 2;
            }
            else if (!readOnly && Args.Is(c[j], "STORE") && left >= 1) { request.Store = c[++j].ToArray(); }
            else if (Args.Is(c[j], "BY") && left >= 1)
            {
                request.By = c[++j].ToArray();
                if (SortPattern.CString(request.By).IndexOf((byte)'*') < 0) { request.DontSort = true; }
            }
            else if (Args.Is(c[j], "GET") && left >= 1) { request.Gets.Add(c[++j].ToArray()); }
            else
            {
                error = Args.Syntax;
                return false;
            }
        }
        return true;
    }
}

/// <summary>
/// A BY or GET pattern applied to an element, as Redis's lookupKeyByPattern applies it: "#" is the element itself;
/// otherwise the first '*' is replaced by the element to name a key, whose string value is the answer, or, when
/// "->field" follows the '*', that field of the hash at the key. Anything else (no '*', no such key, another type, no
/// such field) is nothing. Redis reads the pattern as a C string: it ends at the first NUL for those searches.
/// </summary>
internal static class SortPattern
{
    public static byte[]? Lookup(Database db, byte[] pattern, byte[] element)
    {
        var text = CString(pattern);
        if (text.Length == 1 && text[0] == (byte)'#') { return element; }
        var star = text.IndexOf((byte)'*');
        if (star < 0) { return null; }
        var arrow = text[(star + 1)..].IndexOf("->"u8);
        var field = arrow >= 0 && star + 1 + arrow + 2 < text.Length ? star + 1 + arrow : -1;
        var suffix = pattern.AsSpan(star + 1, (field >= 0 ? field : pattern.Length) - star - 1);
        var key = new byte[star + element.Length + suffix.Length];
        pattern.AsSpan(0, star).CopyTo(key);
        element.CopyTo(key, star);
        suffix.CopyTo(key.AsSpan(star + element.Length));
        var value = db.Read(key);
        if (field < 0) { return value as byte[]; }
        return value is RedisHash hash ? hash.Get(pattern.AsSpan(field + 2)) : null;
    }

    /// <summary>The bytes before the first NUL: what C's string functions see of a Redis string.</summary>
    public static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> text)
    {
        var nul = text.IndexOf((byte)0);
        return nul < 0 ? text : text[..nul];
    }
}
