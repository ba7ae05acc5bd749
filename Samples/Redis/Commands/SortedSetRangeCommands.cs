using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CollectionAccess;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// ZRANGE with BYSCORE, BYLEX, REV, LIMIT and WITHSCORES, ZRANGESTORE, and the older commands that are ZRANGE
/// with some of those options fixed (ZRANGEBYSCORE, ZREVRANGE, ...), all parsed as Redis's zrangeGenericCommand does;
/// ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX, which delete such a range.
/// </summary>
internal static class SortedSetRangeCommands
{
    public const string NotFloatRange = "ERR min or max is not a float";
    public const string NotLexRange = "ERR min or max not valid string range item";

    private enum RangeKind { Rank, Score, Lex }

    /// <summary>A command's fixed choices: null where its arguments may choose (ZRANGE's BYSCORE, BYLEX, REV).</summary>
    private readonly record struct Variant(RangeKind? Kind, bool? Reverse, bool Store = false);

    /// <summary>A range to find, in which order, and LIMIT's offset and count (all when negative).</summary>
    // Write: the key is looked up for a change (ZREMRANGEBY*), which notifies no keymiss.
    private readonly record struct RangeQuery(RangeKind Kind, bool Reverse, long Offset = 0, long Limit = -1, bool Write = false);

    public static void Register(CommandTable t)
    {
        t.Add("zrange", -4, ReadOnly, 1, 1, 1, (s, c) => Range(s, c, new Variant(null, null)));
        t.Add("zrangestore", -5, Write, 1, 2, 1, (s, c) => Range(s, c, new Variant(null, null, Store: true)));
        t.Add("zrevrange", -4, ReadOnly, 1, 1, 1, (s, c) => Range(s, c, new Variant(RangeKind.Rank, true)));
        t.Add("zrangebyscore", -4, ReadOnly, 1, 1, 1, (s, c) => Range(s, c, new Variant(RangeKind.Score, false)));
        t.Add("zrevrangebyscore", -4, ReadOnly, 1, 1, 1, (s, c) => Range(s, c, new Variant(RangeKind.Score, true)));
        t.Add("zrangebylex", -4, ReadOnly, 1, 1, 1, (s, c) => Range(s, c, new Variant(RangeKind.Lex, false)));
        t.Add("zrevrangebylex", -4, ReadOnly, 1, 1, 1, (s, c) => Range(s, c, new Variant(RangeKind.Lex, true)));
        t.Add("zremrangebyrank", 4, Write, 1, 1, 1, (s, c) => RemoveRange(s, c, RangeKind.Rank));
        t.Add("zremrangebyscore", 4, Write, 1, 1, 1, (s, c) => RemoveRange(s, c, RangeKind.Score));
        t.Add("zremrangebylex", 4, Write, 1, 1, 1, (s, c) => RemoveRange(s, c, RangeKind.Lex));
    }

    /// <summary><c>1</c>, <c>(1</c>, <c>-inf</c>, <c>+inf</c>: both ends of a score range.</summary>
    public static bool TryParseScoreRange(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, out ScoreRange range)
    {
        range = default;
        if (!TryScoreBound(min, out var low, out var lowExclusive) || !TryScoreBound(max, out var high, out var highExclusive)) { return false; }
        range = new ScoreRange(low, lowExclusive, high, highExclusive);
        return true;
    }

    /// <summary><c>[a</c>, <c>(a</c>, <c>-</c>, <c>+</c>: both ends of a lexicographic range.</summary>
    public static bool TryParseLexRange(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, out LexRange range)
    {
        range = default;
        if (!TryLexBound(min, out var low) || !TryLexBound(max, out var high)) { return false; }
        range = new LexRange(low, high);
        return true;
    }

