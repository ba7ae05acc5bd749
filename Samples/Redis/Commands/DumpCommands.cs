using Loop.Protocols.Resp;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>DUMP and RESTORE: a key's value serialized as Redis 7.0 serializes it (see <see cref="DumpPayload"/>), so values move between this server and Redis.</summary>
internal static class DumpCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("dump", 2, ReadOnly, 1, 1, 1, Dump);
        t.Add("restore", -4, Write, 1, 1, 1, Restore);
        t.Add("restore-asking", -4, Write, 1, 1, 1, Restore); // what a cluster's MIGRATE sends: RESTORE here, with no cluster
    }

    private static void Dump(Session s, RespCommand c)
    {
        if (s.Db.Read(c[1]) is { } value) { s.Reply.Bulk(DumpPayload.Create(value)); } else { s.Reply.Null(); }
    }

    /// <summary>RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency], checked in Redis's order.</summary>
    private static void Restore(Session s, RespCommand c)
    {
        bool replace = false, absolute = false, idleTime = false, frequency = false;
        long idleSeconds = 0, count = 0;
        for (var i = 4; i < c.Count; i++)
        {
            var more = c.Count - i - 1;
            if (Args.Is(c[i], "REPLACE")) { replace = true; }
            else if (Args.Is(c[i], "ABSTTL")) { absolute = true; }
            else if (Args.Is(c[i], "IDLETIME") && more >= 1 && !frequency)
            {
                if (!Args.TryLong(c[++i], out idleSeconds)) { s.Reply.Error(Args.NotInteger); return; }
                if (idleSeconds < 0) { s.Reply.Error("ERR Invalid IDLETIME value, must be >= 0"); return; }
                idleTime = true;
            }
            else if (Args.Is(c[i], "FREQ") && more >= 1 && !idleTime)
            {
                if (!Args.TryLong(c[++i], out count)) { s.Reply.Error(Args.NotInteger); return; }
                if (count is < 0 or > 255) { s.Reply.Error("ERR Invalid FREQ value, must be >= 0 and <= 255"); return; }
                frequency = true;
            }
            else { s.Reply.Error(Args.Syntax); return; }
        }
        if (!replace && s.Db.Get(c[1]) is not null) { s.Reply.Error("BUSYKEY Target key name already exists."); return; }
        if (!Args.TryLong(c[2], out var ttl)) { s.Reply.Error(Args.NotInteger); return; }
        if (ttl < 0) { s.Reply.Error("ERR Invalid TTL value, must be >= 0"); return; }
        if (!DumpPayload.TryOpen(c[3], out var serialized)) { s.Reply.Error("ERR DUMP payload version or checksum are wrong"); return; }
        if (!TryRead(serialized, out var value)) { s.Reply.Error("ERR Bad data format"); return; }

        var deleted = replace && s.Db.Get(c[1]) is not null && s.Db.Remove(c[1]);
        // 0: no expiry. A relative TTL too large for the clock saturates to "never" instead of wrapping into the past.
        var now = Clock.NowMs;
        long? deadline = ttl == 0 ? null : absolute ? ttl : ttl > long.MaxValue - now ? long.MaxValue : now + ttl;
        if (deadline <= now && !s.Db.ExpiryPaused)
        {
            // As Redis: a deadline already past creates nothing (REPLACE has still deleted the old value); but not while
            // an append-only file loads (Redis's checkAlreadyExpired), where the commands after it may still read it.
            if (deleted) { s.Db.Notify(EventClass.Generic, "del"u8, c[1]); }
            s.Reply.Ok();
            return;
        }
        s.Db.Set(c[1], value);
        if (deadline is { } at) { s.Db.SetExpireAt(c[1], at); }
        // Redis's objectSetLRUOrLFU: the one that the policy keeps counts, the other is ignored.
        if (s.Db.CountsFrequency ? frequency : idleTime)
        {
            s.Db.SetAccess(c[1], frequency ? KeyAccess.WithFrequency(count) : KeyAccess.UsedSecondsAgo(idleSeconds));
        }
        s.Db.Notify(EventClass.Generic, "restore"u8, c[1]);
        s.Reply.Ok();
    }

    private static bool TryRead(ReadOnlySpan<byte> serialized, out object value)
    {
        value = null!;
        if (serialized.IsEmpty) { return false; }
        try
        {
            value = RdbDecoder.ReadValue(serialized[1..], serialized[0]);
            return true;
        }
        catch (RdbFormatException)
        {
            return false;
        }
    }
}
