using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CollectionAccess;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM and XSETID, answered as redis-server 7.0 answers them.</summary>
internal static class StreamCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("xadd", -5, Write | Fast, 1, 1, 1, XAdd);
        t.Add("xlen", 2, ReadOnly | Fast, 1, 1, 1, (s, c) => { if (TryRead(s, c[1], out RedisStream? stream)) { s.Reply.Integer(stream?.Length ?? 0); } });
        t.Add("xrange", -4, ReadOnly, 1, 1, 1, (s, c) => XRange(s, c, reverse: false));
        t.Add("xrevrange", -4, ReadOnly, 1, 1, 1, (s, c) => XRange(s, c, reverse: true));
        t.Add("xdel", -3, Write | Fast, 1, 1, 1, XDel);
        t.Add("xtrim", -4, Write, 1, 1, 1, XTrim);
        t.Add("xsetid", -3, Write | Fast, 1, 1, 1, XSetId);
    }

    private static void XAdd(Session s, RespCommand c)
    {
        if (!StreamAddOptions.TryParse(s, c, xadd: true, out var options)) { return; }
        var fieldsAt = options.IdPosition + 1;
        if (c.Count - fieldsAt < 2 || (c.Count - fieldsAt) % 2 == 1) { s.Reply.Error(Args.WrongArgumentCount("xadd")); return; }
        // Before the key is looked up, so no empty stream is left behind.
        if (options.IdGiven && options.SeqGiven && options.Id.IsZero) { s.Reply.Error("ERR The ID specified in XADD must be greater than 0-0"); return; }
        if (!TryGet(s, c[1], out RedisStream? stream)) { return; }
        if (stream is null)
        {
            if (options.NoMakeStream) { s.Reply.Null(); return; }
            s.Db.Set(c[1], stream = new RedisStream());
        }
        if (stream.LastId == StreamId.Max) { s.Reply.Error("ERR The stream has exhausted the last possible ID, unable to add more items"); return; }
        if (!TryNextId(stream, options, out var id)) { s.Reply.Error("ERR The ID specified in XADD is equal or smaller than the target stream top item"); return; }
        var pairs = new byte[c.Count - fieldsAt][];
        for (var i = 0; i < pairs.Length; i++) { pairs[i] = c[fieldsAt + i].ToArray(); }
        stream.Append(id, pairs, s.Server.Config.StreamNodeLimits);
        StreamArgs.Reply(s.Reply, id);
        s.Db.Notify(EventClass.Stream, "xadd"u8, c[1]);
        if (options.Trim is { } trim && stream.Trim(trim) > 0) { s.Db.Notify(EventClass.Stream, "xtrim"u8, c[1]); }
        s.Db.Touch(c[1]);
        StreamPropagation.Replaced(s.Db, c, options.IdPosition, id);
    }

    // The new entry's ID as streamAppendItem picks it: the clock's (or the last ID's next), the given one, or with
    // "ms-*" the last ID's next within that millisecond; false when not above the last ID.
    private static bool TryNextId(RedisStream stream, StreamAddOptions options, out StreamId id)
    {
        var last = stream.LastId;
        if (!options.IdGiven)
        {
            var now = (ulong)Clock.NowMs;
            if (now > last.Ms) { id = new(now, 0); } else { last.TryNext(out id); }
        }
        else if (!options.SeqGiven && options.Id.Ms == last.Ms)
        {
            if (last.Seq == ulong.MaxValue) { id = default; return false; }
            id = new(last.Ms, last.Seq + 1);
        }
        else
        {
            id = options.Id;
        }
        return id > last;
    }

    private static void XRange(Session s, RespCommand c, bool reverse)
    {
        if (!StreamArgs.TryParseIntervalOrReply(s, c[reverse ? 3 : 2], isStart: true, out var start)) { return; }
        if (!StreamArgs.TryParseIntervalOrReply(s, c[reverse ? 2 : 3], isStart: false, out var end)) { return; }
        long count = -1;
        for (var i = 4; i < c.Count; i++)
        {
            if (!Args.Is(c[i], "COUNT") || i + 1 == c.Count) { s.Reply.Error(Args.Syntax); return; }
            if (!Args.TryLong(c[++i], out count)) { s.Reply.Error(Args.NotInteger); return; }
            if (count < 0) { count = 0; }
        }
        if (!TryRead(s, c[1], out RedisStream? stream)) { return; }
        if (stream is null) { s.Reply.Array(0); return; }
        if (count == 0) { s.Reply.NullArray(); return; }
        ReplyRange(s, stream, start, end, count, reverse);
    }

    /// <summary>The entries of a range as an array; a count of -1 (or 0) takes them all.</summary>
    public static void ReplyRange(Session s, RedisStream stream, StreamId start, StreamId end, long count, bool reverse)
    {
        var entries = stream.Range(start, end, reverse);
        var taken = (count > 0 ? entries.Take((int)Math.Min(count, int.MaxValue)) : entries).ToList();
        s.Reply.Array(taken.Count);
        foreach (var entry in taken) { StreamArgs.Reply(s.Reply, entry); }
    }

    private static void XDel(Session s, RespCommand c)
    {
        if (!TryGet(s, c[1], out RedisStream? stream)) { return; }
        if (stream is null) { s.Reply.Integer(0); return; }
        // Every ID is checked before any is deleted, so a bad one deletes nothing.
        var ids = new StreamId[c.Count - 2];
        for (var i = 0; i < ids.Length; i++)
        {
            if (!StreamArgs.TryParseOrReply(s, c[i + 2], out ids[i])) { return; }
        }
        var deleted = 0;
        var firstDeleted = false;
        foreach (var id in ids)
        {
            if (!stream.Delete(id)) { continue; }
            deleted++;
            firstDeleted |= id == stream.FirstId;
            if (id > stream.MaxDeletedId) { stream.MaxDeletedId = id; }
        }
        if (firstDeleted || stream.Length == 0) { stream.RefreshFirstId(); }
        if (deleted > 0)
        {
            s.Db.Touch(c[1]);
            s.Db.Notify(EventClass.Stream, "xdel"u8, c[1]);
        }
        s.Reply.Integer(deleted);
    }

    private static void XTrim(Session s, RespCommand c)
    {
        if (!StreamAddOptions.TryParse(s, c, xadd: false, out var options)) { return; }
        if (!TryGet(s, c[1], out RedisStream? stream)) { return; }
        if (stream is null) { s.Reply.Integer(0); return; }
        var deleted = stream.Trim(options.Trim!.Value);
        if (deleted > 0)
        {
            s.Db.Touch(c[1]);
            s.Db.Notify(EventClass.Stream, "xtrim"u8, c[1]);
        }
        s.Reply.Integer(deleted);
    }

    private static void XSetId(Session s, RespCommand c)
    {
        if (!StreamArgs.TryParseOrReply(s, c[2], out var id)) { return; }
        long entriesAdded = -1;
        var maxDeleted = StreamId.Zero;
        for (var i = 3; i < c.Count; i += 2)
        {
            var hasValue = i + 1 < c.Count;
            if (Args.Is(c[i], "ENTRIESADDED") && hasValue)
            {
                if (!Args.TryLong(c[i + 1], out entriesAdded)) { s.Reply.Error(Args.NotInteger); return; }
                if (entriesAdded < 0) { s.Reply.Error("ERR entries_added must be positive"); return; }
            }
            else if (Args.Is(c[i], "MAXDELETEDID") && hasValue)
            {
                if (!StreamArgs.TryParseOrReply(s, c[i + 1], out maxDeleted)) { return; }
                if (id < maxDeleted) { s.Reply.Error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"); return; }
            }
            else
            {
                s.Reply.Error(Args.Syntax);
                return;
            }
        }
        if (!TryGet(s, c[1], out RedisStream? stream)) { return; }
        if (stream is null) { s.Reply.Error(Args.NoSuchKey); return; }
        if (stream.LastLiveId is { } top)
        {
            if (id < top) { s.Reply.Error("ERR The ID specified in XSETID is smaller than the target stream top item"); return; }
            if (entriesAdded != -1 && stream.Length > entriesAdded) { s.Reply.Error("ERR The entries_added specified in XSETID is smaller than the target stream length"); return; }
        }
        if (id < stream.MaxDeletedId) { s.Reply.Error("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id"); return; }
        stream.LastId = id;
        if (entriesAdded != -1) { stream.EntriesAdded = entriesAdded; }
        if (!maxDeleted.IsZero) { stream.MaxDeletedId = maxDeleted; }
        // Redis 7.0 does not signal this change to watchers.
        Database.CountChange();
        s.Db.Notify(EventClass.Stream, "xsetid"u8, c[1]);
        s.Reply.Ok();
    }
}
