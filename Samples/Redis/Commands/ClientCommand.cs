using System.Diagnostics;
using System.Text;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// CLIENT SETNAME, GETNAME, ID, LIST, INFO, NO-EVICT, HELP, and (in <see cref="ClientAdmin"/>) KILL,
/// PAUSE, UNPAUSE, UNBLOCK, REPLY. TRACKING is refused: no client-side caching here.
/// </summary>
internal static class ClientCommand
{
    private static readonly string[] Help =
    [
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
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
        "    Return information about client connections.",
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
        else if (Args.Is(sub, "LIST"))
        {
            var text = new StringBuilder();
            foreach (var client in s.Server.Clients.Values.Where(x => x.IsListed).OrderBy(x => x.Id)) { text.Append(Describe(client)).Append('\n'); }
            s.Reply.Bulk(text.ToString());
        }
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
        else if (Args.Is(sub, "TRACKING") && c.Count >= 3)
        {
            s.Reply.Error("ERR CLIENT TRACKING is not supported by this server");
        }
        else if (Args.Is(sub, "HELP") && c.Count == 2) { Subcommands.WriteHelp(s, Help); }
        else if (Subcommands70.Contains(Args.Text(sub).ToLowerInvariant()))
        {
            s.Reply.Error($"ERR wrong number of arguments for 'client|{Args.Text(sub).ToLowerInvariant()}' command");
        }
        else { s.Reply.Error(Subcommands.Unknown(sub, "CLIENT")); }
    }

    // Redis's flags that apply here: O a monitor, x in MULTI, N none.
    private static string Flags(Session client) => (client.IsMonitor, client.InMulti) switch
    {
        (true, true) => "Ox",
        (true, false) => "O",
        (false, true) => "x",
        _ => "N",
    };

    // Redis 7.0's CLIENT subcommands this server answers (7.2's SETINFO and NO-TOUCH are unknown to it, as to 7.0).
    private static readonly HashSet<string> Subcommands70 =
        ["getname", "help", "id", "info", "kill", "list", "no-evict", "pause", "reply", "setname", "unblock", "unpause"];

    // Redis 7.0's CLIENT LIST line (watch, lib-name and lib-ver came with 7.2). The buffers are this server's: qbuf the
    // received bytes not yet consumed (a running command's batch) and the room beside them, omem the output not yet
    // sent (no fixed reply buffer: obl and oll 0, rbs and rbp the output's size now), argv-mem 0 between commands; no
    // descriptor to show (fd=-1).
    private static string Describe(Session client)
    {
        var now = Clock.NowMs;
        var ((input, inputFree), output, queued) = (client.QueryBuffer, client.PendingOutput, client.QueuedBytes);
        return $"id={client.Id} addr={client.Peer} laddr={client.LocalAddress} fd=-1 name={client.Name} " +
            $"age={(now - client.CreatedAtMs) / 1000} idle={(long)Stopwatch.GetElapsedTime(client.LastCommandAt).TotalSeconds} flags={Flags(client)} " +
            $"db={client.Db.Index} sub={client.CountOf(Subscription.Channel)} psub={client.CountOf(Subscription.Pattern)} ssub={client.CountOf(Subscription.Shard)} multi={(client.InMulti ? client.QueuedCount : -1)} " +
            $"qbuf={input} qbuf-free={inputFree} argv-mem=0 multi-mem={queued} rbs={output} rbp={output} obl=0 oll=0 omem={output} " +
            $"tot-mem={input + inputFree + output + queued} events={(output > 0 ? "rw" : "r")} " +
            $"cmd={client.LastCommand} user=default redir=-1 resp={client.Reply.Protocol}";
    }
}
