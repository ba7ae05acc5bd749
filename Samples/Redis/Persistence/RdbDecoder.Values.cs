using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Persistence;

// Values: the plain forms (an element count, then strings; scores as text or binary doubles) and the compact forms
// (one string holding a ziplist, listpack, intset or zipmap; lists as a chain of them).
internal static partial class RdbDecoder
{
    /// <summary>
    /// The value of a DUMP payload (the type byte apart, the version and CRC footer removed): a store type, or an
    /// <see cref="RdbFormatException"/> when the bytes are not one value this server holds (an empty collection included).
    /// </summary>
    public static object ReadValue(ReadOnlySpan<byte> payloadWithoutTypeByte, byte type)
    {
        var reader = new RdbReader(new MemoryStream(payloadWithoutTypeByte.ToArray(), writable: false));
        return ReadValue(reader, type) ?? throw new RdbFormatException("an empty collection", 0);
    }

    // A value of `type`; null for an empty collection, which Redis skips (old versions could write them).
    private static object? ReadValue(RdbReader reader, byte type)
    {
        var offset = reader.Offset;
        return type switch
        {
            RdbType.String => reader.ReadString(),
            RdbType.List => ReadList(reader),
            RdbType.Set => ReadSet(reader, offset),
            RdbType.SortedSet => ReadSortedSet(reader, offset, binaryScores: false),
            RdbType.SortedSet2 => ReadSortedSet(reader, offset, binaryScores: true),
            RdbType.Hash => ReadHash(reader, offset),
            RdbType.HashZipmap => HashOf(Zipmap.Read(reader.ReadString(), offset), offset),
            RdbType.ListZiplist => NullIfEmpty(AppendTo(new RedisList(), new Ziplist(reader.ReadString(), offset))),
            RdbType.SetIntset => SetOf(Intset.Read(reader.ReadString(), offset)),
            RdbType.SortedSetZiplist => SortedSetOf(new Ziplist(reader.ReadString(), offset), offset),
            RdbType.HashZiplist => HashOf(new Ziplist(reader.ReadString(), offset), offset),
            RdbType.ListQuicklist => ReadQuicklist(reader, withContainers: false, offset),
            RdbType.HashListpack => HashOf(new Listpack(reader.ReadString(), offset), offset),
            RdbType.SortedSetListpack => SortedSetOf(new Listpack(reader.ReadString(), offset), offset),
            RdbType.ListQuicklist2 => ReadQuicklist(reader, withContainers: true, offset),
            RdbType.SetListpack => SetOf(new Listpack(reader.ReadString(), offset), offset),
            RdbType.ModulePreGa or RdbType.Module2 => throw new RdbFormatException($"module values (RDB type {type}) are not supported", offset),
            RdbType.StreamListpacks => ReadStream(reader, withMetadata: false),
            RdbType.StreamListpacks2 => ReadStream(reader, withMetadata: true),
            RdbType.StreamListpacks3 => throw new RdbFormatException($"streams of Redis 7.2 (RDB type {type}) are not supported", offset),
            _ => throw new RdbFormatException($"unknown value type {type}", offset),
        };
    }

    private static RedisList? ReadList(RdbReader reader)
    {
        var list = new RedisList();
        for (var count = reader.ReadCount("a list"); count > 0; count--) { list.Push(ListEnd.Right, reader.ReadString()); }
        return NullIfEmpty(list);
    }

    // A list as a chain of nodes: ziplists (type 14), or listpacks and single large elements (type 18).
    private static RedisList? ReadQuicklist(RdbReader reader, bool withContainers, long offset)
    {
        var list = new RedisList();
        for (var nodes = reader.ReadCount("a quicklist"); nodes > 0; nodes--)
        {
            var container = withContainers ? reader.ReadLength() : RdbFormat.QuicklistNodePacked;
            var nodeOffset = reader.Offset;
            var node = reader.ReadString();
            switch (container)
            {
                case RdbFormat.QuicklistNodePlain: list.Push(ListEnd.Right, node); break;
                case RdbFormat.QuicklistNodePacked when withContainers: AppendTo(list, new Listpack(node, nodeOffset)); break;
                case RdbFormat.QuicklistNodePacked: AppendTo(list, new Ziplist(node, nodeOffset)); break;
                default: throw new RdbFormatException($"unknown quicklist node container {container}", offset);
            }
        }
        return NullIfEmpty(list);
    }

    private static RedisSet? ReadSet(RdbReader reader, long offset)
    {
        var set = new RedisSet();
        for (var count = reader.ReadCount("a set"); count > 0; count--) { AddMember(set, reader.ReadString(), offset); }
        return NullIfEmpty(set);
    }

