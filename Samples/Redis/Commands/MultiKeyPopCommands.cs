using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// BZPOPMIN, BZPOPMAX, LMPOP, BLMPOP, ZMPOP, BZMPOP, and the flow every pop from the first of several keys shares
/// (BLPOP's too): pop from the first key that exists, else block until a write serves the client or the timeout passes.
/// </summary>
internal static class MultiKeyPopCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("bzpopmin", -3, NoScript | Write | Blocking | Fast, 1, -2, 1, (s, c) => BlockingSortedSetPop(s, c, highest: false));
        t.Add("bzpopmax", -3, NoScript | Write | Blocking | Fast, 1, -2, 1, (s, c) => BlockingSortedSetPop(s, c, highest: true));
        // Keys follow numkeys: no fixed positions to describe, as Redis's movable-keys commands answer.
        t.Add("lmpop", -4, Write, new KeySpec(0, 0, 0, NumKeysAt: 1), (s, c) => MultiPop(s, c, FromList, blocking: false));
        t.Add("blmpop", -5, Write | Blocking, new KeySpec(0, 0, 0, NumKeysAt: 2), (s, c) => MultiPop(s, c, FromList, blocking: true));
        t.Add("zmpop", -4, Write, new KeySpec(0, 0, 0, NumKeysAt: 1), (s, c) => MultiPop(s, c, FromSortedSet, blocking: false));
        t.Add("bzmpop", -5, Write | Blocking, new KeySpec(0, 0, 0, NumKeysAt: 2), (s, c) => MultiPop(s, c, FromSortedSet, blocking: true));
    }

    // A multi-pop's direction words, and the pop made from the direction (true: the second word) and the count.
    private sealed record PopKind(string First, string Second, Func<bool, long, IBlockingPop> Make);

    private static readonly PopKind FromList = new("LEFT", "RIGHT", (right, count) => new ListPop(right ? ListEnd.Right : ListEnd.Left, count));
    private static readonly PopKind FromSortedSet = new("MIN", "MAX", (highest, count) => new SortedSetPop(highest, count));

    /// <summary>
    /// Pops from the first of <paramref name="keyCount"/> keys from argument <paramref name="firstKey"/> on that exists
    /// (WRONGTYPE when it holds another type). When none does: a null array, or, when <paramref name="blocking"/> and not
    /// inside EXEC, a wait on all of them.
    /// </summary>
    public static void PopOrBlock(Session s, RespCommand c, int firstKey, int keyCount, IBlockingPop pop, bool blocking, TimeSpan? timeout)
    {
        for (var i = firstKey; i < firstKey + keyCount; i++)
        {
            if (s.Db.Get(c[i]) is not { } value) { continue; }
            if (!pop.TakesFrom(value)) { s.Reply.Error(Args.WrongType); return; }
            pop.Reply(s.Reply, c[i], pop.Take(s.Db, c[i], value));
            return;
        }
        if (!blocking || s.InExec) { s.Reply.NullArray(); return; }
        var keys = new byte[keyCount][];
        for (var i = 0; i < keyCount; i++) { keys[i] = c[firstKey + i].ToArray(); }
        s.BlockOn(new BlockedClient(s, s.Db, keys, pop), timeout);
    }

    private static void BlockingSortedSetPop(Session s, RespCommand c, bool highest)
    {
        if (BlockingListCommands.TryTimeout(s, c[c.Count - 1], out var timeout))
        {
            PopOrBlock(s, c, 1, c.Count - 2, new SortedSetPop(highest, count: null), blocking: true, timeout);
        }
    }

    // [timeout] numkeys key [key ...] <direction> [COUNT count], checked in Redis's order: numkeys, the direction,
    // COUNT, then the timeout.
    private static void MultiPop(Session s, RespCommand c, PopKind kind, bool blocking)
    {
        var numKeysAt = blocking ? 2 : 1;
        if (!Args.TryLong(c[numKeysAt], out var keyCount) || keyCount <= 0) { s.Reply.Error("ERR numkeys should be greater than 0"); return; }
        if (keyCount >= c.Count - numKeysAt - 1) { s.Reply.Error(Args.Syntax); return; }
        var directionAt = numKeysAt + 1 + (int)keyCount;
        var isSecond = Args.Is(c[directionAt], kind.Second);
        if (!isSecond && !Args.Is(c[directionAt], kind.First)) { s.Reply.Error(Args.Syntax); return; }
        long? count = null;
        for (var i = directionAt + 1; i < c.Count; i++)
        {
            if (count is not null || !Args.Is(c[i], "COUNT") || i + 1 == c.Count) { s.Reply.Error(Args.Syntax); return; }
            if (!Args.TryLong(c[++i], out var value) || value <= 0) { s.Reply.Error("ERR count should be greater than 0"); return; }
            count = value;
        }
        TimeSpan? timeout = null;
        if (blocking && !BlockingListCommands.TryTimeout(s, c[1], out timeout)) { return; }
        PopOrBlock(s, c, numKeysAt + 1, (int)keyCount, kind.Make(isSecond, count ?? 1), blocking, timeout);
    }
}
