using System.Security.Cryptography;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Acl;
using Loop.Samples.Redis.Server;
using Microsoft.Extensions.Logging;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>ACL and its subcommands, answered as Redis 7.0's aclCommand (without selectors).</summary>
internal static class AclCommand
{
    public static void Register(CommandTable t) => t.Add("acl", -2, NoScript | NoKeyspace, 0, 0, 0, Acl);

    private static void Acl(Session s, RespCommand c)
    {
        var users = s.Server.Acl;
        if (Args.Is(c[1], "SETUSER") && c.Count >= 3) { SetUser(s, c); }
        else if (Args.Is(c[1], "DELUSER") && c.Count >= 3) { DeleteUsers(s, c); }
        else if (Args.Is(c[1], "GETUSER") && c.Count == 3) { GetUser(s, users.Find(Args.Text(c[2]))); }
        else if ((Args.Is(c[1], "LIST") || Args.Is(c[1], "USERS")) && c.Count == 2)
        {
            var all = users.All;
            s.Reply.Array(all.Count);
            foreach (var user in all) { s.Reply.Bulk(Args.Is(c[1], "USERS") ? user.Name : user.Line); }
        }
        else if (Args.Is(c[1], "WHOAMI") && c.Count == 2) { s.Reply.Bulk(s.User.Name); }
        else if ((Args.Is(c[1], "LOAD") || Args.Is(c[1], "SAVE")) && s.Server.Config.Get("aclfile").Length == 0)
        {
            s.Reply.Error("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.");
        }
        else if (Args.Is(c[1], "LOAD") && c.Count == 2) { Load(s); }
        else if (Args.Is(c[1], "SAVE") && c.Count == 2) { Save(s); }
        else if (Args.Is(c[1], "CAT") && c.Count == 2)
        {
            s.Reply.Array(AclRules.Categories.Length);
            foreach (var category in AclRules.Categories) { s.Reply.Bulk(category); }
        }
        else if (Args.Is(c[1], "CAT") && c.Count == 3)
        {
            var category = Args.Text(c[2]);
            if (!AclRules.Categories.Contains(category, StringComparer.OrdinalIgnoreCase)) { s.Reply.Error($"ERR Unknown category '{(category.Length > 128 ? category[..128] : category)}'"); return; }
            CommandInfo.WriteNames(s, CommandInfo.InCategory(category));
        }
        else if (Args.Is(c[1], "GENPASS") && c.Count is 2 or 3) { GeneratePassword(s, c); }
        else if (Args.Is(c[1], "LOG") && c.Count is 2 or 3) { Log(s, c); }
        else if (Args.Is(c[1], "DRYRUN") && c.Count >= 4) { DryRun(s, c); }
        else if (Args.Is(c[1], "HELP") && c.Count == 2) { Subcommands.WriteHelp(s, Help); }
        else { s.Reply.Error(Subcommands.Syntax(c[1], "ACL")); }
    }

    private static void SetUser(Session s, RespCommand c)
    {
        var name = Args.Text(c[2]);
        if (name.Any(ch => ch is ' ' or '\0')) { s.Reply.Error("ERR Usernames can't contain spaces or null characters"); return; }
        var ops = new List<string>();
        for (var i = 3; i < c.Count; i++) { ops.Add(Args.Text(c[i])); }
        // New users start with acl-pubsub-default's channels.
        if (s.Server.Acl.Find(name) is null && s.Server.Config.Get("acl-pubsub-default") == "allchannels") { ops.Insert(0, "allchannels"); }
        if (s.Server.Acl.Set(name, ops, out var user) is { } error) { s.Reply.Error(error); return; }
        var rules = user!.Rules;
        // Redis's ACLKillPubsubClientsIfNeeded: a connection subscribed to a channel or pattern its user may no longer use is closed.
        var closesItself = !rules.AllChannels && CloseClients(s, client => client.User == user && client.Subscribed &&
            !(client.Subscriptions(Subscription.Channel).All(channel => rules.MayUseChannel(channel, isPattern: false)) &&
              client.Subscriptions(Subscription.Shard).All(channel => rules.MayUseChannel(channel, isPattern: false)) &&
              client.Subscriptions(Subscription.Pattern).All(pattern => rules.MayUseChannel(pattern, isPattern: true))));
        s.Reply.Ok();
        if (closesItself) { s.Client.Close(CloseReason.Local); }
    }

    private static void DeleteUsers(Session s, RespCommand c)
    {
        var names = new List<string>();
        for (var i = 2; i < c.Count; i++) { names.Add(Args.Text(c[i])); }
        if (names.Contains("default")) { s.Reply.Error("ERR The 'default' user cannot be removed"); return; }
        var deleted = s.Server.Acl.Delete(names);
        var closesItself = CloseClients(s, client => deleted.Contains(client.User));
        s.Reply.Integer(deleted.Count);
        if (closesItself) { s.Client.Close(CloseReason.Local); }
    }

