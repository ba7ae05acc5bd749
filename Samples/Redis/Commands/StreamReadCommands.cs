using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// XREAD and XREADGROUP: the entries after given IDs of one or more streams, for a consumer group or not. With BLOCK and
/// nothing to read (never inside EXEC), the client waits (see <see cref="StreamWait"/>) until an entry arrives or the
/// timeout passes.
/// </summary>
internal static class StreamReadCommands
{
    public static void Register(CommandTable t)
    {
        // Without BLOCK they read (or deliver) and answer at once, holding only their keys' stripes.
        t.Add("xread", -4, ReadOnly | Blocking, new KeySpec(0, 0, 0, Options: OptionKeys.StreamsHalf), (s, c) => Read(s, c, group: false), StreamReadRequest.MayBlock);
        t.Add("xreadgroup", -7, Write | Blocking, new KeySpec(0, 0, 0, Options: OptionKeys.GroupStreamsHalf), (s, c) => Read(s, c, group: true), StreamReadRequest.MayBlock);
    }

    /// <summary>The ID ">" (XREADGROUP: entries never delivered to the group) stands as the highest ID.</summary>
    public static readonly StreamId NewEntries = StreamId.Max;

    private static void Read(Session s, RespCommand c, bool group)
    {
        if (!StreamReadRequest.TryParse(s, c, group, out var request)) { return; }
        var after = new StreamId[request.StreamCount];
        for (var i = 0; i < after.Length; i++)
        {
            if (!CollectionAccess.TryRead(s, c[request.KeyAt(i)], out RedisStream? stream)) { return; }
            if (group && stream?.Group(c[request.GroupAt]) is null)
            {
                s.Reply.Error($"{StreamGroupCommands.NoGroup(c[request.KeyAt(i)], c[request.GroupAt])} in XREADGROUP with GROUP option");
                return;
            }
            var id = c[request.IdAt(i)];
            if (id.Length == 1 && id[0] == (byte)'$')
            {
                if (group)
                {
                    s.Reply.Error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
                    return;
                }
                after[i] = stream?.LastId ?? StreamId.Zero;
            }
            else if (id.Length == 1 && id[0] == (byte)'>')
            {
                if (!group)
                {
                    s.Reply.Error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
                    return;
                }
                after[i] = NewEntries;
            }
            else if (!StreamArgs.TryParseOrReply(s, id, out after[i])) { return; }
        }
        if (ReplyServed(s, c, request, after)) { return; }
        if (request.TimeoutMs < 0 || s.InExec) { s.Reply.NullArray(); return; }
        if (request.TimeoutMs > long.MaxValue - Clock.NowMs) { s.Reply.Error("ERR timeout is out of range"); return; }
        var keys = new byte[after.Length][];
        for (var i = 0; i < keys.Length; i++) { keys[i] = c[request.KeyAt(i)].ToArray(); }
        var wait = new StreamWait(keys, after, request.Count, group ? c[request.GroupAt].ToArray() : null, group ? c[request.GroupAt + 1].ToArray() : null, request.NoAck);
        s.BlockOn(new BlockedClient(s, s.Db, keys, wait), request.TimeoutMs == 0 ? null : TimeSpan.FromMilliseconds(Math.Min(request.TimeoutMs, BlockingListCommands.Forever.TotalMilliseconds)));
    }

    /// <summary>
    /// Replies with what each stream has for the request, leaving out streams with nothing (a map in RESP3); false,
    /// writing nothing, when none has anything. Without a group: the entries after each ID. With one: for ">", the
    /// entries the group has not had yet, delivered to the consumer (pending unless NOACK); for an ID, the consumer's
    /// own pending entries after it (a deleted one with no fields). Streams are served in order, each seeing what the
    /// ones before did (a key named twice is read once for ">"); the reply is written once all are.
    /// </summary>
    public static bool ReplyServed(Session s, RespCommand c, StreamReadRequest request, StreamId[] after)
    {
        var served = new List<(int Stream, Action<RespWriter> Reply)>();
        for (var i = 0; i < after.Length; i++)
        {
            if (s.Db.Read(c[request.KeyAt(i)]) is not RedisStream stream) { continue; }
            var group = request.HasGroup ? stream.Group(c[request.GroupAt]) : null;
            var history = group is not null && after[i] != NewEntries;
            if (!history && !HasNew(stream, group?.LastId ?? after[i])) { continue; }
            if (group is null)
            {
                served.Add((i, After(stream, after[i], request.Count)));
                continue;
            }
            var consumer = Reader(s.Db, c[request.KeyAt(i)], group, c[request.GroupAt + 1]);
            served.Add((i, history ? History(stream, consumer, after[i], request.Count)
                : Deliver(s.Db, c[request.KeyAt(i)], stream, group, consumer, request.Count, request.NoAck)));
        }
        if (served.Count == 0) { return false; }
        if (s.Reply.Protocol == 3) { s.Reply.Map(served.Count); } else { s.Reply.Array(served.Count); }
        foreach (var (i, reply) in served) { ReplyStream(s.Reply, c[request.KeyAt(i)], reply); }
        return true;
    }

