using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>GET, SET and the other string commands; numbers are strings that parse as integers or floats.</summary>
internal static class StringCommands
{
    private static readonly byte[] SetCommand = "SET"u8.ToArray(), KeepTtl = "KEEPTTL"u8.ToArray();

    public static void Register(CommandTable t)
    {
        t.Add("get", 2, ReadOnly | Fast, 1, 1, 1, Get);
        t.Add("set", -3, Write, 1, 1, 1, Set);
        t.Add("setnx", 3, Write | Fast, 1, 1, 1, SetNx);
        t.Add("setex", 4, Write, 1, 1, 1, (s, c) => SetWithExpiry(s, c, 1000, "setex"));
        t.Add("psetex", 4, Write, 1, 1, 1, (s, c) => SetWithExpiry(s, c, 1, "psetex"));
        t.Add("getset", 3, Write | Fast, 1, 1, 1, GetSet);
        t.Add("getdel", 2, Write | Fast, 1, 1, 1, GetDel);
        t.Add("getex", -2, Write | Fast, 1, 1, 1, GetEx);
        t.Add("mget", -2, ReadOnly | Fast, 1, -1, 1, MGet);
        t.Add("mset", -3, Write, 1, -1, 2, MSet);
        t.Add("msetnx", -3, Write, 1, -1, 2, MSetNx);
        t.Add("incr", 2, Write | Fast, 1, 1, 1, (s, c) => IncrementBy(s, c[1], 1));
        t.Add("decr", 2, Write | Fast, 1, 1, 1, (s, c) => IncrementBy(s, c[1], -1));
        t.Add("incrby", 3, Write | Fast, 1, 1, 1, (s, c) => IncrementByArgument(s, c, negate: false));
        t.Add("decrby", 3, Write | Fast, 1, 1, 1, (s, c) => IncrementByArgument(s, c, negate: true));
        t.Add("incrbyfloat", 3, Write | Fast, 1, 1, 1, IncrByFloat);
        t.Add("append", 3, Write | Fast, 1, 1, 1, Append);
        t.Add("strlen", 2, ReadOnly | Fast, 1, 1, 1, StrLen);
        t.Add("getrange", 4, ReadOnly, 1, 1, 1, GetRange);
        t.Add("substr", 4, ReadOnly, 1, 1, 1, GetRange);
        t.Add("setrange", 4, Write, 1, 1, 1, SetRange);
    }

    /// <summary>A write's lookup: the string at <paramref name="key"/>; false (with WRONGTYPE written) for another type.</summary>
    public static bool TryGetString(Session s, ReadOnlySpan<byte> key, out byte[]? value) => Typed(s, s.Db.Get(key), out value);

    /// <summary>A read's lookup, as <see cref="TryGetString"/> but a missing key notified as <c>keymiss</c> (<see cref="Database.Read"/>).</summary>
    public static bool TryReadString(Session s, ReadOnlySpan<byte> key, out byte[]? value) => Typed(s, s.Db.Read(key), out value);

    private static bool Typed(Session s, object? found, out byte[]? value)
    {
        value = found as byte[];
        if (found is null || value is not null) { return true; }
        s.Reply.Error(Args.WrongType);
        return false;
    }

    private static void Get(Session s, RespCommand c)
    {
        if (!TryReadString(s, c[1], out var value)) { return; }
        if (value is null) { s.Reply.Null(); } else { s.Reply.Bulk(value); }
    }

    private static void Set(Session s, RespCommand c)
    {
        if (!SetOptions.TryParse(c, 3, out var options, out var error)) { s.Reply.Error(error!); return; }
        byte[]? old = null;
        if (options.Get && !TryReadString(s, c[1], out old)) { return; }
        var conditional = options.OnlyIfAbsent || options.OnlyIfPresent;
        var exists = conditional && (options.Get ? old is not null : s.Db.Get(c[1]) is not null);
        if ((options.OnlyIfAbsent && exists) || (options.OnlyIfPresent && !exists))
        {
            if (options.Get && old is not null) { s.Reply.Bulk(old); } else { s.Reply.Null(); }
            return;
        }
        // GET must answer with the old bytes before SetString may overwrite them in place.
        if (options.Get) { if (old is null) { s.Reply.Null(); } else { s.Reply.Bulk(old); } }
        if (options.ExpireAtMs is null && !options.KeepTtl) { s.Db.SetString(c[1], c[2]); }
        else { s.Db.Set(c[1], c[2].ToArray(), options.KeepTtl); }
        s.Db.Notify(EventClass.String, "set"u8, c[1]);
        if (options.ExpireAtMs is { } deadline)
        {
            s.Db.SetDeadline(c[1], deadline);
            s.Db.Notify(EventClass.Generic, "expire"u8, c[1]);
        }
        if (!options.Get) { s.Reply.Ok(); }
    }

