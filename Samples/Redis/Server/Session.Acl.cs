using Loop.Protocols.Resp;
using Loop.Samples.Redis.Acl;
using Loop.Samples.Redis.Commands;

namespace Loop.Samples.Redis.Server;

// ACL: the user a connection is, and whether it may run a command (Redis's ACLCheckAllPerm). A user with every
// permission (the default one, unless changed) costs one field read per command.
internal sealed partial class Session
{
    /// <summary>The ACL user this connection runs commands as; a script client runs as its caller's.</summary>
    public AclUser User { get; set; } = null!;

    /// <summary>
    /// AUTH and HELLO AUTH (<paramref name="command"/>, as the ACL LOG names a failure): signs in as the user these
    /// credentials open; false, logged, when they open none.
    /// </summary>
    public bool TrySignIn(string user, string password, string command)
    {
        if (server.Acl.Authenticate(user, password) is { } opened)
        {
            (User, Authenticated) = (opened, true);
            return true;
        }
        LogDenial(AclDenial.Auth, InMulti ? "multi" : "toplevel", command, user, this);
        return false;
    }

    /// <summary>A new connection, and RESET: the default user, signed in when it is on and needs no password.</summary>
    public void SignInAsDefault()
    {
        User = server.Acl.Default;
        Authenticated = User.Rules is { Enabled: true, NoPass: true };
    }

    /// <summary>Why this user may not run the command, the ACL LOG told; null when it may.</summary>
    private string? AclRefusal(CommandSpec spec, CommandSpec called, RespCommand command) =>
        Refusal(spec, called, command, InMulti ? "multi" : "toplevel", this, denial => denial switch
        {
            AclDenial.Command => $"NOPERM this user has no permissions to run the '{called.Name}' command",
            AclDenial.Key => "NOPERM this user has no permissions to access one of the keys used as arguments",
            _ => "NOPERM this user has no permissions to access one of the channels used as arguments",
        });

    // EXEC checks each queued command again, in case the user's rules changed since it was queued (Redis's execCommand).
    private string? ExecAclRefusal(CommandSpec spec, RespCommand command) =>
        Refusal(spec, spec.CountedAs(command) ?? spec, command, "multi", this, denial => "NOPERM ACLs rules changed between the moment " +
            "the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: " + denial switch
        {
            AclDenial.Command => "no permission to execute the command or subcommand",
            AclDenial.Key => "no permission to touch the specified keys",
            _ => "no permission to access one of the channels used as arguments",
        });

    /// <summary>A script's call its user may not make: Redis's error for it, the ACL LOG told (as the caller's); else null.</summary>
    public string? ScriptAclRefusal(CommandSpec spec, CommandSpec called, RespCommand command) =>
        Refusal(spec, called, command, "lua", _scriptCaller ?? this, denial => "ERR The user executing the script " + denial switch
        {
            AclDenial.Command => "can't run this command or subcommand",
            AclDenial.Key => "can't access at least one of the keys mentioned in the command arguments",
            _ => "can't publish to the channel mentioned in the command",
        });

    // What this user's rules refuse of the command, worded for where it was refused, and logged as made there by
    // `client` (a script's caller); null when they allow it.
    private string? Refusal(CommandSpec spec, CommandSpec called, RespCommand command, string context, Session client, Func<AclDenial, string> words)
    {
        if (User.Rules.Unrestricted || AclDenied(User.Rules, spec, called, command) is not var (denial, position)) { return null; }
        LogDenial(denial, context, denial == AclDenial.Command ? called.Name : Args.Text(command[position]), User.Name, client);
        return words(denial);
    }

    private void LogDenial(AclDenial denial, string context, string @object, string user, Session client) =>
        server.Acl.Log.Add(denial, context, @object, user, ClientCommand.Describe(client), server.Config.GetNumber("acllog-max-len"));

    /// <summary>
    /// What <paramref name="rules"/> refuse of the command (the argument at fault for a key or channel), or null: the
    /// command or subcommand itself (unless AUTH-free), its keys for what it does with each (read, write, by its key
    /// specs), the channels it publishes or subscribes to. ACL DRYRUN asks this too.
    /// </summary>
    public static (AclDenial Denial, int Position)? AclDenied(AclRules rules, CommandSpec spec, CommandSpec called, RespCommand command)
    {
        if ((called.Flags & CommandFlags.NoAuth) == 0 && !rules.Allowed[called.Id]) { return (AclDenial.Command, 0); }
        if (!rules.AllKeys)
        {
            foreach (var position in spec.Keys.Of(command))
            {
                var (read, write) = KeyUse(called, command, position);
                if (!rules.MayUseKey(command[position], read, write)) { return (AclDenial.Key, position); }
            }
        }
        if (!rules.AllChannels && ChannelArguments(called.Name) is var (first, all, pattern))
        {
            for (var i = first; i < command.Count && (all || i == first); i++)
            {
                if (!rules.MayUseChannel(command[i], pattern)) { return (AclDenial.Channel, i); }
            }
        }
        return null;
    }

    // Whether the command reads and writes the key at `position`, from the flags of the key specs that find it (ACCESS:
    // read; INSERT, DELETE, UPDATE: write). SET and BITFIELD's flags depend on their arguments, as their getkeys say.
    private static (bool Read, bool Write) KeyUse(CommandSpec called, RespCommand command, int position)
    {
        if (called.Name == "set")
        {
            var get = false;
            for (var i = 3; i < command.Count; i++) { get |= Args.Is(command[i], "GET"); }
            return (get, true);
        }
        if (called.Name == "bitfield")
        {
            var readOnly = true;
            for (var i = 2; i < command.Count && readOnly; i++)
            {
                if (Args.Is(command[i], "GET")) { i += 2; } else { readOnly = false; }
            }
            if (readOnly) { return (true, false); }
        }
        var (read, write) = (false, false);
        foreach (var keySpec in called.Recorded.KeySpecs)
        {
            if (!keySpec.Finds(command, position)) { continue; }
            read |= keySpec.HasFlag("access");
            write |= keySpec.HasFlag("insert") || keySpec.HasFlag("delete") || keySpec.HasFlag("update");
        }
        return (read, write);
    }

    // The channels a command publishes or subscribes to: where they start, whether all the rest are channels, and
    // whether they are patterns (PSUBSCRIBE's must be listed as they are).
    private static (int First, bool All, bool Pattern)? ChannelArguments(string name) => name switch
    {
        "publish" or "spublish" => (1, false, false),
        "subscribe" or "ssubscribe" => (1, true, false),
        "psubscribe" => (1, true, true),
        _ => null,
    };
}
