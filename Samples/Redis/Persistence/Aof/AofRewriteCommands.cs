using System.Buffers;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Persistence.AofCommandWriter;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// A key as the commands that rebuild it, as Redis's rewriteAppendOnlyFileRio writes an append-only file's base when
/// aof-use-rdb-preamble is no: SET; RPUSH, SADD, ZADD and HMSET of at most 64 items each; a stream's XADDs, XSETID, and
/// its groups' XGROUP CREATE, XCLAIM ... FORCE per pending entry and XGROUP CREATECONSUMER per idle consumer; then
/// PEXPIREAT when the key has a deadline.
/// </summary>
internal static class AofRewriteCommands
{
    private const int ItemsPerCommand = 64; // AOF_REWRITE_ITEMS_PER_CMD

    public static void WriteKey(IBufferWriter<byte> output, ReadOnlySpan<byte> key, object value, long? expireAtUnixMs)
    {
        switch (value)
        {
            case byte[] text:
                Header(output, 3);
                Bulk(output, "SET"u8);
                Bulk(output, key);
                Bulk(output, text);
                break;
            case RedisList list:
                WriteBatches(output, "RPUSH"u8, key, list.Count, 1, (o, i) => Bulk(o, list[i]));
                break;
            case RedisSet set:
                WriteBatches(output, "SADD"u8, key, set.Count, 1, (o, i) => Bulk(o, set.Members[i]));
                break;
            case RedisSortedSet sortedSet:
                var nodes = SkipList.Walk(sortedSet.Order.First, reverse: false).GetEnumerator();
                WriteBatches(output, "ZADD"u8, key, sortedSet.Count, 2, (o, _) =>
                {
                    nodes.MoveNext();
                    Score(o, nodes.Current.Score);
                    Bulk(o, nodes.Current.Member);
                });
                break;
            case RedisHash hash:
                WriteBatches(output, "HMSET"u8, key, hash.Count, 2, (o, i) =>
                {
                    Bulk(o, hash.Pairs[i].Key);
                    Bulk(o, hash.Pairs[i].Value);
                });
                break;
            case RedisStream stream:
                WriteStream(output, key, stream);
                break;
            default:
                throw new ArgumentException($"{value.GetType().Name} is not a value of the store", nameof(value));
        }
        if (expireAtUnixMs is { } deadline)
        {
            Header(output, 3);
            Bulk(output, "PEXPIREAT"u8);
            Bulk(output, key);
            Integer(output, deadline);
        }
    }

    // `count` items of `width` arguments each, in commands of at most 64 items.
    private static void WriteBatches(IBufferWriter<byte> output, ReadOnlySpan<byte> command, ReadOnlySpan<byte> key, int count, int width,
        Action<IBufferWriter<byte>, int> writeItem)
    {
        for (var start = 0; start < count; start += ItemsPerCommand)
        {
            var items = Math.Min(ItemsPerCommand, count - start);
            Header(output, 2 + items * width);
            Bulk(output, command);
            Bulk(output, key);
            for (var i = start; i < start + items; i++) { writeItem(output, i); }
        }
    }

    private static void WriteStream(IBufferWriter<byte> output, ReadOnlySpan<byte> key, RedisStream stream)
    {
        if (stream.Length > 0)
        {
            foreach (var entry in stream.Range(StreamId.Zero, StreamId.Max))
            {
                Header(output, 3 + entry.Pairs.Length);
                Bulk(output, "XADD"u8);
                Bulk(output, key);
                Id(output, entry.Id);
                foreach (var part in entry.Pairs) { Bulk(output, part); }
            }
        }
        else
        {
            // An empty stream: added with one entry that MAXLEN 0 trims at once, as Redis does.
            Header(output, 7);
            Bulk(output, "XADD"u8);
            Bulk(output, key);
            Bulk(output, "MAXLEN"u8);
            Bulk(output, "0"u8);
            Bulk(output, "0-1"u8);
            Bulk(output, "x"u8);
            Bulk(output, "y"u8);
        }
        Header(output, 7);
        Bulk(output, "XSETID"u8);
        Bulk(output, key);
        Id(output, stream.LastId);
        Bulk(output, "ENTRIESADDED"u8);
        Integer(output, stream.EntriesAdded);
        Bulk(output, "MAXDELETEDID"u8);
        Id(output, stream.MaxDeletedId);
        foreach (var group in stream.Groups.Values)
        {
            Header(output, 7);
            Bulk(output, "XGROUP"u8);
            Bulk(output, "CREATE"u8);
            Bulk(output, key);
            Bulk(output, group.Name);
            Id(output, group.LastId);
            Bulk(output, "ENTRIESREAD"u8);
            Integer(output, group.EntriesRead);
            foreach (var consumer in group.Consumers.Values)
            {
                if (consumer.Pending.Count == 0)
                {
                    Header(output, 5);
                    Bulk(output, "XGROUP"u8);
                    Bulk(output, "CREATECONSUMER"u8);
                    Bulk(output, key);
                    Bulk(output, group.Name);
                    Bulk(output, consumer.Name);
                    continue;
                }
                foreach (var pending in consumer.Pending.All)
                {
                    Header(output, 12);
                    Bulk(output, "XCLAIM"u8);
                    Bulk(output, key);
                    Bulk(output, group.Name);
                    Bulk(output, consumer.Name);
                    Bulk(output, "0"u8);
                    Id(output, pending.Id);
                    Bulk(output, "TIME"u8);
                    Integer(output, pending.DeliveryTimeMs);
                    Bulk(output, "RETRYCOUNT"u8);
                    Integer(output, pending.DeliveryCount);
                    Bulk(output, "JUSTID"u8);
                    Bulk(output, "FORCE"u8);
                }
            }
        }
    }

    private static void Id(IBufferWriter<byte> output, StreamId id)
    {
        Span<byte> text = stackalloc byte[StreamId.MaxTextLength];
        Bulk(output, text[..id.Format(text)]);
    }

    // As rioWriteBulkDouble: printf's %.17g, which Redis's replies use too.
    private static void Score(IBufferWriter<byte> output, double score)
    {
        Span<byte> text = stackalloc byte[32];
        Bulk(output, text[..RespWriter.FormatDouble(score, text)]);
    }
}
