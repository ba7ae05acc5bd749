using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// Pops the lowest members of a sorted set, or the <paramref name="highest"/>: one replied flat as [key, member, score]
/// (BZPOPMIN, BZPOPMAX) when <paramref name="count"/> is null, else up to count replied as [key, [[member, score], ...]]
/// (ZMPOP, BZMPOP), nested in RESP2 too.
/// </summary>
internal sealed class SortedSetPop(bool highest, long? count) : IBlockingPop
{
    public bool TakesFrom(object value) => value is RedisSortedSet;

    public object? Take(Database db, ReadOnlySpan<byte> key, object value)
    {
        var zset = (RedisSortedSet)value;
        var popped = zset.Pop(highest, count ?? 1);
        db.Changed(key, zset, EventClass.SortedSet, SortedSetCommands.PopEvent(highest));
        var name = (highest ? "ZPOPMAX"u8 : "ZPOPMIN"u8).ToArray();
        db.Log?.Append(db.Index, count is null ? [name, key.ToArray()] : [name, key.ToArray(), Args.Bytes(popped.Count)]);
        return popped;
    }

    public void Reply(RespWriter reply, ReadOnlySpan<byte> key, object? taken)
    {
        var popped = (List<SkipListNode>)taken!;
        if (count is null)
        {
            reply.Array(3);
            reply.Bulk(key);
            reply.Bulk(popped[0].Member);
            reply.Double(popped[0].Score);
            return;
        }
        reply.Array(2);
        reply.Bulk(key);
        reply.Array(popped.Count);
        foreach (var node in popped)
        {
            reply.Array(2);
            reply.Bulk(node.Member);
            reply.Double(node.Score);
        }
    }

    // Exact, as ZADD reads it back.
    private static byte[] Score(double score) => System.Text.Encoding.ASCII.GetBytes(double.IsInfinity(score)
        ? (score > 0 ? "inf" : "-inf")
        : score.ToString("R", System.Globalization.CultureInfo.InvariantCulture));

    // Members added again meanwhile keep their newer score.
    public void Return(Database db, byte[] key, object taken)
    {
        if (db.GetOrCreate<RedisSortedSet>(key) is not { } zset) { return; } // The key became another type meanwhile: nowhere to return to.
        foreach (var node in (List<SkipListNode>)taken)
        {
            if (zset.Find(node.Member) is null) { zset.Set(node.Member, node.Score); }
        }
        db.Touch(key);
        db.Log?.Append(db.Index, ["ZADD"u8.ToArray(), key, "NX"u8.ToArray(),
            .. ((List<SkipListNode>)taken).SelectMany(node => new[] { Score(node.Score), node.Member })]);
    }
}
