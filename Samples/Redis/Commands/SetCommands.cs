using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CollectionAccess;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>SADD, SREM, SPOP and the other set commands; intersections, unions and differences are in <see cref="SetAlgebraCommands"/>.</summary>
internal static class SetCommands
{
    private const string MustBePositive = "ERR value is out of range, must be positive";

    public static void Register(CommandTable t)
    {
        t.Add("sadd", -3, Write | Fast, 1, 1, 1, Add);
        t.Add("srem", -3, Write | Fast, 1, 1, 1, Remove);
        t.Add("smembers", 2, ReadOnly, 1, 1, 1, Members);
        t.Add("sismember", 3, ReadOnly | Fast, 1, 1, 1, IsMember);
        t.Add("smismember", -3, ReadOnly | Fast, 1, 1, 1, AreMembers);
        t.Add("scard", 2, ReadOnly | Fast, 1, 1, 1, Cardinality);
        t.Add("spop", -2, Write | Fast, 1, 1, 1, Pop);
        t.Add("srandmember", -2, ReadOnly, 1, 1, 1, RandomMember);
        t.Add("smove", 4, Write | Fast, 1, 2, 1, Move);
        t.Add("sscan", -3, ReadOnly, 1, 1, 1, Scan);
        SetAlgebraCommands.Register(t);
    }

    /// <summary>Replies with <paramref name="members"/> as a set (RESP3) or an array (RESP2).</summary>
    public static void ReplySet(Session s, IReadOnlyCollection<byte[]> members)
    {
        s.Reply.Set(members.Count);
        foreach (var member in members) { s.Reply.Bulk(member); }
    }

    private static void Add(Session s, RespCommand c)
    {
        if (!TryGetOrCreate(s, c[1], out RedisSet set)) { return; }
        var added = 0;
        for (var i = 2; i < c.Count; i++) { if (set.Add(c[i])) { added++; } }
        if (added > 0)
        {
            s.Db.Touch(c[1]);
            s.Db.Notify(EventClass.Set, "sadd"u8, c[1]);
        }
        s.Reply.Integer(added);
    }

    private static void Remove(Session s, RespCommand c)
    {
        if (!TryGet(s, c[1], out RedisSet? set)) { return; }
        var removed = 0;
        for (var i = 2; i < c.Count && set is not null; i++) { if (set.Remove(c[i])) { removed++; } }
        if (removed > 0) { Changed(s, c[1], set!, EventClass.Set, "srem"u8); }
        s.Reply.Integer(removed);
    }

    private static void Members(Session s, RespCommand c)
    {
        if (TryRead(s, c[1], out RedisSet? set)) { ReplySet(s, set?.Members ?? []); }
    }

    private static void IsMember(Session s, RespCommand c)
    {
        if (TryRead(s, c[1], out RedisSet? set)) { s.Reply.Integer(set?.Contains(c[2]) == true ? 1 : 0); }
    }

    private static void AreMembers(Session s, RespCommand c)
    {
        if (!TryRead(s, c[1], out RedisSet? set)) { return; }
        s.Reply.Array(c.Count - 2);
        for (var i = 2; i < c.Count; i++) { s.Reply.Integer(set?.Contains(c[i]) == true ? 1 : 0); }
    }

    private static void Cardinality(Session s, RespCommand c)
    {
        if (TryRead(s, c[1], out RedisSet? set)) { s.Reply.Integer(set?.Count ?? 0); }
    }

    private static readonly byte[] Srem = "SREM"u8.ToArray();

