using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// Pops from a list's <paramref name="end"/>: one element replied as [key, element] (BLPOP, BRPOP) when
/// <paramref name="count"/> is null, else up to count elements replied as [key, [elements]] (LMPOP, BLMPOP).
/// </summary>
internal sealed class ListPop(ListEnd end, long? count) : IBlockingPop
{
    public bool TakesFrom(object value) => value is RedisList;

    public object? Take(Database db, ReadOnlySpan<byte> key, object value)
    {
        var list = (RedisList)value;
        var elements = new byte[(int)Math.Min(count ?? 1, list.Count)][];
        for (var i = 0; i < elements.Length; i++) { elements[i] = list.Pop(end); }
        db.Changed(key, list, EventClass.List, ListCommands.PopEvent(end));
        var name = end == ListEnd.Left ? "LPOP"u8 : "RPOP"u8;
        db.Log?.Append(db.Index, count is null ? [name.ToArray(), key.ToArray()] : [name.ToArray(), key.ToArray(), Args.Bytes(elements.Length)]);
        return elements;
    }

    public void Reply(RespWriter reply, ReadOnlySpan<byte> key, object? taken)
    {
        var elements = (byte[][])taken!;
        reply.Array(2);
        reply.Bulk(key);
        if (count is null) { reply.Bulk(elements[0]); return; }
        reply.Array(elements.Length);
        foreach (var element in elements) { reply.Bulk(element); }
    }

    public void Return(Database db, byte[] key, object taken)
    {
        if (db.GetOrCreate<RedisList>(key) is not { } list) { return; } // The key became another type meanwhile: nowhere to return to.
        var elements = (byte[][])taken;
        for (var i = elements.Length - 1; i >= 0; i--) { list.Push(end, elements[i]); }
        db.Touch(key);
        db.Notify(EventClass.List, ListCommands.PushEvent(end), key);
        db.Log?.Append(db.Index, [(end == ListEnd.Left ? "LPUSH"u8 : "RPUSH"u8).ToArray(), key, .. elements.Reverse()]);
    }
}

/// <summary>
/// BLMOVE and BRPOPLPUSH: pops from <paramref name="from"/> and pushes onto <paramref name="destination"/>'s
/// <paramref name="to"/>, replying with the element; WRONGTYPE, nothing moved, when the destination holds another type.
/// </summary>
internal sealed class ListMove(ListEnd from, byte[] destination, ListEnd to) : IBlockingPop
{
    public bool TakesFrom(object value) => value is RedisList;

    public object? Take(Database db, ReadOnlySpan<byte> key, object value)
    {
        var target = db.Get(destination);
        if (target is not (null or RedisList)) { return null; }
        var list = (RedisList)value;
        var element = list.Pop(from);
        if (target is not RedisList targetList) { db.Set(destination, targetList = new RedisList()); }
        targetList.Push(to, element);
        db.Touch(destination);
        db.Notify(EventClass.List, ListCommands.PushEvent(to), destination);
        db.Changed(key, list, EventClass.List, ListCommands.PopEvent(from));
        db.Log?.Append(db.Index, "LMOVE"u8.ToArray(), key.ToArray(), destination, Side(from), Side(to));
        return element;
    }

    public void Reply(RespWriter reply, ReadOnlySpan<byte> key, object? taken)
    {
        if (taken is byte[] element) { reply.Bulk(element); } else { reply.Error(Args.WrongType); }
    }

    private static byte[] Side(ListEnd end) => (end == ListEnd.Left ? "LEFT"u8 : "RIGHT"u8).ToArray();

    // The element is already in its destination: a client that left takes nothing with it.
    public void Return(Database db, byte[] key, object taken) { }
}
