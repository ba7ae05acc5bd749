using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CollectionAccess;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>LPUSH, LPOP, LRANGE and the other list commands; the blocking ones are in <see cref="BlockingListCommands"/>.</summary>
internal static class ListCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("lpush", -3, Write | Fast, 1, 1, 1, (s, c) => Push(s, c, ListEnd.Left, onlyIfExists: false));
        t.Add("rpush", -3, Write | Fast, 1, 1, 1, (s, c) => Push(s, c, ListEnd.Right, onlyIfExists: false));
        t.Add("lpushx", -3, Write | Fast, 1, 1, 1, (s, c) => Push(s, c, ListEnd.Left, onlyIfExists: true));
        t.Add("rpushx", -3, Write | Fast, 1, 1, 1, (s, c) => Push(s, c, ListEnd.Right, onlyIfExists: true));
        t.Add("lpop", -2, Write | Fast, 1, 1, 1, (s, c) => Pop(s, c, ListEnd.Left));
        t.Add("rpop", -2, Write | Fast, 1, 1, 1, (s, c) => Pop(s, c, ListEnd.Right));
        t.Add("llen", 2, ReadOnly | Fast, 1, 1, 1, LLen);
        t.Add("lrange", 4, ReadOnly, 1, 1, 1, LRange);
        t.Add("lindex", 3, ReadOnly, 1, 1, 1, LIndex);
        t.Add("lset", 4, Write, 1, 1, 1, LSet);
        t.Add("lrem", 4, Write, 1, 1, 1, LRem);
        t.Add("ltrim", 4, Write, 1, 1, 1, LTrim);
        t.Add("linsert", 5, Write, 1, 1, 1, LInsert);
        t.Add("lpos", -3, ReadOnly, 1, 1, 1, LPos);
        t.Add("lmove", 5, Write, 1, 2, 1, LMove);
        t.Add("rpoplpush", 3, Write, 1, 2, 1, (s, c) => { if (!TryMove(s, c[1], c[2], ListEnd.Right, ListEnd.Left)) { s.Reply.Null(); } });
        BlockingListCommands.Register(t);
    }

    /// <summary>LMOVE: moves one element and replies with it; false, with nothing written, when the source is empty.</summary>
    public static bool TryMove(Session s, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ListEnd from, ListEnd to)
    {
        if (!TryGet(s, source, out RedisList? list)) { return true; }
        if (list is null) { return false; }
        if (!TryGetOrCreate(s, destination, out RedisList target)) { return true; }
        var element = list.Pop(from);
        target.Push(to, element);
        s.Db.Touch(destination);
        s.Db.Notify(EventClass.List, PushEvent(to), destination);
        Changed(s, source, list, EventClass.List, PopEvent(from));
        s.Reply.Bulk(element);
        return true;
    }

    /// <summary>LEFT or RIGHT; false (syntax error written) for anything else.</summary>
    public static bool TryEnd(Session s, ReadOnlySpan<byte> word, out ListEnd end)
    {
        end = Args.Is(word, "LEFT") ? ListEnd.Left : ListEnd.Right;
        if (Args.Is(word, "LEFT") || Args.Is(word, "RIGHT")) { return true; }
        s.Reply.Error(Args.Syntax);
        return false;
    }

    private static void Push(Session s, RespCommand c, ListEnd end, bool onlyIfExists)
    {
        if (!TryGet(s, c[1], out RedisList? list)) { return; }
        if (list is null && onlyIfExists) { s.Reply.Integer(0); return; }
        if (list is null) { s.Db.Set(c[1], list = new RedisList()); }
        for (var i = 2; i < c.Count; i++) { list.Push(end, c[i].ToArray()); }
        s.Db.Touch(c[1]);
        s.Db.Notify(EventClass.List, PushEvent(end), c[1]);
        s.Reply.Integer(list.Count);
    }

    private static void Pop(Session s, RespCommand c, ListEnd end)
    {
        if (c.Count > 3) { s.Reply.Error(Args.WrongArgumentCount(Args.Text(c[0]))); return; }
        var withCount = c.Count == 3;
        long count = 1;
        if (withCount && (!Args.TryLong(c[2], out count) || count < 0)) { s.Reply.Error("ERR value is out of range, must be positive"); return; }
        if (!TryGet(s, c[1], out RedisList? list)) { return; }
        if (list is null)
        {
            if (withCount) { s.Reply.NullArray(); } else { s.Reply.Null(); }
            return;
        }
        if (!withCount) { s.Reply.Bulk(list.Pop(end)); }
        else
        {
            var popped = (int)Math.Min(count, list.Count);
            s.Reply.Array(popped);
            for (var i = 0; i < popped; i++) { s.Reply.Bulk(list.Pop(end)); }
            if (popped == 0) { return; }
        }
        Changed(s, c[1], list, EventClass.List, PopEvent(end));
    }

    /// <summary>The event a push to <paramref name="end"/> is notified as.</summary>
    public static ReadOnlySpan<byte> PushEvent(ListEnd end) => end == ListEnd.Left ? "lpush"u8 : "rpush"u8;

    /// <summary>The event a pop from <paramref name="end"/> is notified as.</summary>
    public static ReadOnlySpan<byte> PopEvent(ListEnd end) => end == ListEnd.Left ? "lpop"u8 : "rpop"u8;

    private static void LLen(Session s, RespCommand c)
    {
        if (TryRead(s, c[1], out RedisList? list)) { s.Reply.Integer(list?.Count ?? 0); }
    }

    private static void LRange(Session s, RespCommand c)
    {
        if (!Args.TryLong(c[2], out var start) || !Args.TryLong(c[3], out var stop)) { s.Reply.Error(Args.NotInteger); return; }
        if (!TryRead(s, c[1], out RedisList? list)) { return; }
        if (list is null || !TryRange(start, stop, list.Count, out var first, out var last)) { s.Reply.Array(0); return; }
        s.Reply.Array(last - first + 1);
        for (var i = first; i <= last; i++) { s.Reply.Bulk(list[i]); }
    }

    private static void LIndex(Session s, RespCommand c)
    {
        if (!TryRead(s, c[1], out RedisList? list)) { return; }
        if (list is null) { s.Reply.Null(); return; }
        if (!Args.TryLong(c[2], out var index)) { s.Reply.Error(Args.NotInteger); return; }
        var position = list.Position(index);
        if (position < 0) { s.Reply.Null(); } else { s.Reply.Bulk(list[position]); }
    }

    private static void LSet(Session s, RespCommand c)
    {
        if (!TryGet(s, c[1], out RedisList? list)) { return; }
        if (list is null) { s.Reply.Error(Args.NoSuchKey); return; }
        if (!Args.TryLong(c[2], out var index)) { s.Reply.Error(Args.NotInteger); return; }
        var position = list.Position(index);
        if (position < 0) { s.Reply.Error(Args.IndexOutOfRange); return; }
        list[position] = c[3].ToArray();
        s.Db.Touch(c[1]);
        s.Db.Notify(EventClass.List, "lset"u8, c[1]);
        s.Reply.Ok();
    }

    private static void LRem(Session s, RespCommand c)
    {
        if (!Args.TryLong(c[2], out var count)) { s.Reply.Error(Args.NotInteger); return; }
        if (!TryGet(s, c[1], out RedisList? list)) { return; }
        var removed = list?.Remove(c[3], count) ?? 0;
        if (removed > 0) { Changed(s, c[1], list!, EventClass.List, "lrem"u8); }
        s.Reply.Integer(removed);
    }

    private static void LTrim(Session s, RespCommand c)
    {
        if (!Args.TryLong(c[2], out var start) || !Args.TryLong(c[3], out var stop)) { s.Reply.Error(Args.NotInteger); return; }
        if (!TryGet(s, c[1], out RedisList? list)) { return; }
        if (list is not null)
        {
            if (TryRange(start, stop, list.Count, out var first, out var last)) { list.Trim(first, last); } else { list.Trim(0, -1); }
            Changed(s, c[1], list, EventClass.List, "ltrim"u8);
        }
        s.Reply.Ok();
    }

    private static void LInsert(Session s, RespCommand c)
    {
        var after = Args.Is(c[2], "AFTER");
        if (!after && !Args.Is(c[2], "BEFORE")) { s.Reply.Error(Args.Syntax); return; }
        if (!TryGet(s, c[1], out RedisList? list)) { return; }
        if (list is null) { s.Reply.Integer(0); return; }
        var pivot = list.IndexOf(c[3]);
        if (pivot < 0) { s.Reply.Integer(-1); return; }
        list.Insert(after ? pivot + 1 : pivot, c[4].ToArray());
        s.Db.Touch(c[1]);
        s.Db.Notify(EventClass.List, "linsert"u8, c[1]);
        s.Reply.Integer(list.Count);
    }

    private static void LPos(Session s, RespCommand c)
    {
        long rank = 1, count = 1, maxLength = 0;
        var withCount = false;
        for (var i = 3; i < c.Count; i++)
        {
            var hasValue = i + 1 < c.Count;
            if (Args.Is(c[i], "RANK") && hasValue)
            {
                if (!Args.TryLong(c[++i], out rank)) { s.Reply.Error(Args.NotInteger); return; }
                if (rank == long.MinValue) { s.Reply.Error(Args.OutOfLongRange); return; }
                if (rank == 0)
                {
                    s.Reply.Error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
                    return;
                }
            }
            else if (Args.Is(c[i], "COUNT") && hasValue)
            {
                if (!Args.TryLong(c[++i], out count) || count < 0) { s.Reply.Error("ERR COUNT can't be negative"); return; }
                withCount = true;
            }
            else if (Args.Is(c[i], "MAXLEN") && hasValue)
            {
                if (!Args.TryLong(c[++i], out maxLength) || maxLength < 0) { s.Reply.Error("ERR MAXLEN can't be negative"); return; }
            }
            else { s.Reply.Error(Args.Syntax); return; }
        }
        if (!TryRead(s, c[1], out RedisList? list)) { return; }
        var matches = list is null ? [] : Positions(list, c[2], rank, count, maxLength);
        if (withCount)
        {
            s.Reply.Array(matches.Count);
            foreach (var position in matches) { s.Reply.Integer(position); }
        }
        else if (matches.Count == 0) { s.Reply.Null(); }
        else { s.Reply.Integer(matches[0]); }
    }

    // LPOS's scan: from the head for a positive rank, from the tail for a negative one, skipping the first
    // |rank| - 1 matches, looking at no more than maxLength elements (0: all), stopping after count matches (0: all).
    private static List<int> Positions(RedisList list, ReadOnlySpan<byte> element, long rank, long count, long maxLength)
    {
        var matches = new List<int>();
        var skip = Math.Abs(rank) - 1;
        for (var n = 0; n < list.Count && (maxLength == 0 || n < maxLength); n++)
        {
            var i = rank > 0 ? n : list.Count - 1 - n;
            if (!list[i].AsSpan().SequenceEqual(element)) { continue; }
            if (skip > 0) { skip--; continue; }
            matches.Add(i);
            if (matches.Count == count) { break; }
        }
        return matches;
    }

    private static void LMove(Session s, RespCommand c)
    {
        if (!TryEnd(s, c[3], out var from) || !TryEnd(s, c[4], out var to)) { return; }
        if (!TryMove(s, c[1], c[2], from, to)) { s.Reply.Null(); }
    }

    /// <summary>Redis's start/stop rules for LRANGE and LTRIM (negative counts from the tail); false when the range is empty.</summary>
    private static bool TryRange(long start, long stop, int count, out int first, out int last)
    {
        if (start < 0) { start = Math.Max(start + count, 0); }
        if (stop < 0) { stop += count; }
        first = (int)Math.Min(start, count);
        last = (int)Math.Min(stop, count - 1);
        return start <= stop && start < count;
    }
}
