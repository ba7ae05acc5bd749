using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// BLPOP, BRPOP, BLMOVE, BRPOPLPUSH: answer at once when a list has an element, otherwise block the
/// connection until a push serves it (see Database.Blocking) or the timeout passes. Inside EXEC they never block.
/// </summary>
internal static class BlockingListCommands
{
    // Waits longer than this are as good as forever, and keep the loop's timer arithmetic in range.
    public static readonly TimeSpan Forever = TimeSpan.FromDays(365 * 100);

    public static void Register(CommandTable t)
    {
        t.Add("blpop", -3, NoScript | Write | Blocking, 1, -2, 1, (s, c) => BlockingPop(s, c, ListEnd.Left));
        t.Add("brpop", -3, NoScript | Write | Blocking, 1, -2, 1, (s, c) => BlockingPop(s, c, ListEnd.Right));
        t.Add("blmove", 6, NoScript | Write | Blocking, 1, 2, 1, BlMove);
        t.Add("brpoplpush", 4, NoScript | Write | Blocking, 1, 2, 1, (s, c) => BlockingMove(s, c, ListEnd.Right, ListEnd.Left, c[3]));
    }

    private static void BlockingPop(Session s, RespCommand c, ListEnd end)
    {
        if (TryTimeout(s, c[c.Count - 1], out var timeout))
        {
            MultiKeyPopCommands.PopOrBlock(s, c, 1, c.Count - 2, new ListPop(end, count: null), blocking: true, timeout);
        }
    }

    private static void BlMove(Session s, RespCommand c)
    {
        if (ListCommands.TryEnd(s, c[3], out var from) && ListCommands.TryEnd(s, c[4], out var to)) { BlockingMove(s, c, from, to, c[5]); }
    }

    private static void BlockingMove(Session s, RespCommand c, ListEnd from, ListEnd to, ReadOnlySpan<byte> timeoutText)
    {
        if (!TryTimeout(s, timeoutText, out var timeout) || ListCommands.TryMove(s, c[1], c[2], from, to)) { return; }
        if (s.InExec) { s.Reply.Null(); return; }
        s.BlockOn(new BlockedClient(s, s.Db, [c[1].ToArray()], new ListMove(from, c[2].ToArray(), to)), timeout);
    }

    /// <summary>
    /// Seconds as a float, read as Redis 7.0 reads them (string2ld, so hexadecimal too) and cut to whole milliseconds
    /// (<see cref="LongDouble.TimeoutMilliseconds"/>); 0 (null) waits forever. False, with the error written, when invalid.
    /// </summary>
    public static bool TryTimeout(Session s, ReadOnlySpan<byte> text, out TimeSpan? timeout)
    {
        timeout = null;
        if (!LongDouble.TryParse(text, out var seconds)) { s.Reply.Error("ERR timeout is not a float or out of range"); return false; }
        var milliseconds = seconds.TimeoutMilliseconds();
        if (milliseconds < 0) { s.Reply.Error("ERR timeout is negative"); return false; }
        if (milliseconds > 0) { timeout = TimeSpan.FromMilliseconds(Math.Min(milliseconds, Forever.TotalMilliseconds)); }
        return true;
    }
}
