using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP), XACK and XPENDING, as redis-server 7.0 answers
/// them. Like Redis 7.0, changes to groups are not signalled to watchers (WATCH sees the entries, not the groups).
/// </summary>
internal static class StreamGroupCommands
{
    public static void Register(CommandTable t)
    {
        // As OBJECT: the key is argument 2 of the subcommands that take one (Redis lists 0 0 0 for the container).
        t.Add("xgroup", -2, Write, 2, 2, 1, XGroup);
        t.Add("xack", -4, Write | Fast, 1, 1, 1, XAck);
        t.Add("xpending", -3, ReadOnly, 1, 1, 1, XPending);
    }

    private static readonly string[] Help =
    [
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help.",
    ];

    public static string NoGroup(ReadOnlySpan<byte> key, ReadOnlySpan<byte> group) =>
        $"NOGROUP No such key '{Args.Text(key)}' or consumer group '{Args.Text(group)}'";

    private static void XGroup(Session s, RespCommand c)
    {
        var sub = c[1];
        var (name, arity) = Args.Is(sub, "HELP") ? ("help", 2) : Args.Is(sub, "CREATE") ? ("create", -5) : Args.Is(sub, "SETID") ? ("setid", -5)
            : Args.Is(sub, "DESTROY") ? ("destroy", 4) : Args.Is(sub, "CREATECONSUMER") ? ("createconsumer", 5)
            : Args.Is(sub, "DELCONSUMER") ? ("delconsumer", 5) : ("", 0);
        if (name == "") { s.Reply.Error($"ERR unknown subcommand '{Args.Text(sub)}'. Try XGROUP HELP."); return; }
        if (arity >= 0 ? c.Count != arity : c.Count < -arity) { s.Reply.Error(Args.WrongArgumentCount($"xgroup|{name}")); return; }
        if (name == "help")
        {
            s.Reply.Array(Help.Length);
            foreach (var line in Help) { s.Reply.SimpleString(line); }
            return;
        }
        var syntaxError = $"ERR unknown subcommand or wrong number of arguments for '{Args.Text(sub)}'. Try XGROUP HELP.";
        var makeStream = false;
        var entriesRead = StreamGroup.UnknownEntriesRead;
        for (var i = 5; i < c.Count; i++)
        {
            if (name == "create" && Args.Is(c[i], "MKSTREAM")) { makeStream = true; }
            else if (name is "create" or "setid" && Args.Is(c[i], "ENTRIESREAD") && i + 1 < c.Count)
            {
                if (!Args.TryLong(c[++i], out entriesRead)) { s.Reply.Error(Args.NotInteger); return; }
                if (entriesRead < 0 && entriesRead != StreamGroup.UnknownEntriesRead) { s.Reply.Error("ERR value for ENTRIESREAD must be positive or -1"); return; }
            }
            else { s.Reply.Error(syntaxError); return; }
        }
        if (!CollectionAccess.TryGet(s, c[2], out RedisStream? stream)) { return; }
        if (stream is null && !makeStream)
        {
            s.Reply.Error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.");
            return;
        }
        var group = stream?.Group(c[3]);
        if (group is null && name is "setid" or "createconsumer" or "delconsumer")
        {
            s.Reply.Error($"NOGROUP No such consumer group '{Args.Text(c[3])}' for key name '{Args.Text(c[2])}'");
            return;
        }
        switch (name)
        {
            case "create" when c.Count <= 8: Create(s, c, stream, entriesRead); break;
            case "setid" when c.Count is 5 or 7:
                if (!TryGroupId(s, c[4], stream!, strict: false, out var id)) { return; }
                group!.LastId = id;
                group.EntriesRead = entriesRead;
                Database.CountChange();
                s.Db.Notify(EventClass.Stream, "xgroup-setid"u8, c[2]);
                s.Reply.Ok();
                break;
            case "destroy":
                if (group is null) { s.Reply.Integer(0); return; }
                stream!.Groups.Remove(group.Name);
                // Its blocked readers are told (served after the command); watchers are not, as in Redis.
                s.Db.SignalReady(c[2]);
                Database.CountChange();
                s.Db.Notify(EventClass.Stream, "xgroup-destroy"u8, c[2]);
                s.Reply.Integer(1);
                break;
            case "createconsumer":
                var created = group!.Consumer(c[4]) is null;
                if (created)
                {
                    group.ConsumerSeen(c[4], Clock.NowMs);
                    Database.CountChange();
                    s.Db.Notify(EventClass.Stream, "xgroup-createconsumer"u8, c[2]);
                }
                s.Reply.Integer(created ? 1 : 0);
                break;
            case "delconsumer":
                if (group!.Consumer(c[4]) is not { } consumer) { s.Reply.Integer(0); return; }
                Database.CountChange();
                s.Db.Notify(EventClass.Stream, "xgroup-delconsumer"u8, c[2]);
                s.Reply.Integer(group.DeleteConsumer(consumer));
                break;
            default: s.Reply.Error(syntaxError); break;
        }
    }

