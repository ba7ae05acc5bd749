using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CollectionAccess;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>HSET, HGET, HGETALL and the other hash commands.</summary>
internal static class HashCommands
{
    private static readonly byte[] HSetCommand = "HSET"u8.ToArray();

    public static void Register(CommandTable t)
    {
        t.Add("hset", -4, Write | Fast, 1, 1, 1, (s, c) => HSet(s, c, replyOk: false));
        t.Add("hmset", -4, Write | Fast, 1, 1, 1, (s, c) => HSet(s, c, replyOk: true));
        t.Add("hsetnx", 4, Write | Fast, 1, 1, 1, HSetNx);
        t.Add("hget", 3, ReadOnly | Fast, 1, 1, 1, HGet);
        t.Add("hmget", -3, ReadOnly | Fast, 1, 1, 1, HMGet);
        t.Add("hdel", -3, Write | Fast, 1, 1, 1, HDel);
        t.Add("hexists", 3, ReadOnly | Fast, 1, 1, 1, (s, c) => { if (TryRead(s, c[1], out RedisHash? hash)) { s.Reply.Integer(hash?.Contains(c[2]) == true ? 1 : 0); } });
        t.Add("hlen", 2, ReadOnly | Fast, 1, 1, 1, (s, c) => { if (TryRead(s, c[1], out RedisHash? hash)) { s.Reply.Integer(hash?.Count ?? 0); } });
        t.Add("hstrlen", 3, ReadOnly | Fast, 1, 1, 1, (s, c) => { if (TryRead(s, c[1], out RedisHash? hash)) { s.Reply.Integer(hash?.Get(c[2])?.Length ?? 0); } });
        t.Add("hkeys", 2, ReadOnly, 1, 1, 1, (s, c) => ReplyPairs(s, c, keys: true, values: false));
        t.Add("hvals", 2, ReadOnly, 1, 1, 1, (s, c) => ReplyPairs(s, c, keys: false, values: true));
        t.Add("hgetall", 2, ReadOnly, 1, 1, 1, (s, c) => ReplyPairs(s, c, keys: true, values: true));
        t.Add("hincrby", 4, Write | Fast, 1, 1, 1, HIncrBy);
        t.Add("hincrbyfloat", 4, Write | Fast, 1, 1, 1, HIncrByFloat);
        t.Add("hscan", -3, ReadOnly, 1, 1, 1, HScan);
        t.Add("hrandfield", -2, ReadOnly, 1, 1, 1, HRandField);
    }

    private static void HSet(Session s, RespCommand c, bool replyOk)
    {
        if (c.Count % 2 == 1) { s.Reply.Error(Args.WrongArgumentCount(Args.Text(c[0]))); return; }
        if (!TryGetOrCreate(s, c[1], out RedisHash hash)) { return; }
        var added = 0;
        for (var i = 2; i < c.Count; i += 2) { if (hash.Set(c[i], c[i + 1].ToArray())) { added++; } }
        s.Db.Touch(c[1]);
        s.Db.Notify(EventClass.Hash, "hset"u8, c[1]);
        if (replyOk) { s.Reply.Ok(); } else { s.Reply.Integer(added); }
    }

    private static void HSetNx(Session s, RespCommand c)
    {
        if (!TryGet(s, c[1], out RedisHash? hash)) { return; }
        if (hash?.Contains(c[2]) == true) { s.Reply.Integer(0); return; }
        if (hash is null) { s.Db.Set(c[1], hash = new RedisHash()); }
        hash.Set(c[2], c[3].ToArray());
        s.Db.Touch(c[1]);
        s.Db.Notify(EventClass.Hash, "hset"u8, c[1]);
        s.Reply.Integer(1);
    }

    private static void HGet(Session s, RespCommand c)
    {
        if (!TryRead(s, c[1], out RedisHash? hash)) { return; }
        if (hash?.Get(c[2]) is { } value) { s.Reply.Bulk(value); } else { s.Reply.Null(); }
    }

    private static void HMGet(Session s, RespCommand c)
    {
        if (!TryRead(s, c[1], out RedisHash? hash)) { return; }
        s.Reply.Array(c.Count - 2);
        for (var i = 2; i < c.Count; i++)
        {
            if (hash?.Get(c[i]) is { } value) { s.Reply.Bulk(value); } else { s.Reply.Null(); }
        }
    }

    private static void HDel(Session s, RespCommand c)
    {
        if (!TryGet(s, c[1], out RedisHash? hash)) { return; }
        var removed = 0;
        for (var i = 2; i < c.Count && hash is not null; i++) { if (hash.Remove(c[i])) { removed++; } }
        if (removed > 0) { Changed(s, c[1], hash!, EventClass.Hash, "hdel"u8); }
        s.Reply.Integer(removed);
    }

    // HKEYS, HVALS and HGETALL (a map in RESP3).
    private static void ReplyPairs(Session s, RespCommand c, bool keys, bool values)
    {
        if (!TryRead(s, c[1], out RedisHash? hash)) { return; }
        var pairs = hash?.Pairs ?? [];
        if (keys && values) { s.Reply.Map(pairs.Count); } else { s.Reply.Array(pairs.Count); }
        foreach (var (field, value) in pairs)
        {
            if (keys) { s.Reply.Bulk(field); }
            if (values) { s.Reply.Bulk(value); }
        }
    }

