using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>XINFO STREAM [FULL [COUNT n]], GROUPS, CONSUMERS and HELP, with redis-server 7.0's fields.</summary>
internal static class StreamInfoCommand
{
    // As OBJECT: the key is argument 2 of the subcommands that take one (Redis lists 0 0 0 for the container).
    public static void Register(CommandTable t) => t.Add("xinfo", -2, ReadOnly, 2, 2, 1, XInfo);

    private static readonly string[] Help =
    [
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        "HELP",
        "    Prints this help.",
    ];

    private const long DefaultFullCount = 10;

    private static void XInfo(Session s, RespCommand c)
    {
        var sub = c[1];
        var (name, arity) = Args.Is(sub, "HELP") ? ("help", 2) : Args.Is(sub, "STREAM") ? ("stream", -3)
            : Args.Is(sub, "GROUPS") ? ("groups", 3) : Args.Is(sub, "CONSUMERS") ? ("consumers", 4) : ("", 0);
        if (name == "") { s.Reply.Error($"ERR unknown subcommand '{Args.Text(sub)}'. Try XINFO HELP."); return; }
        if (arity >= 0 ? c.Count != arity : c.Count < -arity) { s.Reply.Error(Args.WrongArgumentCount($"xinfo|{name}")); return; }
        if (name == "help")
        {
            s.Reply.Array(Help.Length);
            foreach (var line in Help) { s.Reply.SimpleString(line); }
            return;
        }
        if (!CollectionAccess.TryRead(s, c[2], out RedisStream? stream)) { return; }
        if (stream is null) { s.Reply.Error(Args.NoSuchKey); return; }
        switch (name)
        {
            case "stream": StreamInfo(s, c, stream); break;
            case "groups": Groups(s, stream); break;
            default: Consumers(s, c, stream); break;
        }
    }

    private static void StreamInfo(Session s, RespCommand c, RedisStream stream)
    {
        long count = DefaultFullCount;
        var full = c.Count > 3;
        if (full && (!Args.Is(c[3], "FULL") || (c.Count > 4 && (c.Count != 6 || !Args.Is(c[4], "COUNT")))))
        {
            s.Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{Args.Text(c[1])}'. Try XINFO HELP.");
            return;
        }
        if (c.Count == 6)
        {
            if (!Args.TryLong(c[5], out count)) { s.Reply.Error(Args.NotInteger); return; }
            if (count < 0) { count = DefaultFullCount; }
        }
        s.Reply.Map(full ? 9 : 10);
        s.Reply.Bulk("length"u8); s.Reply.Integer(stream.Length);
        s.Reply.Bulk("radix-tree-keys"u8); s.Reply.Integer(stream.NodeCount);
        s.Reply.Bulk("radix-tree-nodes"u8); s.Reply.Integer(stream.RadixTreeNodes());
        s.Reply.Bulk("last-generated-id"u8); StreamArgs.Reply(s.Reply, stream.LastId);
        s.Reply.Bulk("max-deleted-entry-id"u8); StreamArgs.Reply(s.Reply, stream.MaxDeletedId);
        s.Reply.Bulk("entries-added"u8); s.Reply.Integer(stream.EntriesAdded);
        s.Reply.Bulk("recorded-first-entry-id"u8); StreamArgs.Reply(s.Reply, stream.FirstId);
        if (!full)
        {
            s.Reply.Bulk("groups"u8); s.Reply.Integer(stream.Groups.Count);
            s.Reply.Bulk("first-entry"u8); ReplyEdge(s, stream, reverse: false);
            s.Reply.Bulk("last-entry"u8); ReplyEdge(s, stream, reverse: true);
            return;
        }
        s.Reply.Bulk("entries"u8);
        StreamCommands.ReplyRange(s, stream, StreamId.Zero, StreamId.Max, count, reverse: false);
        s.Reply.Bulk("groups"u8);
        s.Reply.Array(stream.Groups.Count);
        foreach (var group in stream.Groups.Values) { FullGroup(s, stream, group, count); }
    }

    private static void ReplyEdge(Session s, RedisStream stream, bool reverse)
    {
        foreach (var entry in stream.Range(StreamId.Zero, StreamId.Max, reverse))
        {
            StreamArgs.Reply(s.Reply, entry);
            return;
        }
        s.Reply.Null();
    }

