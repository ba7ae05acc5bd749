using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Commands;

/// <summary>CLIENT KILL, PAUSE, UNPAUSE, UNBLOCK and REPLY: what one client does to others (or to its own replies).</summary>
internal static class ClientAdmin
{
    /// <summary>
    /// CLIENT KILL addr:port (OK, or No such client; may kill the caller) or CLIENT KILL filter value ... (how many were
    /// killed; SKIPME yes by default). A client on another loop is closed there.
    /// </summary>
    public static void Kill(Session s, RespCommand c)
    {
        string? addr = null, laddr = null, type = null, user = null;
        long id = 0;
        var skipMe = c.Count != 3;
        if (c.Count == 3) { addr = Args.Text(c[2]); }
        for (var i = 2; c.Count > 3 && i < c.Count; i += 2)
        {
            var option = c[i];
            if (i + 1 >= c.Count) { s.Reply.Error(Args.Syntax); return; }
            var value = Args.Text(c[i + 1]);
            if (Args.Is(option, "ID"))
            {
                if (!Args.TryLong(c[i + 1], out id) || id < 1) { s.Reply.Error("ERR client-id should be greater than 0"); return; }
            }
            else if (Args.Is(option, "TYPE"))
            {
                type = ClientCommand.TypeNamed(value);
                if (type is null) { s.Reply.Error($"ERR Unknown client type '{value}'"); return; }
            }
            else if (Args.Is(option, "ADDR")) { addr = value; }
            else if (Args.Is(option, "LADDR")) { laddr = value; }
            else if (Args.Is(option, "USER"))
            {
                if (s.Server.Acl.Find(value) is null) { s.Reply.Error($"ERR No such user '{value}'"); return; }
                user = value;
            }
            else if (Args.Is(option, "SKIPME") && (Args.Is(c[i + 1], "YES") || Args.Is(c[i + 1], "NO"))) { skipMe = Args.Is(c[i + 1], "YES"); }
            else { s.Reply.Error(Args.Syntax); return; }
        }

        var killed = 0;
        var killsItself = false;
        foreach (var client in s.Server.Clients.Values)
        {
            if (!client.IsListed || (addr is not null && client.Peer != addr) || (laddr is not null && client.LocalAddress != laddr) ||
                (type is not null && type != ClientCommand.TypeOf(client)) || (user is not null && client.User.Name != user) || (id != 0 && client.Id != id) ||
                (client == s && skipMe))
            {
                continue;
            }
            if (client == s) { killsItself = true; } else { client.Kill(client.Id); }
            killed++;
        }
        if (c.Count != 3) { s.Reply.Integer(killed); }
        else if (killed == 0) { s.Reply.Error("ERR No such client"); }
        else { s.Reply.Ok(); }
        // After its reply, as Redis's CLIENT_CLOSE_AFTER_REPLY.
        if (killsItself) { s.Client.Close(CloseReason.Local); }
    }

    /// <summary>CLIENT PAUSE timeout [WRITE|ALL]: the timeout in milliseconds.</summary>
    public static void Pause(Session s, RespCommand c)
    {
        if (c.Count > 4) { s.Reply.Error(Subcommands.Syntax(c[1], "CLIENT")); return; }
        if (Args.TimeoutError(c[2], out var milliseconds) is { } error) { s.Reply.Error(error); return; }
        var writesOnly = c.Count == 4 && Args.Is(c[3], "WRITE");
        if (c.Count == 4 && !writesOnly && !Args.Is(c[3], "ALL")) { s.Reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL"); return; }
        s.Server.ClientPause.Pause(milliseconds, writesOnly);
        s.Reply.Ok();
    }

    /// <summary>CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 when that client was waiting in a blocking command, else 0.</summary>
    public static void Unblock(Session s, RespCommand c)
    {
        if (c.Count > 4) { s.Reply.Error(Subcommands.Syntax(c[1], "CLIENT")); return; }
        var withError = c.Count == 4 && Args.Is(c[3], "ERROR");
        if (c.Count == 4 && !withError && !Args.Is(c[3], "TIMEOUT")) { s.Reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"); return; }
        if (!Args.TryLong(c[2], out var id)) { s.Reply.Error(Args.NotInteger); return; }
        var unblocked = s.Server.Clients.TryGetValue(id, out var target) && target.UnblockWait(withError ? "UNBLOCKED client unblocked via CLIENT UNBLOCK" : null);
        s.Reply.Integer(unblocked ? 1 : 0);
    }

    /// <summary>CLIENT REPLY ON|OFF|SKIP: only ON replies (OK).</summary>
    public static void Reply(Session s, RespCommand c)
    {
        if (c.Count != 3) { s.Reply.Error(Subcommands.Syntax(c[1], "CLIENT")); return; }
        if (Args.Is(c[2], "ON"))
        {
            s.SetReplyMode(ReplyMode.On);
            s.Reply.Ok();
        }
        else if (Args.Is(c[2], "OFF")) { s.SetReplyMode(ReplyMode.Off); }
        else if (Args.Is(c[2], "SKIP")) { s.SetReplyMode(ReplyMode.SkipNext); }
        else { s.Reply.Error(Args.Syntax); }
    }
}
