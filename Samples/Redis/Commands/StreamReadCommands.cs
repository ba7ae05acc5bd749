using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>XREAD and XREADGROUP: the entries after given IDs of one or more streams, for a consumer group or not.</summary>
internal static class StreamReadCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("xread", -4, ReadOnly | Blocking, new KeySpec(0, 0, 0, Options: OptionKeys.StreamsHalf), (s, c) => Read(s, c, group: false));
        t.Add("xreadgroup", -7, Write | Blocking, new KeySpec(0, 0, 0, Options: OptionKeys.StreamsHalf), (s, c) => Read(s, c, group: true));
    }

    /// <summary>The ID ">" (XREADGROUP: entries never delivered to the group) stands as the highest ID.</summary>
    public static readonly StreamId NewEntries = StreamId.Max;

    private static void Read(Session s, RespCommand c, bool group)
    {
        if (!StreamReadRequest.TryParse(s, c, group, out var request)) { return; }
        var after = new StreamId[request.StreamCount];
        for (var i = 0; i < after.Length; i++)
        {
            if (!CollectionAccess.TryGet(s, c[request.KeyAt(i)], out RedisStream? stream)) { return; }
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
        if (!ReplyServed(s, c, request, after)) { s.Reply.NullArray(); }
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
        var served = new List<(int Stream, Action<Session> Reply)>();
        for (var i = 0; i < after.Length; i++)
        {
            if (s.Db.Get(c[request.KeyAt(i)]) is not RedisStream stream) { continue; }
            var group = request.HasGroup ? stream.Group(c[request.GroupAt]) : null;
            var history = group is not null && after[i] != NewEntries;
            var from = group?.LastId ?? after[i];
            if (!history && !(stream.LastLiveId is { } top && top > from)) { continue; }
            if (group is null)
            {
                from.TryNext(out var start);
                var entries = Taken(stream.Range(start, StreamId.Max), request.Count);
                served.Add((i, session => ReplyEntries(session, entries)));
                continue;
            }
            var consumer = group.ConsumerSeen(c[request.GroupAt + 1], Clock.NowMs);
            served.Add((i, history ? History(stream, consumer, after[i], request.Count) : Deliver(stream, group, consumer, request)));
        }
        if (served.Count == 0) { return false; }
        if (s.Reply.Protocol == 3) { s.Reply.Map(served.Count); } else { s.Reply.Array(served.Count); }
        foreach (var (i, reply) in served)
        {
            if (s.Reply.Protocol == 2) { s.Reply.Array(2); }
            s.Reply.Bulk(c[request.KeyAt(i)]);
            reply(s);
        }
        return true;
    }

    // New entries for a group: each moves the group on and, unless NOACK, becomes pending for the consumer.
    private static Action<Session> Deliver(RedisStream stream, StreamGroup group, StreamConsumer consumer, StreamReadRequest request)
    {
        group.LastId.TryNext(out var start);
        var entries = Taken(stream.Range(start, StreamId.Max), request.Count);
        var now = Clock.NowMs;
        foreach (var entry in entries)
        {
            stream.Advance(group, entry.Id);
            if (!request.NoAck) { group.Deliver(entry.Id, consumer, now); }
        }
        return session => ReplyEntries(session, entries);
    }

    // The consumer's pending entries after `after`, each delivered once more; an entry deleted since shows without fields.
    private static Action<Session> History(RedisStream stream, StreamConsumer consumer, StreamId after, long count)
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
        return session =>
        {
            session.Reply.Array(entries.Count);
            foreach (var (id, entry) in entries)
            {
                if (entry is { } found)
                {
                    StreamArgs.Reply(session.Reply, found);
                    continue;
                }
                session.Reply.Array(2);
                StreamArgs.Reply(session.Reply, id);
                session.Reply.NullArray();
            }
        };
    }

    // The first `count` items (0: all), taken now, before the stream changes.
    private static List<T> Taken<T>(IEnumerable<T> items, long count) => (count > 0 ? items.Take((int)Math.Min(count, int.MaxValue)) : items).ToList();

    private static void ReplyEntries(Session s, List<StreamEntry> entries)
    {
        s.Reply.Array(entries.Count);
        foreach (var entry in entries) { StreamArgs.Reply(s.Reply, entry); }
    }
}
