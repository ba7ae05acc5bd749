using System.Diagnostics;
using System.Text;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>CLIENT SETNAME, GETNAME, SETINFO, ID, LIST, INFO, NO-EVICT, NO-TOUCH.</summary>
internal static class ClientCommand
{
    public static void Register(CommandTable t) => t.Add("client", -2, NoAuth | NoKeyspace, 0, 0, 0, Client);

    private static void Client(Session s, RespCommand c)
    {
        var sub = c[1];
        if (!s.Authenticated && !Args.Is(sub, "SETINFO")) { s.Reply.Error("NOAUTH Authentication required."); return; }
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
        else if (Args.Is(sub, "SETINFO") && c.Count == 4)
        {
            if (Args.Is(c[2], "LIB-NAME")) { s.LibName = Args.Text(c[3]); }
            else if (Args.Is(c[2], "LIB-VER")) { s.LibVersion = Args.Text(c[3]); }
            else { s.Reply.Error($"ERR Unrecognized option '{Args.Text(c[2])}'"); return; }
            s.Reply.Ok();
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
            foreach (var client in s.Server.Clients.Values.OrderBy(x => x.Id)) { text.Append(Describe(client)).Append('\n'); }
            s.Reply.Bulk(text.ToString());
        }
        else if ((Args.Is(sub, "NO-EVICT") || Args.Is(sub, "NO-TOUCH")) && c.Count == 3)
        {
            s.Reply.Ok();
        }
        else
        {
            s.Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{Args.Text(sub)}'. Try CLIENT HELP.");
        }
    }

    // The fields of Redis's CLIENT LIST line that mean something here.
    private static string Describe(Session client)
    {
        var now = Clock.NowMs;
        return $"id={client.Id} addr={client.Peer} laddr={client.Server.Options.Bind}:{client.Server.Options.Port} fd=-1 name={client.Name} " +
            $"age={(now - client.CreatedAtMs) / 1000} idle={(long)Stopwatch.GetElapsedTime(client.LastCommandAt).TotalSeconds} flags={(client.InMulti ? "x" : "N")} " +
            $"db={client.Db.Index} sub={client.SubscriptionCount} psub=0 ssub=0 multi={(client.InMulti ? 0 : -1)} watch=0 " +
            $"cmd={client.LastCommand} user=default redir=-1 resp={client.Reply.Protocol} lib-name={client.LibName} lib-ver={client.LibVersion}";
    }
}
