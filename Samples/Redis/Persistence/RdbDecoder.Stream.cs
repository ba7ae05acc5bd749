using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Persistence;

// Streams: RDB_TYPE_STREAM_LISTPACKS (Redis 5 and 6) and RDB_TYPE_STREAM_LISTPACKS_2 (7.0, with the first ID, the
// highest deleted ID, the entries ever added and each group's read counter).
internal static partial class RdbDecoder
{
    private static RedisStream ReadStream(RdbReader reader, bool withMetadata)
    {
        var stream = new RedisStream();
        var previous = StreamId.Zero;
        for (var nodes = reader.ReadCount("a stream"); nodes > 0; nodes--)
        {
            var offset = reader.Offset;
            var key = reader.ReadString();
            if (key.Length != 16) { throw new RdbFormatException($"a stream node key of {key.Length} bytes (16 expected)", offset); }
            var blobOffset = reader.Offset;
            var node = ReadNode(StreamId.ReadBigEndian(key), reader.ReadString(), blobOffset);
            if (stream.NodeCount > 0 && node.MasterId <= previous) { throw new RdbFormatException("stream nodes out of order", offset); }
            previous = node.LastId;
            stream.AddNode(node);
        }
        var lengthOffset = reader.Offset;
        var length = (long)reader.ReadLength();
        if (length != stream.Length) { throw new RdbFormatException($"a stream says it has {length} entries, its nodes hold {stream.Length}", lengthOffset); }
        stream.LastId = ReadId(reader);
        if (withMetadata) { stream.SetLoadedMetadata(ReadId(reader), ReadId(reader), (long)reader.ReadLength()); }
        else { stream.SetLoadedMetadata(stream.FirstLiveId ?? StreamId.Zero, StreamId.Zero, stream.Length); }
        for (var groups = reader.ReadCount("a stream's groups"); groups > 0; groups--) { ReadGroup(reader, stream, withMetadata); }
        return stream;
    }

    private static StreamNode ReadNode(StreamId masterId, byte[] blob, long offset)
    {
        var listpack = new Listpack(blob, offset);
        var live = NextInteger(ref listpack, offset);
        var deleted = NextInteger(ref listpack, offset);
        var fields = new byte[NextCount(ref listpack, offset)][];
        for (var i = 0; i < fields.Length; i++) { fields[i] = NextBytes(ref listpack, offset); }
        if (NextInteger(ref listpack, offset) != 0) { throw new RdbFormatException("a stream node's master entry does not end with 0", offset); }
        var node = new StreamNode(masterId, fields);
        while (listpack.TryRead(out var flagsEntry))
        {
            var flags = flagsEntry.TryInteger(out var value) ? value : throw new RdbFormatException("a stream entry without flags", offset);
            var id = new StreamId(masterId.Ms + (ulong)NextInteger(ref listpack, offset), masterId.Seq + (ulong)NextInteger(ref listpack, offset));
            var same = (flags & StreamFlags.SameFields) != 0;
            var pairs = new byte[(same ? fields.Length : NextCount(ref listpack, offset)) * 2][];
            for (var i = 0; i < pairs.Length; i += 2)
            {
                pairs[i] = same ? fields[i / 2] : NextBytes(ref listpack, offset);
                pairs[i + 1] = NextBytes(ref listpack, offset);
            }
            NextInteger(ref listpack, offset);
            if (node.Entries.Count > 0 && id <= node.LastId) { throw new RdbFormatException("stream entries out of order", offset); }
            node.Add(new StreamEntry(id, pairs, same, (flags & StreamFlags.Deleted) != 0));
        }
        if (node.Entries.Count == 0) { throw new RdbFormatException("an empty stream node", offset); }
        if (node.Live != live || node.Deleted != deleted) { throw new RdbFormatException($"a stream node counts {live} live and {deleted} deleted entries, it holds {node.Live} and {node.Deleted}", offset); }
        return node;
    }

    private static void ReadGroup(RdbReader reader, RedisStream stream, bool withMetadata)
    {
        var offset = reader.Offset;
        var name = reader.ReadString();
        var lastId = ReadId(reader);
        var entriesRead = withMetadata ? unchecked((long)reader.ReadLength()) : stream.EstimateEntriesRead(lastId);
        var group = new StreamGroup(name, lastId, entriesRead);
        if (!stream.Groups.TryAdd(name, group)) { throw new RdbFormatException("a stream has a group twice", offset); }
        // The group's pending entries come with their deliveries; each consumer then names its own, which get it as owner.
        var owners = new Dictionary<StreamId, (long DeliveryTimeMs, long DeliveryCount)>();
        for (var pending = reader.ReadCount("a group's pending entries"); pending > 0; pending--)
        {
            var id = StreamId.ReadBigEndian(reader.Read(16));
            if (!owners.TryAdd(id, ((long)reader.ReadUInt64LittleEndian(), (long)reader.ReadLength()))) { throw new RdbFormatException("a pending entry listed twice", offset); }
        }
        for (var consumers = reader.ReadCount("a group's consumers"); consumers > 0; consumers--)
        {
            var consumer = new StreamConsumer(reader.ReadString(), (long)reader.ReadUInt64LittleEndian());
            if (!group.Consumers.TryAdd(consumer.Name, consumer)) { throw new RdbFormatException("a group has a consumer twice", offset); }
            for (var pending = reader.ReadCount("a consumer's pending entries"); pending > 0; pending--)
            {
                var id = StreamId.ReadBigEndian(reader.Read(16));
                if (!owners.Remove(id, out var delivery)) { throw new RdbFormatException("a consumer's pending entry is not the group's, or another consumer's too", offset); }
                var entry = new StreamPending(id, consumer, delivery.DeliveryTimeMs, delivery.DeliveryCount);
                consumer.Pending.Add(entry);
                group.Pending.Add(entry);
            }
        }
        if (owners.Count > 0) { throw new RdbFormatException("a group's pending entry belongs to no consumer", offset); }
    }

    private static StreamId ReadId(RdbReader reader) => new(reader.ReadLength(), reader.ReadLength());

    private static long NextInteger(ref Listpack listpack, long offset) =>
        listpack.TryRead(out var entry) && entry.TryInteger(out var value) ? value : throw new RdbFormatException("a stream node ends early or holds text where a number belongs", offset);

    private static int NextCount(ref Listpack listpack, long offset)
    {
        var count = NextInteger(ref listpack, offset);
        return count is >= 0 and <= int.MaxValue / 2 ? (int)count : throw new RdbFormatException($"a stream node's field count {count} is out of range", offset);
    }

    private static byte[] NextBytes(ref Listpack listpack, long offset) =>
        listpack.TryRead(out var entry) ? entry.ToBytes() : throw new RdbFormatException("a stream node ends early", offset);
}
