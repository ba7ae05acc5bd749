using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination], and SORT_RO
/// without STORE: a list, set or sorted set sorted by its elements or by keys and hash fields their patterns name, as
/// redis-server 7.0 sorts (see <see cref="SortRequest"/> for the options and <see cref="SortPattern"/> for patterns).
/// </summary>
internal static class SortCommands
{
    public const string NotDouble = "ERR One or more scores can't be converted into double";

    public static void Register(CommandTable t)
    {
        // Exclusive, always: BY and GET read keys that only the sorted elements name, so their stripes are not known
        // before SORT runs, and STORE may write a key clients are blocked on. Holding the whole keyspace for the plain
        // SORT too keeps one path for a command that is rare on a hot path.
        t.Add("sort", -2, Write | Exclusive, new KeySpec(1, 1, 1, Options: OptionKeys.SortPatternsAndStore), (s, c) => Sort(s, c, readOnly: false));
        t.Add("sort_ro", -2, ReadOnly | Exclusive, new KeySpec(1, 1, 1, Options: OptionKeys.SortPatterns), (s, c) => Sort(s, c, readOnly: true));
    }

    private static void Sort(Session s, RespCommand c, bool readOnly)
    {
        if (!SortRequest.TryParse(c, readOnly, out var request, out var error)) { s.Reply.Error(error); return; }
        var value = s.Db.Read(c[1]);
        if (value is not (null or RedisList or RedisSet or RedisSortedSet)) { s.Reply.Error(Args.WrongType); return; }
        // Redis converts a sorted set to its skiplist encoding for SORT, for good.
        if (value is RedisSortedSet sorted) { sorted.ForcedSkipList = true; }
        if (request.DontSort && value is RedisSet && (request.Store is not null || s.IsScriptClient))
        {
            // A set's order is not stable: one that is stored, or given to a script (which may write with it), is sorted
            // by its elements, as Redis does so that replicas and the append-only file come out alike.
            (request.DontSort, request.Alpha, request.By) = (false, true, null);
        }

        var length = value switch { RedisList list => list.Count, RedisSet set => set.Count, RedisSortedSet zset => zset.Count, _ => 0 };
        var start = Math.Min(Math.Max(request.LimitStart, 0), length);
        var count = Math.Min(Math.Max(request.LimitCount, -1), length);
        var end = count < 0 ? length - 1 : start + count - 1;
        if (start >= length) { (start, end) = (length - 1, length - 2); }
        if (end >= length) { end = length - 1; }

        byte[][] elements;
        if (request.DontSort && value is RedisList or RedisSortedSet)
        {
            // Their own order, DESC from the other end, and only the range LIMIT asks for.
            elements = Range(value, start, end, request.Descending);
            (start, end) = (0, elements.Length - 1);
        }
        else
        {
            elements = All(s, value);
        }

        if (!request.DontSort && !TrySort(s, request, elements)) { s.Reply.Error(NotDouble); return; }
        var taken = (int)Math.Max(end - start + 1, 0);
        var outputLength = request.Gets.Count > 0 ? request.Gets.Count * taken : taken;
        if (request.Store is null)
        {
            s.Reply.Array(outputLength);
            for (var j = start; j <= end; j++)
            {
                if (request.Gets.Count == 0) { s.Reply.Bulk(elements[j]); }
                foreach (var get in request.Gets)
                {
                    if (SortPattern.Lookup(s.Db, get, elements[j]) is { } found) { s.Reply.Bulk(found); } else { s.Reply.Null(); }
                }
            }
            return;
        }
        Store(s, request, elements, start, end, outputLength);
    }

    // STORE: the result as a list replacing whatever the destination held (its TTL too), or no destination at all when
    // the result is empty; answers the result's length.
    private static void Store(Session s, SortRequest request, byte[][] elements, long start, long end, int outputLength)
    {
        if (outputLength == 0)
        {
            s.Db.Delete(request.Store);
            s.Reply.Integer(0);
            return;
        }
        var list = new RedisList();
        for (var j = start; j <= end; j++)
        {
            if (request.Gets.Count == 0) { list.Push(ListEnd.Right, elements[j]); }
            foreach (var get in request.Gets)
            {
                // A string may be overwritten in place later (SET of the same length): the list keeps a copy.
                list.Push(ListEnd.Right, SortPattern.Lookup(s.Db, get, elements[j])?.ToArray() ?? []);
            }
        }
        s.Db.Set(request.Store, list);
        s.Db.Notify(EventClass.List, "sortstore"u8, request.Store);
        s.Reply.Integer(outputLength);
    }

