using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Commands;

/// <summary>Typed access to lists, hashes and other collections, with Redis's WRONGTYPE and empty-key rules.</summary>
internal static class CollectionAccess
{
    /// <summary>
    /// A write's lookup: the <typeparamref name="T"/> at <paramref name="key"/>, null when absent; false (WRONGTYPE
    /// written) for another type.
    /// </summary>
    public static bool TryGet<T>(Session s, ReadOnlySpan<byte> key, out T? collection) where T : class, IRedisCollection =>
        Typed(s, s.Db.Get(key), out collection);

    /// <summary>A read's lookup, as <see cref="TryGet{T}"/> but a missing key notified as <c>keymiss</c> (<see cref="Database.Read"/>).</summary>
    public static bool TryRead<T>(Session s, ReadOnlySpan<byte> key, out T? collection) where T : class, IRedisCollection =>
        Typed(s, s.Db.Read(key), out collection);

    private static bool Typed<T>(Session s, object? found, out T? collection) where T : class, IRedisCollection
    {
        collection = found as T;
        if (found is null || collection is not null) { return true; }
        s.Reply.Error(Args.WrongType);
        return false;
    }

    /// <summary>Like <see cref="TryGet{T}"/>, but stores a new empty collection when the key is absent: the caller adds to it.</summary>
    public static bool TryGetOrCreate<T>(Session s, ReadOnlySpan<byte> key, out T collection) where T : class, IRedisCollection, new()
    {
        if (!TryGet(s, key, out T? found)) { collection = null!; return false; }
        if (found is null) { s.Db.Set(key, found = new T()); }
        collection = found;
        return true;
    }

    /// <summary>
    /// HRANDFIELD's and ZRANDMEMBER's <c>count [flag]</c>, checked in Redis's order; false with the error written. With
    /// the flag, a count whose reply (two elements each) would overflow is out of range, as Redis refuses it.
    /// </summary>
    public static bool TryRandomCount(Session s, RespCommand c, string flag, out long count, out bool withFlag)
    {
        withFlag = c.Count == 4;
        if (!Args.TryLong(c[2], out count)) { s.Reply.Error(Args.NotInteger); return false; }
        if (count == long.MinValue) { s.Reply.Error(Args.OutOfLongRange); return false; }
        if (c.Count > 4 || (withFlag && !Args.Is(c[3], flag))) { s.Reply.Error(Args.Syntax); return false; }
        if (withFlag && Math.Abs(count) > long.MaxValue / 2) { s.Reply.Error("ERR value is out of range"); return false; }
        return true;
    }

    /// <summary>
    /// <paramref name="times"/> picks for a negative count (members may repeat), made as the reply is written and cut
    /// short once it passed the connection's output limit: the connection is closed then, as Redis closes a client past
    /// its output buffer limit, rather than a reply of up to 2^31 elements exhausting memory.
    /// </summary>
    public static IEnumerable<T> Repeatedly<T>(Session s, int times, Func<T> pick)
    {
        for (var i = 0; i < times && s.Client is not { OutputLimitReached: true }; i++) { yield return pick(); }
    }

    /// <summary>After an in-place change, notified as <paramref name="name"/>: an empty collection's key is deleted, as in Redis; otherwise watchers learn of the change.</summary>
    public static void Changed(Session s, ReadOnlySpan<byte> key, IRedisCollection collection, EventClass type, ReadOnlySpan<byte> name) =>
        s.Db.Changed(key, collection, type, name);
}
