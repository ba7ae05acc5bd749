using System.Buffers;
using System.Buffers.Binary;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Persistence;

// A stream as rdbSaveObject writes RDB_TYPE_STREAM_LISTPACKS_2: each node as its master ID (16 big-endian bytes) and
// its listpack, the metadata, then each group with its pending entries and consumers.
internal static partial class RdbEncoder
{
    private static void WriteStream(IBufferWriter<byte> output, RedisStream stream)
    {
        Span<byte> key = stackalloc byte[16];
        WriteLength(output, (ulong)stream.NodeCount);
        foreach (var node in stream.Nodes)
        {
            node.MasterId.WriteBigEndian(key);
            WriteString(output, key);
            WriteString(output, NodeListpack(node));
        }
        WriteLength(output, (ulong)stream.Length);
        WriteId(output, stream.LastId);
        WriteId(output, stream.FirstId);
        WriteId(output, stream.MaxDeletedId);
        WriteLength(output, (ulong)stream.EntriesAdded);
        WriteLength(output, (ulong)stream.Groups.Count);
        foreach (var group in stream.Groups.Values)
        {
            WriteString(output, group.Name);
            WriteId(output, group.LastId);
            WriteLength(output, unchecked((ulong)group.EntriesRead));
            WritePending(output, group.Pending, withDeliveries: true);
            WriteLength(output, (ulong)group.Consumers.Count);
            foreach (var consumer in group.Consumers.Values)
            {
                WriteString(output, consumer.Name);
                WriteInt64(output, consumer.SeenTimeMs);
                WritePending(output, consumer.Pending, withDeliveries: false);
            }
        }
    }

    // The master entry (live and deleted counts, master fields, a 0), then each entry: flags, the ID as deltas from
    // the master ID, the fields unless they are the master's, values, and how many elements the entry took.
    private static byte[] NodeListpack(StreamNode node)
    {
        var listpack = new ListpackWriter();
        listpack.Add(node.Live);
        listpack.Add(node.Deleted);
        listpack.Add(node.MasterFields.Length);
        foreach (var field in node.MasterFields) { listpack.Add(field); }
        listpack.Add(0);
        foreach (var entry in node.Entries)
        {
            listpack.Add((entry.Deleted ? StreamFlags.Deleted : 0) | (entry.SameFields ? StreamFlags.SameFields : 0));
            listpack.Add(unchecked((long)(entry.Id.Ms - node.MasterId.Ms)));
            listpack.Add(unchecked((long)(entry.Id.Seq - node.MasterId.Seq)));
            if (!entry.SameFields) { listpack.Add(entry.FieldCount); }
            for (var i = 0; i < entry.Pairs.Length; i++)
            {
                if (i % 2 == 1 || !entry.SameFields) { listpack.Add(entry.Pairs[i]); }
            }
            listpack.Add(3 + entry.FieldCount + (entry.SameFields ? 0 : entry.FieldCount + 1));
        }
        return listpack.ToArray();
    }

    // A pending entries list: the count, then each ID as 16 raw big-endian bytes, with the group's delivery time and count.
    private static void WritePending(IBufferWriter<byte> output, PendingList pending, bool withDeliveries)
    {
        WriteLength(output, (ulong)pending.Count);
        foreach (var entry in pending.All)
        {
            entry.Id.WriteBigEndian(output.GetSpan(16));
            output.Advance(16);
            if (!withDeliveries) { continue; }
            WriteInt64(output, entry.DeliveryTimeMs);
            WriteLength(output, (ulong)entry.DeliveryCount);
        }
    }

    private static void WriteId(IBufferWriter<byte> output, StreamId id)
    {
        WriteLength(output, id.Ms);
        WriteLength(output, id.Seq);
    }

    private static void WriteInt64(IBufferWriter<byte> output, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }
}