    private static void Range(Session s, RespCommand c, Variant variant)
    {
        var source = variant.Store ? 2 : 1;
        var (kind, reverse) = (variant.Kind, variant.Reverse);
        var withScores = false;
        long offset = 0, limit = -1;
        for (var i = source + 3; i < c.Count; i++)
        {
            if (!variant.Store && Args.Is(c[i], "WITHSCORES")) { withScores = true; }
            else if (Args.Is(c[i], "LIMIT") && i + 2 < c.Count)
            {
                if (!Args.TryLong(c[i + 1], out offset) || !Args.TryLong(c[i + 2], out limit)) { s.Reply.Error(Args.NotInteger); return; }
                i += 2;
            }
            else if (reverse is null && Args.Is(c[i], "REV")) { reverse = true; }
            else if (kind is null && Args.Is(c[i], "BYSCORE")) { kind = RangeKind.Score; }
            else if (kind is null && Args.Is(c[i], "BYLEX")) { kind = RangeKind.Lex; }
            else { s.Reply.Error(Args.Syntax); return; }
        }
        kind ??= RangeKind.Rank;
        reverse ??= false;
        // Redis checks the limit's count only: "LIMIT 0 -1" passes with a rank range.
        if (limit != -1 && kind == RangeKind.Rank) { s.Reply.Error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"); return; }
        if (withScores && kind == RangeKind.Lex) { s.Reply.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX"); return; }
        // Reversed score and lex ranges are written max first.
        var swap = reverse.Value && kind != RangeKind.Rank;
        var min = c[swap ? source + 2 : source + 1];
        var max = c[swap ? source + 1 : source + 2];
        if (!TryFind(s, c[source], min, max, new RangeQuery(kind.Value, reverse.Value, offset, limit), out _, out var nodes)) { return; }
        if (variant.Store) { Store(s, c[1], nodes); } else { SortedSetCommands.ReplyMembers(s, nodes, withScores); }
    }

    private static void RemoveRange(Session s, RespCommand c, RangeKind kind)
    {
        if (!TryFind(s, c[1], c[2], c[3], new RangeQuery(kind, Reverse: false, Write: true), out var zset, out var nodes)) { return; }
        foreach (var node in nodes) { zset!.Remove(node); }
        if (nodes.Count > 0)
        {
            Changed(s, c[1], zset!, EventClass.SortedSet, kind switch
            {
                RangeKind.Rank => "zremrangebyrank"u8,
                RangeKind.Score => "zremrangebyscore"u8,
                _ => "zremrangebylex"u8,
            });
        }
        s.Reply.Integer(nodes.Count);
    }

    /// <summary>
    /// Parses <paramref name="min"/> and <paramref name="max"/> as the query's kind of range, then finds the members of
    /// the sorted set at <paramref name="key"/> inside it (none when the key is absent); false, with the error written,
    /// when either fails.
    /// </summary>
    private static bool TryFind(Session s, ReadOnlySpan<byte> key, ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, RangeQuery query,
        out RedisSortedSet? zset, out List<SkipListNode> nodes)
    {
        (zset, nodes) = (null, []);
        long start = 0, stop = 0;
        ScoreRange scores = default;
        LexRange lex = default;
        var parsed = query.Kind switch
        {
            RangeKind.Rank => Args.TryLong(min, out start) && Args.TryLong(max, out stop),
            RangeKind.Score => TryParseScoreRange(min, max, out scores),
            _ => TryParseLexRange(min, max, out lex),
        };
        if (!parsed) { s.Reply.Error(query.Kind switch { RangeKind.Rank => Args.NotInteger, RangeKind.Score => NotFloatRange, _ => NotLexRange }); return false; }
        if (!(query.Write ? TryGet(s, key, out zset) : TryRead(s, key, out zset))) { return false; }
        if (zset is null) { return true; }
        nodes = query.Kind switch
        {
            RangeKind.Rank => ByRank(zset, start, stop, query.Reverse),
            RangeKind.Score => InRange(zset, scores, query.Reverse, query.Offset, query.Limit),
            _ => InRange(zset, lex, query.Reverse, query.Offset, query.Limit),
        };
        return true;
    }

    private static void Store(Session s, ReadOnlySpan<byte> destination, List<SkipListNode> nodes)
    {
        var result = new RedisSortedSet();
        foreach (var node in nodes) { result.Set(node.Member, node.Score); }
        result.KeepZerosAsListpack(s.Server.Config.EncodingThresholds);
        s.Db.Store(destination, result, EventClass.SortedSet, "zrangestore"u8);
        s.Reply.Integer(nodes.Count);
    }

    // Negative ranks count from the end; the range is clipped to the set.
    private static List<SkipListNode> ByRank(RedisSortedSet zset, long start, long stop, bool reverse)
    {
        var length = zset.Count;
        if (start < 0) { start = Math.Max(length + start, 0); }
        if (stop < 0) { stop += length; }
        stop = Math.Min(stop, length - 1);
        if (start > stop) { return []; }
        var first = zset.Order.AtRank(reverse ? length - 1 - start : start);
        return SkipList.Walk(first, reverse).Take((int)(stop - start + 1)).ToList();
    }

    // Skips `offset` members of the range, then takes `limit` (all when negative); a negative offset gives nothing.
    private static List<SkipListNode> InRange<TRange>(RedisSortedSet zset, TRange range, bool reverse, long offset, long limit)
        where TRange : struct, ISortedSetRange
    {
        var nodes = new List<SkipListNode>();
        if (offset < 0) { return nodes; }
        var start = reverse ? zset.Order.LastIn(range) : zset.Order.FirstIn(range);
        foreach (var node in SkipList.Walk(start, reverse))
        {
            if (limit == 0 || !(reverse ? range.ReachesMin(node) : range.WithinMax(node))) { break; }
            if (offset > 0) { offset--; continue; }
            nodes.Add(node);
            limit--;
        }
        return nodes;
    }

    private static bool TryScoreBound(ReadOnlySpan<byte> text, out double value, out bool exclusive)
    {
        exclusive = !text.IsEmpty && text[0] == (byte)'(';
        return Strtod.TryRangeBound(exclusive ? text[1..] : text, out value);
    }

    private static bool TryLexBound(ReadOnlySpan<byte> text, out LexBound bound)
    {
        bound = default;
        if (text.IsEmpty) { return false; }
        switch (text[0])
        {
            case (byte)'-' when text.Length == 1: bound = LexBound.Minimum; return true;
            case (byte)'+' when text.Length == 1: bound = LexBound.Maximum; return true;
            case (byte)'(': bound = new LexBound(text[1..].ToArray(), true, 0); return true;
            case (byte)'[': bound = new LexBound(text[1..].ToArray(), false, 0); return true;
            default: return false;
        }
    }
}
