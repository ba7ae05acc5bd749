using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>MULTI, EXEC, DISCARD, WATCH, UNWATCH.</summary>
internal static class TransactionCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("multi", 1, NoScript | NotQueued | Fast | NoKeyspace, 0, 0, 0, Multi);
        t.Add("exec", 1, NoScript | NotQueued, 0, 0, 0, Exec);
        t.Add("discard", 1, NoScript | NotQueued | Fast | NoKeyspace, 0, 0, 0, Discard);
        t.Add("watch", -2, NoScript | NotQueued | Fast | Exclusive, 1, -1, 1, Watch);
        // Unlike WATCH, UNWATCH inside MULTI is queued, as Redis does: EXEC has an answer for it.
        t.Add("unwatch", 1, NoScript | Fast | NoKeyspace, 0, 0, 0, Unwatch);
    }

    private static void Multi(Session s, RespCommand c)
    {
        if (s.InMulti) { s.Reply.Error("ERR MULTI calls can not be nested"); return; }
        s.InMulti = true;
        s.Reply.Ok();
    }

    private static void Exec(Session s, RespCommand c)
    {
        if (!s.InMulti) { s.Reply.Error("ERR EXEC without MULTI"); return; }
        s.Exec();
    }

    private static void Discard(Session s, RespCommand c)
    {
        if (!s.InMulti) { s.Reply.Error("ERR DISCARD without MULTI"); return; }
        s.EndTransaction();
        s.Reply.Ok();
    }

    private static void Watch(Session s, RespCommand c)
    {
        if (s.InMulti) { s.Reply.Error("ERR WATCH inside MULTI is not allowed"); return; }
        for (var i = 1; i < c.Count; i++) { s.Watch(c[i]); }
        s.Reply.Ok();
    }

    private static void Unwatch(Session s, RespCommand c)
    {
        s.EndTransaction();
        s.Reply.Ok();
    }
}
