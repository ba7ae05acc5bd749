using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>Commands on keys whatever their type: DEL, EXISTS, TYPE, expiry, RENAME, KEYS, SCAN, MOVE, COPY, SWAPDB.</summary>
internal static class KeyCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("del", -2, Write, 1, -1, 1, Delete);
        t.Add("unlink", -2, Write | Fast, 1, -1, 1, Delete);
        t.Add("exists", -2, ReadOnly | Fast, 1, -1, 1, (s, c) => s.Reply.Integer(CountLive(s, c, touch: false)));
        t.Add("touch", -2, ReadOnly | Fast, 1, -1, 1, (s, c) => s.Reply.Integer(CountLive(s, c, touch: true)));
        t.Add("type", 2, ReadOnly | Fast, 1, 1, 1, Type);
        t.Add("expire", -3, Write | Fast, 1, 1, 1, (s, c) => Expire(s, c, 1000, absolute: false));
        t.Add("pexpire", -3, Write | Fast, 1, 1, 1, (s, c) => Expire(s, c, 1, absolute: false));
        t.Add("expireat", -3, Write | Fast, 1, 1, 1, (s, c) => Expire(s, c, 1000, absolute: true));
        t.Add("pexpireat", -3, Write | Fast, 1, 1, 1, (s, c) => Expire(s, c, 1, absolute: true));
        t.Add("ttl", 2, ReadOnly | Fast, 1, 1, 1, (s, c) => Ttl(s, c, 1000, remaining: true));
        t.Add("pttl", 2, ReadOnly | Fast, 1, 1, 1, (s, c) => Ttl(s, c, 1, remaining: true));
        t.Add("expiretime", 2, ReadOnly | Fast, 1, 1, 1, (s, c) => Ttl(s, c, 1000, remaining: false));
        t.Add("pexpiretime", 2, ReadOnly | Fast, 1, 1, 1, (s, c) => Ttl(s, c, 1, remaining: false));
        t.Add("persist", 2, Write | Fast, 1, 1, 1, Persist);
        t.Add("rename", 3, Write, 1, 2, 1, (s, c) => Rename(s, c, onlyIfNew: false));
        t.Add("renamenx", 3, Write | Fast, 1, 2, 1, (s, c) => Rename(s, c, onlyIfNew: true));
        t.Add("keys", 2, ReadOnly, 0, 0, 0, Keys);
        t.Add("scan", -2, ReadOnly, 0, 0, 0, Scan);
        t.Add("randomkey", 1, ReadOnly, 0, 0, 0, RandomKey);
        t.Add("move", 3, Write | Fast | Exclusive, 1, 1, 1, Move);
        t.Add("copy", -3, Write | Exclusive, 1, 2, 1, Copy); // exclusive: DB may name another database, whose waiters its stripes do not cover
        t.Add("swapdb", 3, Write | Fast, 0, 0, 0, SwapDb); // no key: exclusive
    }

    private static void Delete(Session s, RespCommand c)
    {
        var removed = 0;
        for (var i = 1; i < c.Count; i++)
        {
            if (s.Db.Delete(c[i])) { removed++; }
        }
        s.Reply.Integer(removed);
    }

    // EXISTS, TYPE and TTL look keys up without recording their use (LOOKUP_NOTOUCH), TOUCH to record it.
    private static int CountLive(Session s, RespCommand c, bool touch)
    {
        var live = 0;
        for (var i = 1; i < c.Count; i++) { if (s.Db.Read(c[i], touch: touch) is not null) { live++; } }
        return live;
    }

    private static void Type(Session s, RespCommand c) =>
        s.Reply.SimpleString(s.Db.Read(c[1], touch: false) is { } value ? RedisValue.TypeName(value) : "none");

    private static void Expire(Session s, RespCommand c, long unitMs, bool absolute)
    {
        bool nx = false, xx = false, gt = false, lt = false;
        for (var i = 3; i < c.Count; i++)
        {
            if (Args.Is(c[i], "NX")) { nx = true; }
            else if (Args.Is(c[i], "XX")) { xx = true; }
            else if (Args.Is(c[i], "GT")) { gt = true; }
            else if (Args.Is(c[i], "LT")) { lt = true; }
            else { s.Reply.Error($"ERR Unsupported option {Args.Text(c[i])}"); return; }
        }
        if (nx && (xx || gt || lt)) { s.Reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible"); return; }
        if (gt && lt) { s.Reply.Error("ERR GT and LT options at the same time are not compatible"); return; }
        // The options are checked before the time, as Redis does.
        if (!Args.TryLong(c[2], out var amount)) { s.Reply.Error(Args.NotInteger); return; }
        var now = Clock.NowMs;
        // As Redis: only an overflow is refused; any deadline in the past, however far, deletes the key.
        if (amount > (long.MaxValue - (absolute ? 0 : now)) / unitMs || amount < long.MinValue / unitMs)
        {
            s.Reply.Error($"ERR invalid expire time in '{Args.Text(c[0]).ToLowerInvariant()}' command");
            return;
        }
        if (s.Db.Get(c[1]) is null) { s.Reply.Integer(0); return; }
        var deadline = absolute ? amount * unitMs : now + amount * unitMs;
        var current = s.Db.ExpireAt(c[1]);
        // A key without TTL counts as an infinite TTL for GT and LT.
        var allowed = !(nx && current is not null) && !(xx && current is null)
            && !(gt && (current is null || deadline <= current)) && !(lt && current is not null && deadline >= current);
        if (!allowed) { s.Reply.Integer(0); return; }
        StringCommands.SetExpiry(s, c[1], deadline);
        s.Reply.Integer(1);
    }

    private static void Persist(Session s, RespCommand c)
    {
        var persisted = s.Db.Get(c[1]) is not null && s.Db.Persist(c[1]);
        if (persisted) { s.Db.Notify(EventClass.Generic, "persist"u8, c[1]); }
        s.Reply.Integer(persisted ? 1 : 0);
    }

    private static void Ttl(Session s, RespCommand c, long unitMs, bool remaining)
    {
        if (s.Db.Read(c[1], touch: false) is null) { s.Reply.Integer(-2); return; }
        if (s.Db.ExpireAt(c[1]) is not { } deadline) { s.Reply.Integer(-1); return; }
        // Seconds are rounded to the nearest, the deadline (EXPIRETIME) as the time left (TTL), as ttlGenericCommand does.
        var ms = remaining ? Math.Max(deadline - Clock.NowMs, 0) : deadline;
        s.Reply.Integer(unitMs == 1 ? ms : (ms + 500) / 1000);
    }

    private static void Rename(Session s, RespCommand c, bool onlyIfNew)
    {
        if (s.Db.Get(c[1]) is not { } value) { s.Reply.Error(Args.NoSuchKey); return; }
        if (c[1].SequenceEqual(c[2])) { if (onlyIfNew) { s.Reply.Integer(0); } else { s.Reply.Ok(); } return; }
        if (onlyIfNew && s.Db.Get(c[2]) is not null) { s.Reply.Integer(0); return; }
        var deadline = s.Db.ExpireAt(c[1]);
        if (s.Db.Get(c[2]) is not null) { s.Db.Remove(c[2]); } // as Redis: the old destination goes, the key is added anew
        s.Db.Set(c[2], value);
        if (deadline is { } at) { s.Db.SetExpireAt(c[2], at); }
        s.Db.Remove(c[1]);
        s.Db.Notify(EventClass.Generic, "rename_from"u8, c[1]);
        s.Db.Notify(EventClass.Generic, "rename_to"u8, c[2]);
        if (onlyIfNew) { s.Reply.Integer(1); } else { s.Reply.Ok(); }
    }

    private static void Keys(Session s, RespCommand c)
    {
        var pattern = c[1].ToArray();
        var matched = s.Db.Keys.ToList().Where(k => Glob.Match(pattern, k) && s.Db.IsLive(k)).ToList();
        s.Reply.Array(matched.Count);
        foreach (var key in matched) { s.Reply.Bulk(key); }
    }

    private static void Scan(Session s, RespCommand c)
    {
        if (!Args.TryCursor(c[1], out var cursor)) { s.Reply.Error("ERR invalid cursor"); return; }
        if (!ScanOptions.TryParse(c, 2, out var options, out var error)) { s.Reply.Error(error!); return; }
        var keys = new List<byte[]>();
        var next = s.Db.Scan(cursor, options.Count, keys);
        var matched = keys.Where(k => options.Matches(k, s.Db.Get(k))).ToList();
        s.Reply.Array(2);
        s.Reply.Bulk(next.ToString());
        s.Reply.Array(matched.Count);
        foreach (var key in matched) { s.Reply.Bulk(key); }
    }

    private static void RandomKey(Session s, RespCommand c)
    {
        if (s.Db.RandomKey() is { } key) { s.Reply.Bulk(key); } else { s.Reply.Null(); }
    }

    private static void Move(Session s, RespCommand c)
    {
        if (!TryDatabase(s, c[2], out var target)) { return; }
        if (target == s.Db) { s.Reply.Error("ERR source and destination objects are the same"); return; }
        if (s.Db.Get(c[1]) is not { } value || target.Get(c[1]) is not null) { s.Reply.Integer(0); return; }
        var deadline = s.Db.ExpireAt(c[1]);
        target.Set(c[1], value);
        if (deadline is { } at) { target.SetExpireAt(c[1], at); }
        s.Db.Remove(c[1]);
        s.Db.Notify(EventClass.Generic, "move_from"u8, c[1]);
        target.Notify(EventClass.Generic, "move_to"u8, c[1]);
        s.Reply.Integer(1);
    }

    private static void Copy(Session s, RespCommand c)
    {
        var target = s.Db;
        var replace = false;
        for (var i = 3; i < c.Count; i++)
        {
            if (Args.Is(c[i], "REPLACE")) { replace = true; }
            else if (Args.Is(c[i], "DB") && i + 1 < c.Count) { if (!TryDatabase(s, c[++i], out target)) { return; } }
            else { s.Reply.Error(Args.Syntax); return; }
        }
        if (target == s.Db && c[1].SequenceEqual(c[2])) { s.Reply.Error("ERR source and destination objects are the same"); return; }
        if (s.Db.Read(c[1]) is not { } value || (!replace && target.Get(c[2]) is not null)) { s.Reply.Integer(0); return; }
        if (replace && target.Get(c[2]) is not null) { target.Remove(c[2]); }
        target.Set(c[2], RedisValue.Clone(value));
        if (s.Db.ExpireAt(c[1]) is { } at) { target.SetExpireAt(c[2], at); }
        target.Notify(EventClass.Generic, "copy_to"u8, c[2]);
        s.Reply.Integer(1);
    }

    private static void SwapDb(Session s, RespCommand c)
    {
        // As Redis's getIntFromObjectOrReply: a C int, or the message naming which index is wrong.
        if (!Args.TryLong(c[1], out var first) || first is < int.MinValue or > int.MaxValue) { s.Reply.Error("ERR invalid first DB index"); return; }
        if (!Args.TryLong(c[2], out var second) || second is < int.MinValue or > int.MaxValue) { s.Reply.Error("ERR invalid second DB index"); return; }
        var databases = s.Server.Keyspace.Databases;
        if (first < 0 || first >= databases.Length || second < 0 || second >= databases.Length) { s.Reply.Error("ERR DB index is out of range"); return; }
        s.Server.Keyspace.Swap((int)first, (int)second);
        Database.CountChange(); // as Redis's dirty++, also for a database swapped with itself: logged and replicated
        s.Reply.Ok(); // clients blocked on keys the swap brought are served after it, as after a push
    }

    /// <summary>The database a SELECT, MOVE or COPY names, or false with Redis's error answered.</summary>
    public static bool TryDatabase(Session s, ReadOnlySpan<byte> text, out Database db)
    {
        db = s.Db;
        if (Args.IntError(text, out var index) is { } error) { s.Reply.Error(error); return false; }
        if (index < 0 || index >= s.Server.Keyspace.Databases.Length) { s.Reply.Error("ERR DB index is out of range"); return false; }
        db = s.Server.Keyspace.Databases[index];
        return true;
    }
}