    private static RedisSortedSet? ReadSortedSet(RdbReader reader, long offset, bool binaryScores)
    {
        var sortedSet = new RedisSortedSet();
        for (var count = reader.ReadCount("a sorted set"); count > 0; count--)
        {
            var member = reader.ReadString();
            var score = binaryScores ? BitConverter.UInt64BitsToDouble(reader.ReadUInt64LittleEndian()) : ReadTextScore(reader);
            AddMember(sortedSet, member, score, offset);
        }
        return NullIfEmpty(sortedSet);
    }

    // Before version 8 a score was text behind a length byte, or 253, 254, 255 for NaN, +inf, -inf.
    private static double ReadTextScore(RdbReader reader)
    {
        var offset = reader.Offset;
        var length = reader.ReadByte();
        return length switch
        {
            255 => double.NegativeInfinity,
            254 => double.PositiveInfinity,
            253 => double.NaN,
            _ => RdbText.TryParseScore(reader.Read(length), out var score) ? score : throw new RdbFormatException("a sorted set score is not a number", offset),
        };
    }

    private static RedisHash? ReadHash(RdbReader reader, long offset)
    {
        var hash = new RedisHash();
        for (var count = reader.ReadCount("a hash"); count > 0; count--) { AddField(hash, reader.ReadString(), reader.ReadString(), offset); }
        return NullIfEmpty(hash);
    }

    private static RedisList AppendTo<T>(RedisList list, T entries) where T : IPackedEntries, allows ref struct
    {
        while (entries.TryRead(out var entry)) { list.Push(ListEnd.Right, entry.ToBytes()); }
        return list;
    }

    private static RedisSet? SetOf<T>(T entries, long offset) where T : IPackedEntries, allows ref struct
    {
        var set = new RedisSet();
        while (entries.TryRead(out var entry)) { AddMember(set, entry.ToBytes(), offset); }
        return NullIfEmpty(set);
    }

    private static RedisSet? SetOf(long[] integers)
    {
        var set = new RedisSet();
        foreach (var integer in integers) { set.Add(RdbText.Digits(integer)); }
        return NullIfEmpty(set);
    }

    private static RedisSortedSet? SortedSetOf<T>(T entries, long offset) where T : IPackedEntries, allows ref struct
    {
        var sortedSet = new RedisSortedSet();
        while (entries.TryRead(out var member))
        {
            var bytes = member.ToBytes();
            if (!entries.TryRead(out var score)) { throw new RdbFormatException("a sorted set member without a score", offset); }
            AddMember(sortedSet, bytes, score.TryScore(out var value) ? value : throw new RdbFormatException("a sorted set score is not a number", offset), offset);
        }
        return NullIfEmpty(sortedSet);
    }

    private static RedisHash? HashOf<T>(T entries, long offset) where T : IPackedEntries, allows ref struct
    {
        var hash = new RedisHash();
        while (entries.TryRead(out var field))
        {
            var bytes = field.ToBytes();
            if (!entries.TryRead(out var value)) { throw new RdbFormatException("a hash field without a value", offset); }
            AddField(hash, bytes, value.ToBytes(), offset);
        }
        return NullIfEmpty(hash);
    }

    private static RedisHash? HashOf(List<(byte[] Field, byte[] Value)> pairs, long offset)
    {
        var hash = new RedisHash();
        foreach (var (field, value) in pairs) { AddField(hash, field, value, offset); }
        return NullIfEmpty(hash);
    }

    // Duplicates are corruption: Redis refuses them too, and a store that counts members cannot hold them.
    private static void AddMember(RedisSet set, byte[] member, long offset)
    {
        if (!set.Add(member)) { throw new RdbFormatException("a set holds a member twice", offset); }
    }

    private static void AddMember(RedisSortedSet sortedSet, byte[] member, double score, long offset)
    {
        if (double.IsNaN(score)) { throw new RdbFormatException("a sorted set score is NaN", offset); }
        if (!sortedSet.TryAdd(member, score)) { throw new RdbFormatException("a sorted set holds a member twice", offset); }
    }

    private static void AddField(RedisHash hash, byte[] field, byte[] value, long offset)
    {
        if (!hash.TryAdd(field, value)) { throw new RdbFormatException("a hash holds a field twice", offset); }
    }

    private static T? NullIfEmpty<T>(T collection) where T : class, IRedisCollection => collection.IsEmpty ? null : collection;
}