    // Closes the clients that match, each on its loop (as CLIENT KILL does); true when the caller is one of them, to be
    // closed once its reply is written (Redis's CLIENT_CLOSE_AFTER_REPLY).
    private static bool CloseClients(Session s, Func<Session, bool> closes)
    {
        var closesItself = false;
        foreach (var client in s.Server.Clients.Values)
        {
            if (!closes(client)) { continue; }
            if (client == s) { closesItself = true; } else { client.Kill(client.Id); }
        }
        return closesItself;
    }

    private static void Load(Session s)
    {
        if (s.Server.Acl.Load(s.Server.Config.Get("aclfile"), out var removed) is { } error) { s.Reply.Error("ERR " + error); return; }
        var closesItself = CloseClients(s, client => removed.Contains(client.User));
        s.Reply.Ok();
        if (closesItself) { s.Client.Close(CloseReason.Local); }
    }

    private static void Save(Session s)
    {
        try
        {
            s.Server.Acl.Save(s.Server.Config.Get("aclfile"));
            s.Reply.Ok();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            s.Server.Log.LogWarning("Opening temp ACL file for ACL SAVE: {Message}", e.Message);
            s.Reply.Error("ERR There was an error trying to save the ACLs. Please check the server logs for more information");
        }
    }

    private static void GetUser(Session s, AclUser? user)
    {
        if (user is null) { s.Reply.Null(); return; }
        var rules = user.Rules;
        var flags = rules.Flags.ToList();
        s.Reply.Map(6);
        s.Reply.Bulk("flags"u8);
        s.Reply.Set(flags.Count);
        foreach (var flag in flags) { s.Reply.Bulk(flag); }
        s.Reply.Bulk("passwords"u8);
        s.Reply.Array(rules.Passwords.Count);
        foreach (var hash in rules.Passwords) { s.Reply.Bulk(hash); }
        s.Reply.Bulk("commands"u8);
        s.Reply.Bulk(rules.DescribeCommands());
        s.Reply.Bulk("keys"u8);
        s.Reply.Bulk(rules.DescribeKeys());
        s.Reply.Bulk("channels"u8);
        s.Reply.Bulk(rules.DescribeChannels());
        s.Reply.Bulk("selectors"u8);
        s.Reply.Array(0);
    }

    private static void GeneratePassword(Session s, RespCommand c)
    {
        var bits = 256L;
        if (c.Count == 3 && !Args.TryLong(c[2], out bits)) { s.Reply.Error(Args.NotInteger); return; }
        if (bits is <= 0 or > 4096) { s.Reply.Error("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"); return; }
        var chars = (int)(bits + 3) / 4;
        s.Reply.Bulk(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes((chars + 1) / 2))[..chars]);
    }

    private static void Log(Session s, RespCommand c)
    {
        var count = 10L;
        if (c.Count == 3 && Args.Is(c[2], "RESET"))
        {
            s.Server.Acl.Log.Reset();
            s.Reply.Ok();
            return;
        }
        if (c.Count == 3 && !Args.TryLong(c[2], out count)) { s.Reply.Error(Args.NotInteger); return; }
        var entries = s.Server.Acl.Log.Newest(Math.Max(count, 0));
        s.Reply.Array(entries.Count);
        foreach (var (entry, age) in entries)
        {
            s.Reply.Map(7);
            s.Reply.Bulk("count"u8);
            s.Reply.Integer(entry.Count);
            s.Reply.Bulk("reason"u8);
            s.Reply.Bulk(entry.Reason.ToString().ToLowerInvariant());
            s.Reply.Bulk("context"u8);
            s.Reply.Bulk(entry.Context);
            s.Reply.Bulk("object"u8);
            s.Reply.Bulk(entry.Object);
            s.Reply.Bulk("username"u8);
            s.Reply.Bulk(entry.User);
            s.Reply.Bulk("age-seconds"u8);
            s.Reply.Double(age);
            s.Reply.Bulk("client-info"u8);
            s.Reply.Bulk(entry.ClientInfo);
        }
    }

    // ACL DRYRUN user command [arg ...]: whether the user could run it, without running it.
    private static void DryRun(Session s, RespCommand c)
    {
        var name = Args.Text(c[2]);
        if (s.Server.Acl.Find(name) is not { } user) { s.Reply.Error($"ERR User '{name}' not found"); return; }
        var command = c.Skip(3);
        if (s.Server.Commands.Find(command[0]) is not { } spec || spec.CountedAs(command) is not { } called)
        {
            s.Reply.Error($"ERR Command '{Args.Text(command[0])}' not found");
            return;
        }
        if (!spec.AcceptsArgumentCount(command.Count) || !called.AcceptsArgumentCount(command.Count))
        {
            s.Reply.Error($"ERR wrong number of arguments for '{called.Name}' command");
            return;
        }
        switch (Session.AclDenied(user.Rules, spec, called, command))
        {
            case null: s.Reply.Ok(); break;
            case (AclDenial.Command, _): s.Reply.Bulk($"This user has no permissions to run the '{called.Name}' command"); break;
            case (AclDenial.Key, var at): s.Reply.Bulk($"This user has no permissions to access the '{Args.Text(command[at])}' key"); break;
            case (_, var at): s.Reply.Bulk($"This user has no permissions to access the '{Args.Text(command[at])}' channel"); break;
        }
    }

    private static readonly string[] Help =
    [
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Prints this help.",
    ];
}
