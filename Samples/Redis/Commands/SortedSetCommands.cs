using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CollectionAccess;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// ZADD, ZREM, ZSCORE, ZRANK and the other sorted set commands that name members; ZADD's options are in
/// <see cref="SortedSetAddCommands"/>, the range queries in <see cref="SortedSetRangeCommands"/>, unions,
/// intersections and differences in <see cref="SortedSetAlgebraCommands"/>.
/// </summary>
internal static class SortedSetCommands
{
    public static void Register(CommandTable t)
    {
        SortedSetAddCommands.Register(t);
        t.Add("zrem", -3, Write | Fast, 1, 1, 1, Remove);
        t.Add("zscore", 3, ReadOnly | Fast, 1, 1, 1, Score);
        t.Add("zmscore", -3, ReadOnly | Fast, 1, 1, 1, Scores);
        t.Add("zcard", 2, ReadOnly | Fast, 1, 1, 1, Cardinality);
        t.Add("zcount", 4, ReadOnly | Fast, 1, 1, 1, CountByScore);
        t.Add("zlexcount", 4, ReadOnly | Fast, 1, 1, 1, CountByLex);
        t.Add("zrank", 3, ReadOnly | Fast, 1, 1, 1, (s, c) => Rank(s, c, reverse: false));
        t.Add("zrevrank", 3, ReadOnly | Fast, 1, 1, 1, (s, c) => Rank(s, c, reverse: true));
        t.Add("zpopmin", -2, Write | Fast, 1, 1, 1, (s, c) => Pop(s, c, fromHighest: false));
        t.Add("zpopmax", -2, Write | Fast, 1, 1, 1, (s, c) => Pop(s, c, fromHighest: true));
        t.Add("zrandmember", -2, ReadOnly, 1, 1, 1, RandomMember);
        t.Add("zscan", -3, ReadOnly, 1, 1, 1, Scan);
        SortedSetRangeCommands.Register(t);
        SortedSetAlgebraCommands.Register(t);
    }

    /// <summary>
    /// Replies with members, and their scores if asked: RESP2 interleaves them in one flat array, RESP3 answers
    /// an array of [member, score] pairs.
    /// </summary>
    public static void ReplyMembers(Session s, List<SkipListNode> nodes, bool withScores) => ReplyMembers(s, nodes.Count, nodes, withScores);

    /// <summary>Like <see cref="ReplyMembers(Session, List{SkipListNode}, bool)"/>, for <paramref name="count"/> nodes produced as they are written.</summary>
    public static void ReplyMembers(Session s, int count, IEnumerable<SkipListNode> nodes, bool withScores)
    {
        var pairs = withScores && s.Reply.Protocol == 3;
        s.Reply.Array(withScores && !pairs ? count * 2 : count);
        foreach (var node in nodes)
        {
            if (pairs) { s.Reply.Array(2); }
            s.Reply.Bulk(node.Member);
            if (withScores) { s.Reply.Double(node.Score); }
        }
    }

    private static void Remove(Session s, RespCommand c)
    {
        if (!TryGet(s, c[1], out RedisSortedSet? zset)) { return; }
        var removed = 0;
        for (var i = 2; i < c.Count && zset is not null; i++) { if (zset.Remove(c[i])) { removed++; } }
        if (removed > 0) { Changed(s, c[1], zset!, EventClass.SortedSet, "zrem"u8); }
        s.Reply.Integer(removed);
    }

    private static void Score(Session s, RespCommand c)
    {
        if (!TryRead(s, c[1], out RedisSortedSet? zset)) { return; }
        if (zset?.Find(c[2]) is { } node) { s.Reply.Double(node.Score); } else { s.Reply.Null(); }
    }

    private static void Scores(Session s, RespCommand c)
    {
        if (!TryRead(s, c[1], out RedisSortedSet? zset)) { return; }
        s.Reply.Array(c.Count - 2);
        for (var i = 2; i < c.Count; i++)
        {
            if (zset?.Find(c[i]) is { } node) { s.Reply.Double(node.Score); } else { s.Reply.Null(); }
        }
    }

    private static void Cardinality(Session s, RespCommand c)
    {
        if (TryRead(s, c[1], out RedisSortedSet? zset)) { s.Reply.Integer(zset?.Count ?? 0); }
    }

    private static void CountByScore(Session s, RespCommand c)
    {
        if (!SortedSetRangeCommands.TryParseScoreRange(c[2], c[3], out var range)) { s.Reply.Error(SortedSetRangeCommands.NotFloatRange); return; }
        if (TryRead(s, c[1], out RedisSortedSet? zset)) { s.Reply.Integer(zset is null ? 0 : CountIn(zset, range)); }
    }