    private static void Pop(Session s, RespCommand c)
    {
        if (c.Count > 3) { s.Reply.Error(Args.Syntax); return; }
        long count = 1;
        if (c.Count == 3 && (!Args.TryLong(c[2], out count) || count < 0)) { s.Reply.Error(MustBePositive); return; }
        if (!TryGet(s, c[1], out RedisSet? set)) { return; }
        if (c.Count == 2)
        {
            if (set is null) { s.Reply.Null(); return; }
            var member = set.RandomMember();
            set.Remove(member);
            Changed(s, c[1], set, EventClass.Set, "spop"u8);
            s.Db.Log?.Append(s.Db.Index, Srem, c[1].ToArray(), member);
            s.Reply.Bulk(member);
            return;
        }
        if (set is null || count == 0) { s.Reply.Set(0); return; }
        if (count >= set.Count) { s.Db.Read(c[1]); } // Redis answers this case with SUNION's code, whose read lookup counts a hit
        var popped = count >= set.Count ? [.. set.Members] : set.RandomMembers((int)count);
        foreach (var member in popped) { set.Remove(member); }
        Changed(s, c[1], set, EventClass.Set, "spop"u8);
        s.Db.Log?.Append(s.Db.Index, [Srem, c[1].ToArray(), .. popped]); // random: what was taken, as Redis propagates it
        ReplySet(s, popped);
    }

    private static void RandomMember(Session s, RespCommand c)
    {
        if (c.Count > 3) { s.Reply.Error(Args.Syntax); return; }
        long count = 0;
        if (c.Count == 3)
        {
            if (!Args.TryLong(c[2], out count)) { s.Reply.Error(Args.NotInteger); return; }
            if (count == long.MinValue) { s.Reply.Error(Args.OutOfLongRange); return; }
        }
        if (!TryRead(s, c[1], out RedisSet? set)) { return; }
        if (c.Count == 2)
        {
            if (set is null) { s.Reply.Null(); } else { s.Reply.Bulk(set.RandomMember()); }
            return;
        }
        if (set is null || count == 0) { s.Reply.Array(0); return; }
        if (count < 0)
        {
            var times = (int)Math.Min(-count, int.MaxValue);
            s.Reply.Array(times);
            foreach (var member in Repeatedly(s, times, set.RandomMember)) { s.Reply.Bulk(member); }
            return;
        }
        var picked = count >= set.Count ? set.Members : set.RandomMembers((int)count);
        s.Reply.Array(picked.Count);
        foreach (var member in picked) { s.Reply.Bulk(member); }
    }

    private static void Move(Session s, RespCommand c)
    {
        var source = s.Db.Get(c[1]);
        if (source is null) { s.Reply.Integer(0); return; }
        if (source is not RedisSet from) { s.Reply.Error(Args.WrongType); return; }
        if (!TryGet(s, c[2], out RedisSet? to)) { return; }
        if (from == to) { s.Reply.Integer(from.Contains(c[3]) ? 1 : 0); return; }
        if (!from.Remove(c[3])) { s.Reply.Integer(0); return; }
        Changed(s, c[1], from, EventClass.Set, "srem"u8);
        if (to is null) { s.Db.Set(c[2], to = new RedisSet()); }
        if (to.Add(c[3]))
        {
            s.Db.Touch(c[2]);
            s.Db.Notify(EventClass.Set, "sadd"u8, c[2]);
        }
        s.Reply.Integer(1);
    }

    private static void Scan(Session s, RespCommand c)
    {
        if (!Args.TryCursor(c[2], out var cursor)) { s.Reply.Error("ERR invalid cursor"); return; }
        if (!TryRead(s, c[1], out RedisSet? set)) { return; }
        // As Redis, options are checked only once the key exists.
        if (set is null) { ReplyScan(s, 0, []); return; }
        if (!ScanOptions.TryParse(c, 3, out var options, out var error, allowType: false)) { s.Reply.Error(error!); return; }
        var found = new List<byte[]>();
        var next = set.Scan(cursor, options.Count, found);
        ReplyScan(s, next, found.Where(m => options.Pattern is null || Glob.Match(options.Pattern, m)).ToList());
    }

    private static void ReplyScan(Session s, ulong next, List<byte[]> members)
    {
        s.Reply.Array(2);
        s.Reply.Bulk(next.ToString());
        s.Reply.Array(members.Count);
        foreach (var member in members) { s.Reply.Bulk(member); }
    }
}
