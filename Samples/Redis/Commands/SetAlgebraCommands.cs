using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CollectionAccess;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>SINTER, SUNION, SDIFF, their STORE forms and SINTERCARD. A missing key counts as an empty set.</summary>
internal static class SetAlgebraCommands
{
    private enum Operation { Intersection, Union, Difference }

    public static void Register(CommandTable t)
    {
        t.Add("sinter", -2, ReadOnly, 1, -1, 1, (s, c) => Reply(s, c, Operation.Intersection));
        t.Add("sunion", -2, ReadOnly, 1, -1, 1, (s, c) => Reply(s, c, Operation.Union));
        t.Add("sdiff", -2, ReadOnly, 1, -1, 1, (s, c) => Reply(s, c, Operation.Difference));
        t.Add("sinterstore", -3, Write, 1, -1, 1, (s, c) => Store(s, c, Operation.Intersection));
        t.Add("sunionstore", -3, Write, 1, -1, 1, (s, c) => Store(s, c, Operation.Union));
        t.Add("sdiffstore", -3, Write, 1, -1, 1, (s, c) => Store(s, c, Operation.Difference));
        t.Add("sintercard", -3, ReadOnly, new KeySpec(0, 0, 0, NumKeysAt: 1), InterCard);
    }

    private static void Reply(Session s, RespCommand c, Operation operation)
    {
        if (TryLoad(s, c, 1, c.Count - 1, out var sets)) { SetCommands.ReplySet(s, Combine(sets, operation).Members); }
    }

    private static void Store(Session s, RespCommand c, Operation operation)
    {
        if (!TryLoad(s, c, 2, c.Count - 2, out var sets)) { return; }
        var result = Combine(sets, operation);
        s.Db.Store(c[1], result, EventClass.Set, operation switch
        {
            Operation.Intersection => "sinterstore"u8,
            Operation.Union => "sunionstore"u8,
            _ => "sdiffstore"u8,
        });
        s.Reply.Integer(result.Count);
    }

    private static void InterCard(Session s, RespCommand c)
    {
        if (!Args.TryLong(c[1], out var keys) || keys < 1) { s.Reply.Error("ERR numkeys should be greater than 0"); return; }
        if (keys > c.Count - 2) { s.Reply.Error("ERR Number of keys can't be greater than number of args"); return; }
        long limit = 0;
        for (var i = 2 + (int)keys; i < c.Count; i++)
        {
            if (!Args.Is(c[i], "LIMIT") || i + 1 == c.Count) { s.Reply.Error(Args.Syntax); return; }
            if (!Args.TryLong(c[++i], out limit) || limit < 0) { s.Reply.Error("ERR LIMIT can't be negative"); return; }
        }
        if (TryLoad(s, c, 2, (int)keys, out var sets)) { s.Reply.Integer(Intersect(sets, limit).Count); }
    }

    /// <summary>The sets at <paramref name="count"/> keys from <paramref name="first"/> on (null where missing); false, with WRONGTYPE written, if any holds another type.</summary>
    private static bool TryLoad(Session s, RespCommand c, int first, int count, out List<RedisSet?> sets)
    {
        sets = new List<RedisSet?>(count);
        for (var i = first; i < first + count; i++)
        {
            if (!TryRead(s, c[i], out RedisSet? set)) { return false; }
            sets.Add(set);
        }
        return true;
    }

    private static RedisSet Combine(List<RedisSet?> sets, Operation operation) => operation switch
    {
        Operation.Intersection => Intersect(sets, limit: 0),
        Operation.Union => Union(sets),
        _ => Difference(sets),
    };

    /// <summary>The members of every set, stopping at <paramref name="limit"/> of them (0: no limit).</summary>
    private static RedisSet Intersect(List<RedisSet?> sets, long limit)
    {
        var result = new RedisSet();
        if (sets.Contains(null)) { return result; }
        // Walking the smallest set tests the fewest candidates.
        var bySize = sets.OrderBy(set => set!.Count).ToList();
        foreach (var member in bySize[0]!.Members)
        {
            if (bySize.Skip(1).All(set => set!.Contains(member)) && result.Add(member) && result.Count == limit) { break; }
        }
        return result;
    }

    private static RedisSet Union(List<RedisSet?> sets)
    {
        var result = new RedisSet();
        foreach (var set in sets)
        {
            foreach (var member in set?.Members ?? []) { result.Add(member); }
        }
        return result;
    }

    /// <summary>The members of the first set that no other set holds.</summary>
    private static RedisSet Difference(List<RedisSet?> sets)
    {
        var result = new RedisSet();
        foreach (var member in sets[0]?.Members ?? [])
        {
            if (!sets.Skip(1).Any(set => set?.Contains(member) == true)) { result.Add(member); }
        }
        return result;
    }
}
