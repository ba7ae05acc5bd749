using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>PING, ECHO, QUIT, SELECT, HELLO, AUTH, RESET, MONITOR.</summary>
internal static class ConnectionCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("ping", -1, Fast | InSubscribedContext | NoKeyspace, 0, 0, 0, Ping);
        t.Add("echo", 2, Fast | NoKeyspace, 0, 0, 0, Echo);
        t.Add("quit", -1, NoScript | Fast | NoAuth | InSubscribedContext | NotQueued | NoKeyspace, 0, 0, 0, Quit);
        t.Add("select", 2, Fast | NoKeyspace, 0, 0, 0, Select);
        t.Add("hello", -1, NoScript | Fast | NoAuth | NoKeyspace, 0, 0, 0, Hello);
        t.Add("auth", -2, NoScript | Fast | NoAuth | NoKeyspace, 0, 0, 0, Auth);
        t.Add("reset", 1, NoScript | Fast | NoAuth | InSubscribedContext | NotQueued, 0, 0, 0, Reset);
        t.Add("monitor", 1, NoScript | NoKeyspace, 0, 0, 0, Monitor);
        ClientCommand.Register(t);
    }

    private static void Ping(Session s, RespCommand c)
    {
        if (c.Count > 2) { s.Reply.Error(Args.WrongArgumentCount("ping")); return; }
        if (s.Subscribed && s.Reply.Protocol == 2)
        {
            // Subscribed RESP2 connections get PING's answer in the shape of a pub/sub message.
            s.Reply.Array(2);
            s.Reply.Bulk("pong"u8);
            s.Reply.Bulk(c.Count == 2 ? c[1] : default);
            return;
        }
        if (c.Count == 2) { s.Reply.Bulk(c[1]); } else { s.Reply.SimpleString("PONG"u8); }
    }

    private static void Echo(Session s, RespCommand c) => s.Reply.Bulk(c[1]);

    private static void Quit(Session s, RespCommand c)
    {
        s.Reply.Ok();
        s.Client.Close();
    }

    // As Redis: a client already monitoring gets no reply at all; EXEC's commands must each answer, so none may monitor.
    private static void Monitor(Session s, RespCommand c)
    {
        if (s.InExec) { s.Reply.Error("ERR MONITOR isn't allowed for DENY BLOCKING client"); return; }
        if (s.StartMonitoring()) { s.Reply.Ok(); }
    }

    private static void Select(Session s, RespCommand c)
    {
        if (!KeyCommands.TryDatabase(s, c[1], out var db)) { return; }
        s.Select(db.Index);
        s.Reply.Ok();
    }

    private const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";

    private static void Auth(Session s, RespCommand c)
    {
        if (c.Count > 3) { s.Reply.Error(Args.Syntax); return; }
        if (c.Count == 2 && s.Server.Acl.Default.Rules.NoPass)
        {
            s.Reply.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
            return;
        }
        if (!s.TrySignIn(c.Count == 3 ? Args.Text(c[1]) : "default", Args.Text(c[c.Count - 1]), Args.Text(c[0])))
        {
            s.Reply.Error(WrongPass);
            return;
        }
        s.Reply.Ok();
    }

    private static void Hello(Session s, RespCommand c)
    {
        var protocol = s.Reply.Protocol;
        var i = 1;
        if (c.Count > 1)
        {
            if (!Args.TryLong(c[1], out var version)) { s.Reply.Error("ERR Protocol version is not an integer or out of range"); return; }
            if (version is < 2 or > 3) { s.Reply.Error("NOPROTO unsupported protocol version"); return; }
            protocol = (int)version;
            i = 2;
        }
        string? name = null;
        for (; i < c.Count; i++)
        {
            if (Args.Is(c[i], "AUTH") && i + 2 < c.Count)
            {
                if (!s.TrySignIn(Args.Text(c[i + 1]), Args.Text(c[i + 2]), Args.Text(c[0])))
                {
                    s.Reply.Error(WrongPass);
                    return;
                }
                i += 2;
            }
            else if (Args.Is(c[i], "SETNAME") && i + 1 < c.Count)
            {
                name = Args.Text(c[++i]);
            }
            else
            {
                s.Reply.Error($"ERR Syntax error in HELLO option '{Args.Text(c[i])}'");
                return;
            }
        }
        if (!s.Authenticated) { s.Reply.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"); return; }
        if (name is not null) { s.Name = name; }
        s.Reply.Protocol = protocol;
        s.Reply.Map(7);
        s.Reply.Bulk("server"u8); s.Reply.Bulk("redis"u8);
        s.Reply.Bulk("version"u8); s.Reply.Bulk(RedisVersion.Text);
        s.Reply.Bulk("proto"u8); s.Reply.Integer(protocol);
        s.Reply.Bulk("id"u8); s.Reply.Integer(s.Id);
        s.Reply.Bulk("mode"u8); s.Reply.Bulk("standalone"u8);
        s.Reply.Bulk("role"u8); s.Reply.Bulk("master"u8);
        s.Reply.Bulk("modules"u8); s.Reply.Array(0);
    }

    private static void Reset(Session s, RespCommand c)
    {
        s.EndTransaction();
        s.Select(0);
        s.Reply.Protocol = 2;
        s.Name = "";
        s.SignInAsDefault();
        s.ResetSubscriptions();
        s.StopMonitoring();
        s.StopTracking();
        s.SetReplyMode(ReplyMode.On);
        s.Reply.SimpleString("RESET"u8);
    }
}
