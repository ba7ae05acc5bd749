using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// A command that changed the keyspace, logged as Redis propagates it: as received, unless replaying it later would
/// not do the same. A relative expiry becomes the absolute deadline it set (PEXPIREAT, SET ... PXAT), a blocking
/// command its non-blocking form, GETDEL a DEL; the pops that may serve blocked clients, and SPOP (random), log what
/// they took themselves (see ListPop, SortedSetPop, ListMove and SPOP), and so do XADD (the ID it generated), the
/// stream group reads and claims (see StreamPropagation) and MIGRATE (the keys it moved, as DEL). Runs while the
/// command's keys are held. The replication stream gets the same commands (<see cref="ICommandLog"/>).
/// </summary>
internal static class AofPropagation
{
    private static readonly byte[] Set = "SET"u8.ToArray(), Del = "DEL"u8.ToArray(), PxAt = "PXAT"u8.ToArray(),
        PExpireAt = "PEXPIREAT"u8.ToArray(), Persist = "PERSIST"u8.ToArray(), LMove = "LMOVE"u8.ToArray(),
        RPopLPush = "RPOPLPUSH"u8.ToArray(), AbsTtl = "ABSTTL"u8.ToArray();

    /// <summary>Logs the command; returns where the log ends.</summary>
    public static long Log(ICommandLog log, Session s, CommandSpec spec, RespCommand c)
    {
        var db = s.Db.Index;
        switch (spec.Propagation)
        {
            case Propagation.ByItself:
                return log.Appended;
            case Propagation.AsLMove:
                return log.Append(db, LMove, c[1].ToArray(), c[2].ToArray(), c[3].ToArray(), c[4].ToArray());
            case Propagation.AsRPopLPush:
                return log.Append(db, RPopLPush, c[1].ToArray(), c[2].ToArray());
            case Propagation.AsDel:
                return log.Append(db, Del, c[1].ToArray());
            case Propagation.Expire:
                return WithDeadline(log, s, c[1], persist: false);
            case Propagation.GetEx:
                return WithDeadline(log, s, c[1], persist: c.Count == 3 && Args.Is(c[2], "PERSIST"));
            case Propagation.SetEx:
                return SetWithDeadline(log, s, c[1], c[3]);
            case Propagation.Set when HasExpiry(c):
                return SetWithDeadline(log, s, c[1], c[2]);
            case Propagation.Restore:
                return RestoreWithDeadline(log, s, c);
            default:
                return log.Append(db, c);
        }
    }

    /// <summary>How a command of this name is logged, decided once per command (<see cref="CommandSpec.Propagation"/>).</summary>
    public static Propagation Of(string name) => name switch
    {
        "lmpop" or "zmpop" or "blpop" or "brpop" or "blmpop" or "bzpopmin" or "bzpopmax" or "bzmpop" or "spop" => Propagation.ByItself,
        "xadd" or "xreadgroup" or "xclaim" or "xautoclaim" => Propagation.ByItself,
        "incrbyfloat" or "hincrbyfloat" => Propagation.ByItself, // the value it came to, so no replica rounds otherwise
        "migrate" => Propagation.ByItself, // its keys leave later, logged as DEL then (a key it found expired is logged as DEL now)
        "blmove" => Propagation.AsLMove,
        "brpoplpush" => Propagation.AsRPopLPush,
        "getdel" => Propagation.AsDel,
        "expire" or "pexpire" or "expireat" or "pexpireat" => Propagation.Expire,
        "getex" => Propagation.GetEx,
        "setex" or "psetex" => Propagation.SetEx,
        "set" => Propagation.Set,
        "restore" or "restore-asking" => Propagation.Restore,
        _ => Propagation.AsReceived,
    };

    private static bool HasExpiry(RespCommand c)
    {
        for (var i = 3; i < c.Count; i++)
        {
            if (Args.Is(c[i], "EX") || Args.Is(c[i], "PX") || Args.Is(c[i], "EXAT") || Args.Is(c[i], "PXAT")) { return true; }
        }
        return false;
    }

    // The key's deadline as it is now: PEXPIREAT, PERSIST, or DEL when a deadline in the past deleted it.
    private static long WithDeadline(ICommandLog log, Session s, ReadOnlySpan<byte> key, bool persist)
    {
        var db = s.Db.Index;
        if (s.Db.Peek(key) is null) { return log.Append(db, Del, key.ToArray()); }
        if (persist || s.Db.ExpireAt(key) is not { } deadline) { return log.Append(db, Persist, key.ToArray()); }
        return log.Append(db, PExpireAt, key.ToArray(), Args.Bytes(deadline));
    }

    private static long SetWithDeadline(ICommandLog log, Session s, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var db = s.Db.Index;
        if (s.Db.Peek(key) is null) { return log.Append(db, Del, key.ToArray()); }
        return s.Db.ExpireAt(key) is { } deadline
            ? log.Append(db, Set, key.ToArray(), value.ToArray(), PxAt, Args.Bytes(deadline))
            : log.Append(db, Set, key.ToArray(), value.ToArray());
    }

    // As received, unless its TTL was relative: then with the deadline it set and ABSTTL appended; a key it replaced with
    // one already expired is a DEL (Redis's restoreCommand rewrites it so).
    private static long RestoreWithDeadline(ICommandLog log, Session s, RespCommand c)
    {
        var db = s.Db.Index;
        if (s.Db.Peek(c[1]) is null) { return log.Append(db, Del, c[1].ToArray()); }
        if (s.Db.ExpireAt(c[1]) is not { } deadline || HasAbsTtl(c)) { return log.Append(db, c); }
        var arguments = new byte[c.Count + 1][];
        for (var i = 0; i < c.Count; i++) { arguments[i] = c[i].ToArray(); }
        (arguments[2], arguments[^1]) = (Args.Bytes(deadline), AbsTtl);
        return log.Append(db, arguments);
    }

    private static bool HasAbsTtl(RespCommand c)
    {
        for (var i = 4; i < c.Count; i++)
        {
            if (Args.Is(c[i], "ABSTTL")) { return true; }
        }
        return false;
    }
}

/// <summary>How <see cref="AofPropagation"/> logs a command.</summary>
internal enum Propagation
{
    AsReceived,
    /// <summary>The command logs what it did itself (pops that may serve blocked clients, SPOP, XADD, MIGRATE...).</summary>
    ByItself,
    AsLMove,
    AsRPopLPush,
    AsDel,
    /// <summary>EXPIRE and its kin: the deadline they set, as PEXPIREAT (or DEL, PERSIST).</summary>
    Expire,
    GetEx,
    SetEx,
    /// <summary>SET: as received, unless an option gave it an expiry.</summary>
    Set,
    Restore,
}
