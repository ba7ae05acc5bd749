using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// A blocked XREAD or XREADGROUP, as redis-server 7.0 serves one: when a stream it waits on has an entry above the ID it
/// waits after (for a group: the group's last ID then, so readers of one group share the entries), it is given that
/// stream's new entries, at most COUNT (1000 without), in a reply naming that stream alone. A group reader whose key
/// went or changed type, or whose group was destroyed, is told with an error; a plain reader keeps waiting.
/// </summary>
internal sealed class StreamWait(byte[][] keys, StreamId[] after, long count, byte[]? group, byte[]? consumer, bool noAck) : IBlockingPop
{
    // XREAD_BLOCKED_DEFAULT_COUNT: a blocked reader is given at most this many entries when it gave no COUNT.
    private const long DefaultCount = 1000;

    private const string KeyGone = "UNBLOCKED the stream key no longer exists";
    private const string GroupGone = "NOGROUP the consumer group this client was blocked on no longer exists";

    private long Count => count > 0 ? count : DefaultCount;

    public bool TakesFrom(object value) => value is RedisStream;

    public bool Serves(ReadOnlySpan<byte> key, object? value)
    {
        if (value is not RedisStream stream) { return group is not null; }
        if (group is null) { return stream.LastId > After(key); }
        return stream.Group(group) is not { } readers || stream.LastId > readers.LastId;
    }

    public object? Take(Database db, ReadOnlySpan<byte> key, object value)
    {
        if (value is not RedisStream stream) { return KeyGone; }
        if (group is null) { return StreamReadCommands.After(stream, After(key), Count); }
        if (stream.Group(group) is not { } readers) { return GroupGone; }
        return StreamReadCommands.Deliver(db, key, stream, readers, StreamReadCommands.Reader(db, key, readers, consumer), Count, noAck);
    }

    public void Reply(RespWriter reply, ReadOnlySpan<byte> key, object? taken)
    {
        if (taken is string error) { reply.Error(error); return; }
        if (reply.Protocol == 3) { reply.Map(1); } else { reply.Array(1); }
        StreamReadCommands.ReplyStream(reply, key, (Action<RespWriter>)taken!);
    }

    // Nothing goes back: entries read stay in the stream, and entries delivered to a group stay pending, as for a
    // consumer that read them and went away.
    public void Return(Database db, byte[] key, object taken)
    {
    }

    private StreamId After(ReadOnlySpan<byte> key)
    {
        for (var i = 0; i < keys.Length; i++) { if (key.SequenceEqual(keys[i])) { return after[i]; } }
        throw new ArgumentException("not a key this reader waits on", nameof(key));
    }
}
