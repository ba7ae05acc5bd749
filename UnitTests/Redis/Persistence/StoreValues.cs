using System.Buffers;
using System.Text;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Store;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>Store values built from text (Latin-1, one byte a char), and RDB files of them written with <see cref="RdbEncoder"/>.</summary>
internal static class StoreValues
{
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static RedisList List(params string[] items)
    {
        var list = new RedisList();
        foreach (var item in items) { list.Push(ListEnd.Right, Bytes(item)); }
        return list;
    }

    public static RedisSet Set(params string[] members)
    {
        var set = new RedisSet();
        foreach (var member in members) { set.Add(Bytes(member)); }
        return set;
    }

    public static RedisHash Hash(params (string Field, string Value)[] pairs)
    {
        var hash = new RedisHash();
        foreach (var (field, value) in pairs) { hash.Set(Bytes(field), Bytes(value)); }
        return hash;
    }

    public static RedisSortedSet SortedSet(params (string Member, double Score)[] members)
    {
        var sortedSet = new RedisSortedSet();
        foreach (var (member, score) in members) { sortedSet.Set(Bytes(member), score); }
        return sortedSet;
    }

    /// <summary>A whole file: header, each database's keys, and the end with the CRC of everything before.</summary>
    public static byte[] File(params (int Db, string Key, object Value, long? ExpireAt)[] entries)
    {
        var output = new ArrayBufferWriter<byte>();
        RdbEncoder.WriteHeader(output, 1_700_000_000);
        foreach (var db in entries.GroupBy(e => e.Db))
        {
            RdbEncoder.WriteSelectDb(output, db.Key, db.Count(), db.Count(e => e.ExpireAt is not null));
            foreach (var (_, key, value, expireAt) in db) { RdbEncoder.WriteEntry(output, Bytes(key), value, expireAt); }
        }
        RdbEncoder.WriteEnd(output, Crc64.Update(0, output.WrittenSpan));
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A value as DUMP serializes it (type byte first, no footer).</summary>
    public static byte[] Serialized(object value)
    {
        var output = new ArrayBufferWriter<byte>();
        RdbEncoder.WriteValue(output, value);
        return output.WrittenSpan.ToArray();
    }
}
