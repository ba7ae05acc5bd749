using System.Diagnostics;
using System.Text;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// CLIENT SETNAME, GETNAME, ID, LIST, INFO, NO-EVICT, HELP, and (in <see cref="ClientAdmin"/>) KILL,
/// PAUSE, UNPAUSE, UNBLOCK, REPLY, and (in <see cref="ClientTracking"/>) TRACKING, CACHING, GETREDIR, TRACKINGINFO.
/// </summary>
internal static class ClientCommand
{
    private static readonly string[] Help =
    [
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(CommandTable t) => t.Add("client", -2, NoScript | NoKeyspace, 0, 0, 0, Client);

    private static void Client(Session s, RespCommand c)
    {
        var sub = c[1];
        if (!s.Authenticated) { s.Reply.Error("NOAUTH Authentication required."); return; }
        if (Args.Is(sub, "SETNAME") && c.Count == 3)
        {
            var name = Args.Text(c[2]);
            if (name.Any(ch => ch <= ' ' || ch > '~')) { s.Reply.Error("ERR Client names cannot contain spaces, newlines or special characters."); return; }
            s.Name = name;
            s.Reply.Ok();
        }
        else if (Args.Is(sub, "GETNAME") && c.Count == 2)
        {
            if (s.Name.Length == 0) { s.Reply.Null(); } else { s.Reply.Bulk(s.Name); }
        }
        else if (Args.Is(sub, "ID") && c.Count == 2)
        {
            s.Reply.Integer(s.Id);
        }
        else if (Args.Is(sub, "INFO") && c.Count == 2)
        {
            s.Reply.Bulk(Describe(s) + "\n");
        }
        else if (Args.Is(sub, "LIST")) { List(s, c); }
        else if (Args.Is(sub, "NO-EVICT") && c.Count == 3)
        {
            if (Args.Is(c[2], "ON") || Args.Is(c[2], "OFF")) { s.Reply.Ok(); } else { s.Reply.Error(Args.Syntax); }
        }
        else if (Args.Is(sub, "KILL") && c.Count >= 3) { ClientAdmin.Kill(s, c); }
        else if (Args.Is(sub, "PAUSE") && c.Count >= 3) { ClientAdmin.Pause(s, c); }
        else if (Args.Is(sub, "UNPAUSE") && c.Count == 2)
        {
            s.Server.ClientPause.Unpause();
            s.Reply.Ok();
        }
        else if (Args.Is(sub, "UNBLOCK") && c.Count >= 3) { ClientAdmin.Unblock(s, c); }
        else if (Args.Is(sub, "REPLY")) { ClientAdmin.Reply(s, c); }
        else if (Args.Is(sub, "TRACKING") && c.Count >= 3) { ClientTracking.Tracking(s, c); }
        else if (Args.Is(sub, "CACHING") && c.Count >= 3) { ClientTracking.Caching(s, c); }
        else if (Args.Is(sub, "GETREDIR") && c.Count == 2) { s.Reply.Integer(s.TrackingRedirect); }
        else if (Args.Is(sub, "TRACKINGINFO") && c.Count == 2) { ClientTracking.Info(s); }
        else if (Args.Is(sub, "HELP") && c.Count == 2) { Subcommands.WriteHelp(s, Help); }
        else if (Subcommands70.Contains(Args.Text(sub).ToLowerInvariant()))
        {
            s.Reply.Error($"ERR wrong number of arguments for 'client|{Args.Text(sub).ToLowerInvariant()}' command");
        }
        else { s.Reply.Error(Subcommands.Unknown(sub, "CLIENT")); }
    }

    // CLIENT LIST [TYPE type | ID id ...]: every client, those of a type, or those of the ids given (in their order).
    private static void List(Session s, RespCommand c)
    {
        IEnumerable<Session> clients = s.Server.Clients.Values.Where(x => x.IsListed).OrderBy(x => x.Id);
        if (c.Count == 4 && Args.Is(c[2], "TYPE"))
        {
            if (TypeNamed(Args.Text(c[3])) is not { } type) { s.Reply.Error($"ERR Unknown client type '{Args.Text(c[3])}'"); return; }
            clients = clients.Where(client => TypeOf(client) == type);
        }
        else if (c.Count > 3 && Args.Is(c[2], "ID"))
        {
            var listed = new List<Session>();
            for (var i = 3; i < c.Count; i++)
            {
                if (!Args.TryLong(c[i], out var id)) { s.Reply.Error("ERR Invalid client ID"); return; }
                if (s.Server.Clients.TryGetValue(id, out var client) && client.IsListed) { listed.Add(client); }
            }
            clients = listed;
        }
        else if (c.Count != 2) { s.Reply.Error(Args.Syntax); return; }
        var text = new StringBuilder();
        foreach (var client in clients) { text.Append(Describe(client)).Append('\n'); }
        s.Reply.Bulk(text.ToString());
    }

    /// <summary>A client type as CLIENT LIST and KILL name it (replica and slave are one), or null when there is no such type.</summary>
    public static string? TypeNamed(string name) => name.ToLowerInvariant() switch
    {
        "normal" or "pubsub" or "master" => name.ToLowerInvariant(),
        "replica" or "slave" => "replica",
        _ => null,
    };

    /// <summary>Redis's getClientType: this replica's master, a replica, a pub/sub subscriber, or normal (a monitor too).</summary>
    public static string TypeOf(Session client) =>
        client.IsMasterClient ? "master" : client.AsReplica is not null ? "replica" : client.Subscribed ? "pubsub" : "normal";

    // Redis's flags that apply here, in its order: O a monitor, M the master, x in MULTI, t tracking, R its redirect gone,
    // B BCAST; N none.
    private static string Flags(Session client)
    {
        var tracking = client.Tracking;
        var flags = (client.IsMonitor ? "O" : "") + (client.IsMasterClient ? "M" : "") + (client.InMulti ? "x" : "") + ((tracking & TrackingModes.On) != 0 ? "t" : "") +
            ((tracking & TrackingModes.BrokenRedirect) != 0 ? "R" : "") + ((tracking & TrackingModes.Broadcast) != 0 ? "B" : "");
        return flags.Length == 0 ? "N" : flags;
    }

    // Redis 7.0's CLIENT subcommands this server answers (7.2's SETINFO and NO-TOUCH are unknown to it, as to 7.0).
    private static readonly HashSet<string> Subcommands70 =
        ["caching", "getname", "getredir", "help", "id", "info", "kill", "list", "no-evict", "pause", "reply", "setname", "tracking",
         "trackinginfo", "unblock", "unpause"];

    /// <summary>
    /// A client's line of CLIENT LIST, CLIENT INFO and the ACL LOG's client-info, without its newline: Redis 7.0's fields
    /// (watch, lib-name and lib-ver came with 7.2). The buffers are this server's: qbuf the received bytes not yet
    /// consumed (a running command's batch) and the room beside them, omem the output not yet sent (no fixed reply
    /// buffer: obl and oll 0, rbs and rbp the output's size now), argv-mem 0 between commands; no descriptor to show (fd=-1).
    /// </summary>
    public static string Describe(Session client)
    {
        var now = Clock.NowMs;
        var ((input, inputFree), output, queued) = (client.QueryBuffer, client.PendingOutput, client.QueuedBytes);
        return $"id={client.Id} addr={client.Peer} laddr={client.LocalAddress} fd=-1 name={client.Name} " +
            $"age={(now - client.CreatedAtMs) / 1000} idle={(long)Stopwatch.GetElapsedTime(client.LastCommandAt).TotalSeconds} flags={Flags(client)} " +
            $"db={client.Db.Index} sub={client.CountOf(Subscription.Channel)} psub={client.CountOf(Subscription.Pattern)} ssub={client.CountOf(Subscription.Shard)} multi={(client.InMulti ? client.QueuedCount : -1)} " +
            $"qbuf={input} qbuf-free={inputFree} argv-mem=0 multi-mem={queued} rbs={output} rbp={output} obl=0 oll=0 omem={output} " +
            $"tot-mem={input + inputFree + output + queued} events={(output > 0 ? "rw" : "r")} " +
            $"cmd={client.LastCommand} user={client.User.Name} redir={client.TrackingRedirect} resp={client.Reply.Protocol}";
    }
}
