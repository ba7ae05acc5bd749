using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Microsoft.Extensions.Logging;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// SAVE, BGSAVE, LASTSAVE, SHUTDOWN, and DEBUG RELOAD and POPULATE for <see cref="DebugCommand"/>. They hold no keyspace themselves (NoKeyspace): the
/// persistence takes what it needs, and SHUTDOWN may wait for a background save that needs the loops' stripes.
/// </summary>
internal static class PersistenceCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("save", 1, NoScript | NoKeyspace | NoMulti, 0, 0, 0, (s, c) => Reply(s, s.Server.Persistence.Save(), "OK"));
        t.Add("bgsave", -1, NoScript | NoKeyspace, 0, 0, 0, BackgroundSave);
        t.Add("bgrewriteaof", 1, NoScript | NoKeyspace, 0, 0, 0, (s, c) => Reply(s, s.Server.Aof.Rewrite(),
            s.Server.Aof.RewriteScheduled ? "Background append only file rewriting scheduled" : "Background append only file rewriting started"));
        t.Add("lastsave", 1, Fast | NoKeyspace, 0, 0, 0, (s, c) => s.Reply.Integer(s.Server.Persistence.LastSaveUnix));
        t.Add("shutdown", -1, NoScript | NoKeyspace | NoMulti, 0, 0, 0, Shutdown);
    }

    private static void Reply(Session s, string? error, string ok)
    {
        if (error is null) { s.Reply.SimpleString(ok); } else { s.Reply.Error(error); }
    }

    private static void BackgroundSave(Session s, RespCommand c)
    {
        if (c.Count > 2 || (c.Count == 2 && !Args.Is(c[1], "SCHEDULE"))) { s.Reply.Error(Args.Syntax); return; }
        if (c.Count == 1 && !s.InExec) { Reply(s, s.Server.Persistence.BackgroundSave(), "Background saving started"); return; }
        // Inside EXEC Redis leaves the save to its next cron tick and says so; here it starts at once, or after the one running.
        var (error, scheduled) = s.Server.Persistence.ScheduleBackgroundSave();
        Reply(s, error, scheduled || s.InExec ? "Background saving scheduled" : "Background saving started");
    }

    /// <summary>SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE]: saves as asked (or when save points are set), then stops the server.</summary>
    private static void Shutdown(Session s, RespCommand c)
    {
        bool? save = null;
        var force = false;
        for (var i = 1; i < c.Count; i++)
        {
            if (Args.Is(c[i], "NOSAVE") && save is null) { save = false; }
            else if (Args.Is(c[i], "SAVE") && save is null) { save = true; }
            else if (Args.Is(c[i], "FORCE")) { force = true; }
            else if (!Args.Is(c[i], "NOW")) { s.Reply.Error(Args.Syntax); return; }
        }
        if (s.Server.RequestShutdown is not { } stop) { s.Reply.Error("ERR SHUTDOWN is not available in this host"); return; }
        if (s.Server.Loading is not null) { save = false; } // half a dataset is not saved over the whole one, as in Redis
        s.Server.Process?.Stopping();
        if (!s.Server.Persistence.SaveForShutdown(save))
        {
            s.Server.Log.LogWarning(force ? "Error trying to save the DB. Exit anyway." : "Error trying to save the DB, can't exit.");
            if (!force)
            {
                s.Reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
                return;
            }
        }
        s.Server.Persistence.SavedForShutdown = true;
        stop();
    }

    /// <summary>DEBUG RELOAD: save, then load what was saved.</summary>
    public static void Reload(Session s) => Reply(s, s.Server.Persistence.Reload(s.Client?.Loop), "OK");

    /// <summary>DEBUG POPULATE count [prefix] [size]: keys prefix:0.. holding value:0.. (padded or cut to size), existing ones left alone.</summary>
    public static void Populate(Session s, RespCommand c)
    {
        if (!Args.TryLong(c[2], out var count) || count < 0) { s.Reply.Error("ERR value is out of range, must be positive"); return; }
        var prefix = c.Count > 3 ? Args.Text(c[3]) : "key";
        var size = -1L;
        if (c.Count > 4 && (!Args.TryLong(c[4], out size) || size < 0)) { s.Reply.Error("ERR value is out of range, must be positive"); return; }
        using (s.Server.Keyspace.Lock.Exclusive())
        {
            for (var i = 0L; i < count; i++)
            {
                var key = System.Text.Encoding.ASCII.GetBytes($"{prefix}:{i}");
                if (s.Db.Get(key) is not null) { continue; }
                var value = System.Text.Encoding.ASCII.GetBytes($"value:{i}");
                if (size >= 0) { Array.Resize(ref value, (int)size); }
                s.Db.Set(key, value);
            }
        }
        s.Reply.Ok();
    }
}