    private static void SetNx(Session s, RespCommand c)
    {
        if (s.Db.Get(c[1]) is not null) { s.Reply.Integer(0); return; }
        s.Db.Set(c[1], c[2].ToArray());
        s.Db.Notify(EventClass.String, "set"u8, c[1]);
        s.Reply.Integer(1);
    }

    private static void SetWithExpiry(Session s, RespCommand c, long unitMs, string name)
    {
        if (!Args.TryLong(c[2], out var amount)) { s.Reply.Error(Args.NotInteger); return; }
        if (amount <= 0 || amount > long.MaxValue / unitMs - Clock.NowMs) { s.Reply.Error($"ERR invalid expire time in '{name}' command"); return; }
        s.Db.Set(c[1], c[3].ToArray());
        s.Db.Notify(EventClass.String, "set"u8, c[1]);
        SetExpiry(s, c[1], Clock.NowMs + amount * unitMs);
        s.Reply.Ok();
    }

    private static void GetSet(Session s, RespCommand c)
    {
        if (!TryReadString(s, c[1], out var old)) { return; }
        if (old is null) { s.Reply.Null(); } else { s.Reply.Bulk(old); }
        s.Db.Set(c[1], c[2].ToArray());
        s.Db.Notify(EventClass.String, "set"u8, c[1]);
    }

    private static void GetDel(Session s, RespCommand c)
    {
        if (!TryReadString(s, c[1], out var value)) { return; }
        if (value is null) { s.Reply.Null(); return; }
        s.Db.Remove(c[1]);
        s.Db.Notify(EventClass.Generic, "del"u8, c[1]);
        s.Reply.Bulk(value);
    }

    private static void GetEx(Session s, RespCommand c)
    {
        if (!SetOptions.TryParseGetEx(c, out var expiry, out var persist)) { s.Reply.Error(Args.Syntax); return; }
        if (!TryReadString(s, c[1], out var value)) { return; }
        if (value is null) { s.Reply.Null(); return; }
        var deadline = 0L;
        if (expiry >= 0 && !SetOptions.TryDeadline(c, expiry, "getex", out deadline, out var error)) { s.Reply.Error(error!); return; }
        s.Reply.Bulk(value);
        if (expiry >= 0) { SetExpiry(s, c[1], deadline); }
        else if (persist && s.Db.Persist(c[1])) { s.Db.Notify(EventClass.Generic, "persist"u8, c[1]); }
    }

    /// <summary>Sets an existing key's deadline and names the change: <c>expire</c>, or <c>del</c> when it is already past.</summary>
    public static void SetExpiry(Session s, ReadOnlySpan<byte> key, long deadline) =>
        s.Db.Notify(EventClass.Generic, s.Db.SetExpireAt(key, deadline) ? "expire"u8 : "del"u8, key);

    private static void MGet(Session s, RespCommand c)
    {
        s.Reply.Array(c.Count - 1);
        for (var i = 1; i < c.Count; i++)
        {
            if (s.Db.Read(c[i]) is byte[] value) { s.Reply.Bulk(value); } else { s.Reply.Null(); }
        }
    }

    private static void MSet(Session s, RespCommand c)
    {
        if (c.Count % 2 == 0) { s.Reply.Error(Args.WrongArgumentCount("mset")); return; }
        SetAll(s, c);
        s.Reply.Ok();
    }

    private static void MSetNx(Session s, RespCommand c)
    {
        if (c.Count % 2 == 0) { s.Reply.Error(Args.WrongArgumentCount("msetnx")); return; }
        for (var i = 1; i < c.Count; i += 2)
        {
            if (s.Db.Get(c[i]) is not null) { s.Reply.Integer(0); return; }
        }
        SetAll(s, c);
        s.Reply.Integer(1);
    }

    private static void SetAll(Session s, RespCommand c)
    {
        for (var i = 1; i < c.Count; i += 2)
        {
            s.Db.Set(c[i], c[i + 1].ToArray());
            s.Db.Notify(EventClass.String, "set"u8, c[i]);
        }
    }

    private static void IncrementByArgument(Session s, RespCommand c, bool negate)
    {
        if (!Args.TryLong(c[2], out var delta)) { s.Reply.Error(Args.NotInteger); return; }
        if (negate && delta == long.MinValue) { s.Reply.Error("ERR decrement would overflow"); return; }
        IncrementBy(s, c[1], negate ? -delta : delta);
    }

