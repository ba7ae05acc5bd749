using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>XREAD: the entries after given IDs of one or more streams.</summary>
internal static class StreamReadCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("xread", -4, ReadOnly | Blocking, new KeySpec(0, 0, 0, Options: OptionKeys.StreamsHalf), XRead);
    }

    private static void XRead(Session s, RespCommand c)
    {
        if (!StreamReadRequest.TryParse(s, c, group: false, out var request)) { return; }
        var after = new StreamId[request.StreamCount];
        for (var i = 0; i < after.Length; i++)
        {
            if (!CollectionAccess.TryGet(s, c[request.KeyAt(i)], out RedisStream? stream)) { return; }
            var id = c[request.IdAt(i)];
            if (id.Length == 1 && id[0] == (byte)'$') { after[i] = stream?.LastId ?? StreamId.Zero; continue; }
            if (id.Length == 1 && id[0] == (byte)'>')
            {
                s.Reply.Error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
                return;
            }
            if (!StreamArgs.TryParseOrReply(s, id, out after[i])) { return; }
        }
        if (!ReplyNewEntries(s, c, request, after)) { s.Reply.NullArray(); }
    }

    /// <summary>
    /// Replies with each stream's entries after its ID, leaving out streams with none (a map in RESP3); false, writing
    /// nothing, when no stream has any.
    /// </summary>
    public static bool ReplyNewEntries(Session s, RespCommand c, StreamReadRequest request, StreamId[] after)
    {
        var served = new List<(int Stream, RedisStream Value)>();
        for (var i = 0; i < after.Length; i++)
        {
            if (s.Db.Get(c[request.KeyAt(i)]) is RedisStream stream && stream.LastLiveId is { } top && top > after[i])
            {
                served.Add((i, stream));
            }
        }
        if (served.Count == 0) { return false; }
        if (s.Reply.Protocol == 3) { s.Reply.Map(served.Count); } else { s.Reply.Array(served.Count); }
        foreach (var (i, stream) in served)
        {
            if (s.Reply.Protocol == 2) { s.Reply.Array(2); }
            s.Reply.Bulk(c[request.KeyAt(i)]);
            after[i].TryNext(out var start);
            StreamCommands.ReplyRange(s, stream, start, StreamId.Max, request.Count, reverse: false);
        }
        return true;
    }
}
