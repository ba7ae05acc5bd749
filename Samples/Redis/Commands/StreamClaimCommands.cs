using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>XCLAIM and XAUTOCLAIM: pending entries idle long enough change consumer, as redis-server 7.0 hands them over.</summary>
internal static class StreamClaimCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("xclaim", -6, Write | Fast, 1, 1, 1, XClaim);
        t.Add("xautoclaim", -6, Write | Fast, 1, 1, 1, XAutoClaim);
    }

    // XAUTOCLAIM looks at most this many pending entries per entry it may claim.
    private const int AttemptsFactor = 10;

    private static void XClaim(Session s, RespCommand c)
    {
        if (!CollectionAccess.TryRead(s, c[1], out RedisStream? stream)) { return; }
        if (stream?.Group(c[2]) is not { } group) { s.Reply.Error(StreamGroupCommands.NoGroup(c[1], c[2])); return; }
        if (!TryMinIdle(s, c[4], "XCLAIM", out var minIdle)) { return; }
        // The IDs run until the first argument that is not one; options follow.
        var ids = new List<StreamId>();
        var at = 5;
        for (; at < c.Count && StreamArgs.TryParse(c[at], 0, strict: true, out var id); at++) { ids.Add(id); }
        var now = Clock.NowMs;
        long deliveryTime = -1, retryCount = -1;
        bool force = false, justId = false;
        var lastId = StreamId.Zero;
        for (; at < c.Count; at++)
        {
            var more = at + 1 < c.Count;
            var option = c[at];
            if (Args.Is(option, "FORCE")) { force = true; }
            else if (Args.Is(option, "JUSTID")) { justId = true; }
            else if (Args.Is(option, "IDLE") && more)
            {
                if (!Args.TryLong(c[++at], out var idle)) { s.Reply.Error("ERR Invalid IDLE option argument for XCLAIM"); return; }
                deliveryTime = now - idle;
            }
            else if (Args.Is(option, "TIME") && more)
            {
                if (!Args.TryLong(c[++at], out deliveryTime)) { s.Reply.Error("ERR Invalid TIME option argument for XCLAIM"); return; }
            }
            else if (Args.Is(option, "RETRYCOUNT") && more)
            {
                if (!Args.TryLong(c[++at], out retryCount)) { s.Reply.Error("ERR Invalid RETRYCOUNT option argument for XCLAIM"); return; }
            }
            else if (Args.Is(option, "LASTID") && more)
            {
                if (!StreamArgs.TryParseOrReply(s, c[++at], out lastId)) { return; }
            }
            else
            {
                s.Reply.Error($"ERR Unrecognized XCLAIM option '{Args.Text(option)}'");
                return;
            }
        }
        // A LASTID ahead of the group moves it; logged as XGROUP SETID unless an XCLAIM logged below carries it.
        var groupMoved = lastId > group.LastId;
        if (groupMoved) { group.LastId = lastId; }
        // A time in the future or before 1970 is taken as now, as Redis does, rather than refused.
        if (deliveryTime < 0 || deliveryTime > now) { deliveryTime = now; }
        StreamConsumer? consumer = null;
        var claimed = new List<StreamId>();
        foreach (var id in ids)
        {
            var pending = group.Pending.Find(id);
            if (stream.Find(id) is null)
            {
                // Gone from the stream: its pending entry goes too.
                if (pending is not null) { Dropped(s, c[1], group, pending); }
                groupMoved &= pending is null;
                continue;
            }
            if (pending is null)
            {
                if (!force) { continue; }
                group.Pending.Add(pending = new StreamPending(id, null, now, 1));
            }
            else if (minIdle > 0 && now - pending.DeliveryTimeMs < minIdle) { continue; }
            consumer ??= Claimer(s, c[1], group, c[3], now);
            group.Transfer(pending, consumer);
            pending.DeliveryTimeMs = deliveryTime;
            if (retryCount >= 0) { pending.DeliveryCount = retryCount; }
            else if (!justId) { pending.DeliveryCount++; }
            Claimed(s, c[1], group, pending);
            groupMoved = false;
            claimed.Add(id);
        }
        if (groupMoved)
        {
            StreamPropagation.GroupMoved(s.Db, c[1], group);
            Database.CountChange();
        }
        s.Reply.Array(claimed.Count);
        foreach (var id in claimed) { ReplyClaimed(s, stream, id, justId); }
    }

    private static void XAutoClaim(Session s, RespCommand c)
    {
        if (!TryMinIdle(s, c[4], "XAUTOCLAIM", out var minIdle)) { return; }
        if (!StreamArgs.TryParseIntervalOrReply(s, c[5], isStart: true, out var start)) { return; }
        long count = 100;
        var justId = false;
        for (var at = 6; at < c.Count; at++)
        {
            if (Args.Is(c[at], "COUNT") && at + 1 < c.Count)
            {
                if (!Args.TryLong(c[++at], out count) || count < 1 || count > long.MaxValue / 16) { s.Reply.Error("ERR COUNT must be > 0"); return; }
            }
            else if (Args.Is(c[at], "JUSTID")) { justId = true; }
            else { s.Reply.Error(Args.Syntax); return; }
        }
        if (!CollectionAccess.TryRead(s, c[1], out RedisStream? stream)) { return; }
        if (stream?.Group(c[2]) is not { } group) { s.Reply.Error(StreamGroupCommands.NoGroup(c[1], c[2])); return; }
        var now = Clock.NowMs;
        var attempts = count * AttemptsFactor;
        StreamConsumer? consumer = null;
        List<StreamId> claimed = [], deleted = [];
        // Redis's cursor: the first pending entry not looked at, 0-0 when it looked at the last.
        var next = StreamId.Zero;
        foreach (var pending in group.Pending.Range(start, StreamId.Max).ToList())
        {
            if (attempts-- == 0 || count == 0)
            {
                next = pending.Id;
                break;
            }
            if (stream.Find(pending.Id) is null)
            {
                Dropped(s, c[1], group, pending);
                deleted.Add(pending.Id);
                count--;
                continue;
            }
            if (minIdle > 0 && now - pending.DeliveryTimeMs < minIdle) { continue; }
            consumer ??= Claimer(s, c[1], group, c[3], now);
            group.Transfer(pending, consumer);
            pending.DeliveryTimeMs = now;
            if (!justId) { pending.DeliveryCount++; }
            Claimed(s, c[1], group, pending);
            claimed.Add(pending.Id);
            count--;
        }
        s.Reply.Array(3);
        StreamArgs.Reply(s.Reply, next);
        s.Reply.Array(claimed.Count);
        foreach (var id in claimed) { ReplyClaimed(s, stream, id, justId); }
        s.Reply.Array(deleted.Count);
        foreach (var id in deleted) { StreamArgs.Reply(s.Reply, id); }
    }

    // The consumer a claim goes to, seen now: created (and notified, as Redis's streamCreateConsumer) by the first claim.
    private static StreamConsumer Claimer(Session s, ReadOnlySpan<byte> key, StreamGroup group, ReadOnlySpan<byte> name, long now)
    {
        if (group.Consumer(name) is null) { s.Db.Notify(EventClass.Stream, "xgroup-createconsumer"u8, key); }
        return group.ConsumerSeen(name, now);
    }

    // A claim, logged as the XCLAIM that sets its owner, time and count outright.
    private static void Claimed(Session s, ReadOnlySpan<byte> key, StreamGroup group, StreamPending pending)
    {
        StreamPropagation.Claimed(s.Db, key, group, pending);
        Database.CountChange();
    }

    // A pending entry whose stream entry was deleted leaves the group; the XCLAIM logged for it does the same on replay.
    private static void Dropped(Session s, ReadOnlySpan<byte> key, StreamGroup group, StreamPending pending)
    {
        Claimed(s, key, group, pending);
        group.Acknowledge(pending.Id);
    }

    private static bool TryMinIdle(Session s, ReadOnlySpan<byte> text, string command, out long minIdle)
    {
        if (!Args.TryLong(text, out minIdle)) { s.Reply.Error($"ERR Invalid min-idle-time argument for {command}"); return false; }
        if (minIdle < 0) { minIdle = 0; }
        return true;
    }

    private static void ReplyClaimed(Session s, RedisStream stream, StreamId id, bool justId)
    {
        if (justId) { StreamArgs.Reply(s.Reply, id); } else { StreamArgs.Reply(s.Reply, stream.Find(id)!.Value); }
    }
}
