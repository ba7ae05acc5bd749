using Loop.Protocols.Resp;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Commands;

/// <summary>Stream IDs as commands spell them, read as Redis's streamGenericParseIDOrReply reads them, and written back.</summary>
internal static class StreamArgs
{
    public const string InvalidId = "ERR Invalid stream ID specified as stream command argument";

    /// <summary>
    /// An ID: "ms-seq", "ms" (the sequence then <paramref name="missingSeq"/>), "-" and "+" (unless
    /// <paramref name="strict"/>) for the lowest and highest. With <paramref name="seqGiven"/> asked for, "ms-*" too
    /// (XADD: the sequence is then to be chosen). Each number as Redis's string2ull reads it.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, ulong missingSeq, bool strict, out StreamId id) =>
        TryParse(text, missingSeq, strict, allowSeqWildcard: false, out id, out _);

    public static bool TryParse(ReadOnlySpan<byte> text, ulong missingSeq, bool strict, bool allowSeqWildcard, out StreamId id, out bool seqGiven)
    {
        id = default;
        seqGiven = true;
        if (text.Length > 127) { return false; }
        if (text.Length == 1 && text[0] is (byte)'-' or (byte)'+')
        {
            id = text[0] == (byte)'-' ? StreamId.Zero : StreamId.Max;
            return !strict;
        }
        var dash = text.IndexOf((byte)'-');
        if (!TryUnsigned(dash < 0 ? text : text[..dash], out var ms)) { return false; }
        if (dash < 0)
        {
            id = new(ms, missingSeq);
            return true;
        }
        var rest = text[(dash + 1)..];
        if (allowSeqWildcard && rest.Length == 1 && rest[0] == (byte)'*')
        {
            seqGiven = false;
            id = new(ms, 0);
            return true;
        }
        if (!TryUnsigned(rest, out var seq)) { return false; }
        id = new(ms, seq);
        return true;
    }

    /// <summary>An ID or the error written: strict (no "-" or "+"), a missing sequence read as 0.</summary>
    public static bool TryParseOrReply(Server.Session s, ReadOnlySpan<byte> text, out StreamId id)
    {
        if (TryParse(text, 0, strict: true, out id)) { return true; }
        s.Reply.Error(InvalidId);
        return false;
    }

    /// <summary>
    /// One end of an XRANGE interval (streamParseIntervalIDOrReply): an ID, or "(" and a strict ID for an exclusive
    /// end, moved one ID inwards here; false with the error written.
    /// </summary>
    public static bool TryParseIntervalOrReply(Server.Session s, ReadOnlySpan<byte> text, bool isStart, out StreamId id)
    {
        var missingSeq = isStart ? 0 : ulong.MaxValue;
        var exclusive = text.Length > 1 && text[0] == (byte)'(';
        if (!TryParse(exclusive ? text[1..] : text, missingSeq, strict: exclusive, out id))
        {
            s.Reply.Error(InvalidId);
            return false;
        }
        if (!exclusive || (isStart ? id.TryNext(out id) : id.TryPrevious(out id))) { return true; }
        s.Reply.Error(isStart ? "ERR invalid start ID for the interval" : "ERR invalid end ID for the interval");
        return false;
    }

    public static void Reply(RespWriter reply, StreamId id)
    {
        Span<byte> text = stackalloc byte[StreamId.MaxTextLength];
        reply.Bulk(text[..id.Format(text)]);
    }

    /// <summary>An entry as XRANGE lists it: its ID and its fields and values.</summary>
    public static void Reply(RespWriter reply, StreamEntry entry)
    {
        reply.Array(2);
        Reply(reply, entry.Id);
        reply.Array(entry.Pairs.Length);
        foreach (var element in entry.Pairs) { reply.Bulk(element); }
    }

    /// <summary>
    /// Redis's string2ull: a 64-bit integer as string2ll reads it (refused when negative), else what strtoull reads
    /// from the whole text: leading spaces, a sign ('-' wraps around, as C's does), digits, no overflow.
    /// </summary>
    private static bool TryUnsigned(ReadOnlySpan<byte> text, out ulong value)
    {
        value = 0;
        if (Args.TryLong(text, out var signed))
        {
            value = (ulong)signed;
            return signed >= 0;
        }
        var i = 0;
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r') { i++; }
        var negative = i < text.Length && text[i] == (byte)'-';
        if (i < text.Length && text[i] is (byte)'-' or (byte)'+') { i++; }
        if (i == text.Length) { return false; }
        for (; i < text.Length; i++)
        {
            if (text[i] is < (byte)'0' or > (byte)'9') { return false; }
            var digit = (ulong)(text[i] - '0');
            if (value > (ulong.MaxValue - digit) / 10) { return false; }
            value = value * 10 + digit;
        }
        if (negative) { value = unchecked(0 - value); }
        return true;
    }
}