    private static void IncrementBy(Session s, ReadOnlySpan<byte> key, long delta)
    {
        if (!TryGetString(s, key, out var current)) { return; }
        long value = 0;
        if (current is not null && !Args.TryLong(current, out value)) { s.Reply.Error(Args.NotInteger); return; }
        if ((delta > 0 && value > long.MaxValue - delta) || (delta < 0 && value < long.MinValue - delta)) { s.Reply.Error(Args.Overflow); return; }
        value += delta;
        s.Db.Set(key, Args.Bytes(value), keepTtl: true);
        s.Db.Notify(EventClass.String, "incrby"u8, key);
        s.Reply.Integer(value);
    }

    private static void IncrByFloat(Session s, RespCommand c)
    {
        if (!TryGetString(s, c[1], out var current)) { return; }
        var value = LongDouble.FromDouble(0);
        if (current is not null && !LongDouble.TryParse(current, out value)) { s.Reply.Error(Args.NotFloat); return; }
        if (!LongDouble.TryParse(c[2], out var delta)) { s.Reply.Error(Args.NotFloat); return; }
        value += delta;
        if (value.IsInfinite) { s.Reply.Error("ERR increment would produce NaN or Infinity"); return; }
        var bytes = value.ToHumanBytes();
        s.Db.Set(c[1], bytes, keepTtl: true);
        s.Db.Notify(EventClass.String, "incrbyfloat"u8, c[1]);
        s.Db.Log?.Append(s.Db.Index, SetCommand, c[1].ToArray(), bytes, KeepTtl); // as Redis logs it: the result, exactly
        s.Reply.Bulk(bytes);
    }

    private static void Append(Session s, RespCommand c)
    {
        if (!TryGetString(s, c[1], out var current) || !FitsMaxLength(s, current?.Length ?? 0, c[2].Length)) { return; }
        var value = current is null ? c[2].ToArray() : [.. current, .. c[2]];
        s.Db.Set(c[1], value, keepTtl: true);
        s.Db.Notify(EventClass.String, "append"u8, c[1]);
        s.Reply.Integer(value.Length);
    }

    private static void StrLen(Session s, RespCommand c)
    {
        if (TryReadString(s, c[1], out var value)) { s.Reply.Integer(value?.Length ?? 0); }
    }

    private static void GetRange(Session s, RespCommand c)
    {
        if (!Args.TryLong(c[2], out var start) || !Args.TryLong(c[3], out var end)) { s.Reply.Error(Args.NotInteger); return; }
        if (!TryReadString(s, c[1], out var value)) { return; }
        var length = value?.Length ?? 0;
        if (start < 0 && end < 0 && start > end) { s.Reply.Bulk(default(ReadOnlySpan<byte>)); return; }
        if (start < 0) { start = Math.Max(length + start, 0); }
        if (end < 0) { end = Math.Max(length + end, 0); }
        end = Math.Min(end, length - 1);
        if (value is null || start > end || start >= length) { s.Reply.Bulk(default(ReadOnlySpan<byte>)); return; }
        s.Reply.Bulk(value.AsSpan((int)start, (int)(end - start + 1)));
    }

    private static void SetRange(Session s, RespCommand c)
    {
        if (!Args.TryLong(c[2], out var offset)) { s.Reply.Error(Args.NotInteger); return; }
        if (offset < 0) { s.Reply.Error("ERR offset is out of range"); return; }
        if (!TryGetString(s, c[1], out var current)) { return; }
        var patch = c[3];
        if (patch.IsEmpty) { s.Reply.Integer(current?.Length ?? 0); return; }
        if (!FitsMaxLength(s, offset, patch.Length)) { return; }
        var length = Math.Max(current?.Length ?? 0, (int)offset + patch.Length);
        var value = new byte[length];
        current?.CopyTo(value, 0);
        patch.CopyTo(value.AsSpan((int)offset));
        s.Db.Set(c[1], value, keepTtl: true);
        s.Db.Notify(EventClass.String, "setrange"u8, c[1]);
        s.Reply.Integer(length);
    }

    /// <summary>
    /// Whether <paramref name="added"/> bytes at <paramref name="offset"/> stay within proto-max-bulk-len, as Redis
    /// caps a string; false with the error written. Compared by subtraction: offset + added may overflow a long.
    /// </summary>
    private static bool FitsMaxLength(Session s, long offset, int added)
    {
        if (offset <= s.Server.Limits.MaxBulkLength - added) { return true; }
        s.Reply.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        return false;
    }
}