    // Elements start..end of a list or sorted set in their order (from the end when descending), as Redis loads them
    // when there is nothing to sort.
    private static byte[][] Range(object value, long start, long end, bool descending)
    {
        if (end < start) { return []; }
        var length = (int)(end - start + 1);
        var elements = new byte[length][];
        if (value is RedisList list)
        {
            for (var j = 0; j < length; j++) { elements[j] = list[descending ? list.Count - 1 - (int)start - j : (int)start + j]; }
            return elements;
        }
        var order = ((RedisSortedSet)value).Order;
        var node = order.AtRank(descending ? order.Count - 1 - start : start);
        for (var j = 0; j < length; j++, node = descending ? node!.Previous : node!.Levels[0].Next) { elements[j] = node!.Member; }
        return elements;
    }

    // Every element in the order Redis loads them to sort: a list's, a sorted set's, and a set's own order, which for
    // an intset is ascending, for a hash table ours (Redis's is its dictionary's, which no client can rely on).
    private static byte[][] All(Session s, object? value)
    {
        switch (value)
        {
            case RedisList list:
                var items = new byte[list.Count][];
                for (var j = 0; j < items.Length; j++) { items[j] = list[j]; }
                return items;
            case RedisSortedSet sorted:
                return SkipList.Walk(sorted.Order.First, reverse: false).Select(node => node.Member).ToArray();
            case RedisSet set when ObjectEncoding.IsIntset(set, s.Server.Config.EncodingThresholds):
                return set.Members.OrderBy(member => ObjectEncoding.TryInteger(member, out var number) ? number : 0).ToArray();
            case RedisSet set:
                return [.. set.Members];
            default:
                return [];
        }
    }

    /// <summary>
    /// Sorts <paramref name="elements"/> in place as Redis compares them: by score (the element or what BY finds read as
    /// a double, 0 where BY finds nothing), equal scores by the elements' bytes; ALPHA by the elements or what BY finds
    /// (nothing first), bytes compared as strcoll compares them in the C locale (up to the first NUL) or, with STORE,
    /// as binary. DESC reverses the comparison. Ties keep the loading order, as glibc's merge sort keeps them. False when
    /// a score is not a number.
    /// </summary>
    private static bool TrySort(Session s, SortRequest request, byte[][] elements)
    {
        var scores = request.Alpha ? null : new double[elements.Length];
        var keys = request.Alpha && request.By is not null ? new byte[]?[elements.Length] : null;
        var numbers = true;
        for (var j = 0; j < elements.Length; j++)
        {
            var by = request.By is null ? elements[j] : SortPattern.Lookup(s.Db, request.By, elements[j]);
            if (keys is not null) { keys[j] = by; }
            if (scores is not null && by is not null && !Strtod.TryParse(by, out scores[j])) { numbers = false; }
        }
        if (!numbers) { return false; }

        var order = Enumerable.Range(0, elements.Length).ToArray();
        var binary = request.Store is not null;
        Array.Sort(order, (x, y) =>
        {
            int compared;
            if (scores is not null)
            {
                compared = scores[x] > scores[y] ? 1 : scores[x] < scores[y] ? -1 : elements[x].AsSpan().SequenceCompareTo(elements[y]);
            }
            else if (keys is not null)
            {
                compared = keys[x] is null || keys[y] is null ? (keys[x] is null ? 0 : 1) - (keys[y] is null ? 0 : 1) : Compare(keys[x]!, keys[y]!, binary);
            }
            else
            {
                compared = Compare(elements[x], elements[y], binary);
            }
            if (request.Descending) { compared = -compared; }
            return compared != 0 ? compared : x.CompareTo(y);
        });
        var sorted = order.Select(j => elements[j]).ToArray();
        sorted.CopyTo(elements, 0);
        return true;
    }

    private static int Compare(byte[] x, byte[] y, bool binary) =>
        binary ? x.AsSpan().SequenceCompareTo(y) : SortPattern.CString(x).SequenceCompareTo(SortPattern.CString(y));
}