    /// <summary>One stream's part of the reply: its name and what it gave (a two-element array in RESP2, a map entry in RESP3).</summary>
    public static void ReplyStream(RespWriter reply, ReadOnlySpan<byte> key, Action<RespWriter> entries)
    {
        if (reply.Protocol == 2) { reply.Array(2); }
        reply.Bulk(key);
        entries(reply);
    }

    /// <summary>The group's consumer of that name, seen now; created (and logged) when new.</summary>
    public static StreamConsumer Reader(Database db, ReadOnlySpan<byte> key, StreamGroup group, ReadOnlySpan<byte> name)
    {
        if (group.Consumer(name) is null)
        {
            StreamPropagation.ConsumerCreated(db, key, group, name.ToArray());
            Database.CountChange();
            db.Notify(EventClass.Stream, "xgroup-createconsumer"u8, key);
        }
        return group.ConsumerSeen(name, Clock.NowMs);
    }

    /// <summary>True when the stream has entries above <paramref name="from"/> to read.</summary>
    public static bool HasNew(RedisStream stream, StreamId from) => stream.LastLiveId is { } top && top > from;

    /// <summary>The entries after <paramref name="after"/>, taken now; the returned action writes them.</summary>
    public static Action<RespWriter> After(RedisStream stream, StreamId after, long count)
    {
        after.TryNext(out var start);
        var entries = Taken(stream.Range(start, StreamId.Max), count);
        return reply => ReplyEntries(reply, entries);
    }

    /// <summary>
    /// New entries for a group: each moves the group on and, unless NOACK, becomes pending for the consumer; logged as
    /// Redis propagates it (an XCLAIM per delivery, then the group's position).
    /// </summary>
    public static Action<RespWriter> Deliver(Database db, ReadOnlySpan<byte> key, RedisStream stream, StreamGroup group, StreamConsumer consumer, long count, bool noAck)
    {
        group.LastId.TryNext(out var start);
        var entries = Taken(stream.Range(start, StreamId.Max), count);
        var now = Clock.NowMs;
        foreach (var entry in entries)
        {
            stream.Advance(group, entry.Id);
            if (!noAck) { StreamPropagation.Claimed(db, key, group, group.Deliver(entry.Id, consumer, now)); }
        }
        if (entries.Count > 0)
        {
            StreamPropagation.GroupMoved(db, key, group);
            Database.CountChange();
        }
        return reply => ReplyEntries(reply, entries);
    }

    // The consumer's pending entries after `after`, each delivered once more; an entry deleted since shows without fields.
    private static Action<RespWriter> History(RedisStream stream, StreamConsumer consumer, StreamId after, long count)
    {
        after.TryNext(out var start);
        var now = Clock.NowMs;
        var entries = new List<(StreamId Id, StreamEntry? Entry)>();
        foreach (var pending in Taken(consumer.Pending.Range(start, StreamId.Max), count))
        {
            var found = stream.Find(pending.Id);
            entries.Add((pending.Id, found));
            if (found is null) { continue; }
            pending.DeliveryTimeMs = now;
            pending.DeliveryCount++;
        }
        return reply =>
        {
            reply.Array(entries.Count);
            foreach (var (id, entry) in entries)
            {
                if (entry is { } found)
                {
                    StreamArgs.Reply(reply, found);
                    continue;
                }
                reply.Array(2);
                StreamArgs.Reply(reply, id);
                reply.NullArray();
            }
        };
    }

    // The first `count` items (0: all), taken now, before the stream changes.
    private static List<T> Taken<T>(IEnumerable<T> items, long count) => (count > 0 ? items.Take((int)Math.Min(count, int.MaxValue)) : items).ToList();

    private static void ReplyEntries(RespWriter reply, List<StreamEntry> entries)
    {
        reply.Array(entries.Count);
        foreach (var entry in entries) { StreamArgs.Reply(reply, entry); }
    }
}
