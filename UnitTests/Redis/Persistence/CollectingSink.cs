using System.Text;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Store;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>Keeps what a load hands over, and spells values in a form tests compare.</summary>
internal sealed class CollectingSink : IRdbSink
{
    public List<(int Db, string Key, object Value, long? ExpireAt)> Entries { get; } = [];

    public List<string> Skips { get; } = [];

    public List<string> Libraries { get; } = [];

    public void Library(byte[] code) => Libraries.Add(Encoding.Latin1.GetString(code));

    public void Entry(int db, byte[] key, object value, long? expireAtUnixMs) => Entries.Add((db, Encoding.Latin1.GetString(key), value, expireAtUnixMs));

    public void Skipped(string what) => Skips.Add(what);

    public static CollectingSink Load(byte[] file)
    {
        var sink = new CollectingSink();
        RdbDecoder.Load(new MemoryStream(file), sink);
        return sink;
    }

    /// <summary>
    /// A value as text: its type, then its items (Latin-1, one char per byte): a list in order, a set's and a hash's
    /// sorted, a sorted set's in rank order with round-trip scores.
    /// </summary>
    public static string Describe(object value) => value switch
    {
        byte[] bytes => "string " + Text(bytes),
        RedisList list => "list " + string.Join("|", Enumerable.Range(0, list.Count).Select(i => Text(list[i]))),
        RedisSet set => "set " + string.Join("|", set.Members.Select(Text).Order(StringComparer.Ordinal)),
        RedisHash hash => "hash " + string.Join("|", hash.Pairs.Select(p => Text(p.Key) + "=" + Text(p.Value)).Order(StringComparer.Ordinal)),
        RedisSortedSet sortedSet => "zset " + string.Join("|", SkipList.Walk(sortedSet.Order.First, reverse: false).Select(n => $"{Text(n.Member)}:{n.Score:R}")),
        _ => throw new ArgumentException(value.GetType().Name),
    };

    private static string Text(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