    private static void Create(Session s, RespCommand c, RedisStream? stream, long entriesRead)
    {
        var id = StreamId.Zero;
        if (stream is not null && !TryGroupId(s, c[4], stream, strict: true, out id)) { return; }
        if (stream is null && !IsDollar(c[4]) && !StreamArgs.TryParseOrReply(s, c[4], out id)) { return; }
        // MKSTREAM: only now that the command cannot fail.
        if (stream is null) { s.Db.Set(c[2], stream = new RedisStream()); }
        if (stream.Groups.ContainsKey(c[3].ToArray())) { s.Reply.Error("BUSYGROUP Consumer Group name already exists"); return; }
        stream.Groups.Add(c[3].ToArray(), new StreamGroup(c[3].ToArray(), id, entriesRead));
        Database.CountChange();
        s.Db.Notify(EventClass.Stream, "xgroup-create"u8, c[2]);
        s.Reply.Ok();
    }

    // A group's ID: "$" for the stream's last, else an ID (strict for CREATE, "-" and "+" allowed for SETID).
    private static bool TryGroupId(Session s, ReadOnlySpan<byte> text, RedisStream stream, bool strict, out StreamId id)
    {
        id = stream.LastId;
        if (IsDollar(text)) { return true; }
        if (StreamArgs.TryParse(text, 0, strict, out id)) { return true; }
        s.Reply.Error(StreamArgs.InvalidId);
        return false;
    }

    private static bool IsDollar(ReadOnlySpan<byte> text) => text.Length == 1 && text[0] == (byte)'$';

    private static void XAck(Session s, RespCommand c)
    {
        if (!CollectionAccess.TryRead(s, c[1], out RedisStream? stream)) { return; }
        if (stream?.Group(c[2]) is not { } group) { s.Reply.Integer(0); return; }
        // Every ID is checked before any is acknowledged: all or nothing.
        var ids = new StreamId[c.Count - 3];
        for (var i = 0; i < ids.Length; i++)
        {
            if (!StreamArgs.TryParseOrReply(s, c[i + 3], out ids[i])) { return; }
        }
        var acknowledged = ids.Count(group.Acknowledge);
        if (acknowledged > 0) { Database.CountChange(); }
        s.Reply.Integer(acknowledged);
    }

    private static void XPending(Session s, RespCommand c)
    {
        if (c.Count != 3 && c.Count is < 6 or > 9) { s.Reply.Error(Args.Syntax); return; }
        long minIdle = 0, count = 0;
        StreamId start = default, end = default;
        var consumerAt = 0;
        if (c.Count >= 6)
        {
            var at = 3;
            if (Args.Is(c[3], "IDLE"))
            {
                if (!Args.TryLong(c[4], out minIdle)) { s.Reply.Error(Args.NotInteger); return; }
                if (c.Count < 8) { s.Reply.Error(Args.Syntax); return; }
                at += 2;
            }
            if (!Args.TryLong(c[at + 2], out count)) { s.Reply.Error(Args.NotInteger); return; }
            if (count < 0) { count = 0; }
            if (!StreamArgs.TryParseIntervalOrReply(s, c[at], isStart: true, out start)) { return; }
            if (!StreamArgs.TryParseIntervalOrReply(s, c[at + 1], isStart: false, out end)) { return; }
            if (at + 3 < c.Count) { consumerAt = at + 3; }
        }
        if (!CollectionAccess.TryRead(s, c[1], out RedisStream? stream)) { return; }
        if (stream?.Group(c[2]) is not { } group) { s.Reply.Error(NoGroup(c[1], c[2])); return; }
        if (c.Count == 3) { Summary(s, group); return; }
        PendingList? pending = group.Pending;
        if (consumerAt > 0) { pending = group.Consumer(c[consumerAt])?.Pending; }
        var now = Clock.NowMs;
        var entries = (pending?.Range(start, end) ?? []).Where(entry => minIdle == 0 || now - entry.DeliveryTimeMs >= minIdle)
            .Take((int)Math.Min(count, int.MaxValue)).ToList();
        s.Reply.Array(entries.Count);
        foreach (var entry in entries)
        {
            s.Reply.Array(4);
            StreamArgs.Reply(s.Reply, entry.Id);
            s.Reply.Bulk(entry.Consumer!.Name);
            s.Reply.Integer(Math.Max(now - entry.DeliveryTimeMs, 0));
            s.Reply.Integer(entry.DeliveryCount);
        }
    }

    // XPENDING key group: how many, the lowest and highest ID, and each consumer holding some with its count (as text).
    private static void Summary(Session s, StreamGroup group)
    {
        s.Reply.Array(4);
        s.Reply.Integer(group.Pending.Count);
        if (group.Pending.Count == 0)
        {
            s.Reply.Null();
            s.Reply.Null();
            s.Reply.NullArray();
            return;
        }
        StreamArgs.Reply(s.Reply, group.Pending.First!.Id);
        StreamArgs.Reply(s.Reply, group.Pending.Last!.Id);
        var holders = group.Consumers.Values.Where(consumer => consumer.Pending.Count > 0).ToList();
        s.Reply.Array(holders.Count);
        foreach (var consumer in holders)
        {
            s.Reply.Array(2);
            s.Reply.Bulk(consumer.Name);
            s.Reply.BulkInteger(consumer.Pending.Count);
        }
    }
}