    private static void CountByLex(Session s, RespCommand c)
    {
        if (!SortedSetRangeCommands.TryParseLexRange(c[2], c[3], out var range)) { s.Reply.Error(SortedSetRangeCommands.NotLexRange); return; }
        if (TryRead(s, c[1], out RedisSortedSet? zset)) { s.Reply.Integer(zset is null ? 0 : CountIn(zset, range)); }
    }

    // Counted by rank difference: O(log n) however many members the range holds.
    private static long CountIn<TRange>(RedisSortedSet zset, in TRange range) where TRange : struct, ISortedSetRange =>
        zset.Order.FirstIn(range) is { } first && zset.Order.LastIn(range) is { } last ? zset.Order.Rank(last) - zset.Order.Rank(first) + 1 : 0;

    // Redis 7.0's ZRANK and ZREVRANK: WITHSCORE came in 7.2.
    private static void Rank(Session s, RespCommand c, bool reverse)
    {
        if (!TryRead(s, c[1], out RedisSortedSet? zset)) { return; }
        if (zset?.Find(c[2]) is not { } node)
        {
            s.Reply.Null();
            return;
        }
        var rank = zset.Order.Rank(node);
        s.Reply.Integer(reverse ? zset.Count - 1 - rank : rank);
    }

    private static void Pop(Session s, RespCommand c, bool fromHighest)
    {
        if (c.Count > 3) { s.Reply.Error(Args.Syntax); return; }
        long count = 1;
        if (c.Count == 3 && (!Args.TryLong(c[2], out count) || count < 0)) { s.Reply.Error("ERR value is out of range, must be positive"); return; }
        if (!TryGet(s, c[1], out RedisSortedSet? zset)) { return; }
        if (zset is null || count == 0) { s.Reply.Array(0); return; }
        var popped = zset.Pop(fromHighest, count);
        Changed(s, c[1], zset, EventClass.SortedSet, PopEvent(fromHighest));
        if (c.Count == 3) { ReplyMembers(s, popped, withScores: true); return; }
        // Without a count, the one member and its score come flat, in RESP3 too.
        s.Reply.Array(2);
        s.Reply.Bulk(popped[0].Member);
        s.Reply.Double(popped[0].Score);
    }

    /// <summary>The event a pop from the lowest or highest end is notified as.</summary>
    public static ReadOnlySpan<byte> PopEvent(bool fromHighest) => fromHighest ? "zpopmax"u8 : "zpopmin"u8;

    private static void RandomMember(Session s, RespCommand c)
    {
        long count = 0;
        var withScores = false;
        if (c.Count >= 3 && !TryRandomCount(s, c, "WITHSCORES", out count, out withScores)) { return; }
        if (!TryRead(s, c[1], out RedisSortedSet? zset)) { return; }
        if (c.Count == 2)
        {
            if (zset is null) { s.Reply.Null(); } else { s.Reply.Bulk(zset.RandomNode().Member); }
            return;
        }
        if (zset is null || count == 0) { s.Reply.Array(0); return; }
        if (count < 0)
        {
            // A negative count may repeat members; the cap keeps RESP2's member-and-score count an int, and a reply that
            // long could never be sent anyway.
            var times = (int)Math.Min(-count, int.MaxValue / 2);
            ReplyMembers(s, times, Repeatedly(s, times, zset.RandomNode), withScores);
            return;
        }
        // A count covering the whole set answers it highest first, as Redis walks its sorted sets backwards.
        var picked = count >= zset.Count ? SkipList.Walk(zset.Order.Last, reverse: true).ToList() : zset.RandomNodes((int)count);
        ReplyMembers(s, picked, withScores);
    }

    private static void Scan(Session s, RespCommand c)
    {
        if (!Args.TryCursor(c[2], out var cursor)) { s.Reply.Error("ERR invalid cursor"); return; }
        if (!TryRead(s, c[1], out RedisSortedSet? zset)) { return; }
        var found = new List<SkipListNode>();
        var next = 0UL;
        // As Redis, options are checked only once the key exists.
        if (zset is not null)
        {
            if (!ScanOptions.TryParse(c, 3, out var options, out var error, allowType: false)) { s.Reply.Error(error!); return; }
            next = zset.Scan(cursor, options.Count, found);
            found.RemoveAll(node => options.Pattern is not null && !Glob.Match(options.Pattern, node.Member));
        }
        s.Reply.Array(2);
        s.Reply.Bulk(next.ToString());
        s.Reply.Array(found.Count * 2);
        Span<byte> score = stackalloc byte[32];
        foreach (var node in found)
        {
            s.Reply.Bulk(node.Member);
            // Scores come as bulk strings here, in RESP3 too.
            s.Reply.Bulk(score[..RespWriter.FormatDouble(node.Score, score)]);
        }
    }
}