    private static void HIncrBy(Session s, RespCommand c)
    {
        if (!Args.TryLong(c[3], out var delta)) { s.Reply.Error(Args.NotInteger); return; }
        if (!TryGet(s, c[1], out RedisHash? hash)) { return; }
        long value = 0;
        if (hash?.Get(c[2]) is { } current && !Args.TryLong(current, out value)) { s.Reply.Error("ERR hash value is not an integer"); return; }
        if ((delta > 0 && value > long.MaxValue - delta) || (delta < 0 && value < long.MinValue - delta)) { s.Reply.Error(Args.Overflow); return; }
        value += delta;
        Store(s, c, hash, Args.Bytes(value), "hincrby"u8);
        s.Reply.Integer(value);
    }

    private static void HIncrByFloat(Session s, RespCommand c)
    {
        if (!LongDouble.TryParse(c[3], out var delta)) { s.Reply.Error(Args.NotFloat); return; }
        if (delta.IsInfinite) { s.Reply.Error("ERR value is NaN or Infinity"); return; }
        if (!TryGet(s, c[1], out RedisHash? hash)) { return; }
        var value = LongDouble.FromDouble(0);
        if (hash?.Get(c[2]) is { } current && !LongDouble.TryParse(current, out value)) { s.Reply.Error("ERR hash value is not a float"); return; }
        value += delta;
        if (value.IsInfinite) { s.Reply.Error("ERR increment would produce NaN or Infinity"); return; }
        var bytes = value.ToHumanBytes();
        Store(s, c, hash, bytes, "hincrbyfloat"u8);
        s.Db.Log?.Append(s.Db.Index, HSetCommand, c[1].ToArray(), c[2].ToArray(), bytes); // as Redis logs it: the result, exactly
        s.Reply.Bulk(bytes);
    }

    // Sets field c[2] of the hash at c[1] (created when absent) to value, notified as change.
    private static void Store(Session s, RespCommand c, RedisHash? hash, byte[] value, ReadOnlySpan<byte> change)
    {
        if (hash is null) { s.Db.Set(c[1], hash = new RedisHash()); }
        hash.Set(c[2], value);
        s.Db.Touch(c[1]);
        s.Db.Notify(EventClass.Hash, change, c[1]);
    }

    private static void HScan(Session s, RespCommand c)
    {
        if (!Args.TryCursor(c[2], out var cursor)) { s.Reply.Error("ERR invalid cursor"); return; }
        if (!TryRead(s, c[1], out RedisHash? hash)) { return; }
        var found = new List<KeyValuePair<byte[], byte[]>>();
        // As Redis, options are checked only once the key exists.
        if (hash is null) { ReplyScan(s, 0, found, noValues: false); return; }
        if (!ScanOptions.TryParse(c, 3, out var options, out var error, allowType: false, allowNoValues: true)) { s.Reply.Error(error!); return; }
        var next = hash.Scan(cursor, options.Count, found);
        ReplyScan(s, next, found.Where(pair => options.Pattern is null || Glob.Match(options.Pattern, pair.Key)).ToList(), options.NoValues);
    }

    private static void ReplyScan(Session s, ulong next, List<KeyValuePair<byte[], byte[]>> pairs, bool noValues)
    {
        s.Reply.Array(2);
        s.Reply.Bulk(next.ToString());
        s.Reply.Array(noValues ? pairs.Count : pairs.Count * 2);
        foreach (var (field, value) in pairs)
        {
            s.Reply.Bulk(field);
            if (!noValues) { s.Reply.Bulk(value); }
        }
    }

    private static void HRandField(Session s, RespCommand c)
    {
        if (c.Count == 2)
        {
            if (!TryRead(s, c[1], out RedisHash? one)) { return; }
            if (one is null) { s.Reply.Null(); } else { s.Reply.Bulk(one.RandomPair().Key); }
            return;
        }
        if (!TryRandomCount(s, c, "WITHVALUES", out var count, out var withValues)) { return; }
        if (!TryRead(s, c[1], out RedisHash? hash)) { return; }
        var total = hash is null ? 0 : count < 0 ? (int)Math.Min(-count, int.MaxValue) : (int)Math.Min(count, hash.Count);
        var picked = hash is null || count == 0 ? []
            : count < 0 ? Repeatedly(s, total, hash.RandomPair)
            : count >= hash.Count ? hash.Pairs
            : hash.RandomPairs(total);
        // RESP3 pairs each field with its value; RESP2 flattens them.
        var nested = withValues && s.Reply.Protocol == 3;
        s.Reply.Array(withValues && !nested ? total * 2 : total);
        foreach (var (field, value) in picked)
        {
            if (nested) { s.Reply.Array(2); }
            s.Reply.Bulk(field);
            if (withValues) { s.Reply.Bulk(value); }
        }
    }
}