    private static void FullGroup(Session s, RedisStream stream, StreamGroup group, long count)
    {
        s.Reply.Map(7);
        s.Reply.Bulk("name"u8); s.Reply.Bulk(group.Name);
        s.Reply.Bulk("last-delivered-id"u8); StreamArgs.Reply(s.Reply, group.LastId);
        s.Reply.Bulk("entries-read"u8); ReplyEntriesRead(s, group);
        s.Reply.Bulk("lag"u8); ReplyLag(s, stream, group);
        s.Reply.Bulk("pel-count"u8); s.Reply.Integer(group.Pending.Count);
        s.Reply.Bulk("pending"u8); ReplyPending(s, group.Pending, count, withConsumer: true);
        s.Reply.Bulk("consumers"u8);
        s.Reply.Array(group.Consumers.Count);
        foreach (var consumer in group.Consumers.Values)
        {
            s.Reply.Map(4);
            s.Reply.Bulk("name"u8); s.Reply.Bulk(consumer.Name);
            s.Reply.Bulk("seen-time"u8); s.Reply.Integer(consumer.SeenTimeMs);
            s.Reply.Bulk("pel-count"u8); s.Reply.Integer(consumer.Pending.Count);
            s.Reply.Bulk("pending"u8); ReplyPending(s, consumer.Pending, count, withConsumer: false);
        }
    }

    private static void Groups(Session s, RedisStream stream)
    {
        s.Reply.Array(stream.Groups.Count);
        foreach (var group in stream.Groups.Values)
        {
            s.Reply.Map(6);
            s.Reply.Bulk("name"u8); s.Reply.Bulk(group.Name);
            s.Reply.Bulk("consumers"u8); s.Reply.Integer(group.Consumers.Count);
            s.Reply.Bulk("pending"u8); s.Reply.Integer(group.Pending.Count);
            s.Reply.Bulk("last-delivered-id"u8); StreamArgs.Reply(s.Reply, group.LastId);
            s.Reply.Bulk("entries-read"u8); ReplyEntriesRead(s, group);
            s.Reply.Bulk("lag"u8); ReplyLag(s, stream, group);
        }
    }

    private static void Consumers(Session s, RespCommand c, RedisStream stream)
    {
        if (stream.Group(c[3]) is not { } group)
        {
            s.Reply.Error($"NOGROUP No such consumer group '{Args.Text(c[3])}' for key name '{Args.Text(c[2])}'");
            return;
        }
        var now = Clock.NowMs;
        s.Reply.Array(group.Consumers.Count);
        foreach (var consumer in group.Consumers.Values)
        {
            s.Reply.Map(3);
            s.Reply.Bulk("name"u8); s.Reply.Bulk(consumer.Name);
            s.Reply.Bulk("pending"u8); s.Reply.Integer(consumer.Pending.Count);
            s.Reply.Bulk("idle"u8); s.Reply.Integer(Math.Max(now - consumer.SeenTimeMs, 0));
        }
    }

    private static void ReplyEntriesRead(Session s, StreamGroup group)
    {
        if (group.EntriesRead == StreamGroup.UnknownEntriesRead) { s.Reply.Null(); } else { s.Reply.Integer(group.EntriesRead); }
    }

    private static void ReplyLag(Session s, RedisStream stream, StreamGroup group)
    {
        if (stream.Lag(group) is { } lag) { s.Reply.Integer(lag); } else { s.Reply.Null(); }
    }

    // The first `count` pending entries (0: all): ID, owner (for a group's list), delivery time and count.
    private static void ReplyPending(Session s, PendingList pending, long count, bool withConsumer)
    {
        var entries = (count > 0 ? pending.All.Take((int)Math.Min(count, int.MaxValue)) : pending.All).ToList();
        s.Reply.Array(entries.Count);
        foreach (var entry in entries)
        {
            s.Reply.Array(withConsumer ? 4 : 3);
            StreamArgs.Reply(s.Reply, entry.Id);
            if (withConsumer) { s.Reply.Bulk(entry.Consumer!.Name); }
            s.Reply.Integer(entry.DeliveryTimeMs);
            s.Reply.Integer(entry.DeliveryCount);
        }
    }
}
