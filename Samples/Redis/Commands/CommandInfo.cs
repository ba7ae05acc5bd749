using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// COMMAND and its subcommands: the table described to clients as redis-server 7.0.15 describes it, from its recorded
/// replies (<see cref="RecordedCommands"/>), for the commands this server's table has; GETKEYS and GETKEYSANDFLAGS
/// in <see cref="CommandGetKeys"/>.
/// </summary>
internal static class CommandInfo
{
    private static readonly RecordedCommand Recorded = RecordedCommands.Get("command");

    private static readonly string[] Help =
    [
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Prints this help.",
    ];

    public static void Command(Session s, RespCommand c)
    {
        var table = s.Server.Commands;
        if (c.Count == 1) { WriteInfos(s, table); return; }
        // As Redis dispatches a container's subcommands: an unknown one, or one given the wrong number of arguments, is refused.
        if (Recorded.Subcommand(c[1]) is not { } sub) { s.Reply.Error(Subcommands.Unknown(c[1], "COMMAND")); return; }
        if (!sub.AcceptsArgumentCount(c.Count)) { s.Reply.Error(Args.WrongArgumentCount(sub.Name)); return; }
        switch (sub.Name)
        {
            case "command|count": s.Reply.Integer(table.Count); break;
            case "command|list": List(s, c); break;
            case "command|info" when c.Count == 2: WriteInfos(s, table); break;
            case "command|info":
                s.Reply.Array(c.Count - 2);
                for (var i = 2; i < c.Count; i++)
                {
                    if (RecordedCommands.Find(c[i]) is { } command) { s.Reply.Resp3(command.Info.Span); } else { s.Reply.Null(); }
                }
                break;
            case "command|docs": Docs(s, c); break;
            case "command|getkeys": CommandGetKeys.Write(s, c, withFlags: false); break;
            case "command|getkeysandflags": CommandGetKeys.Write(s, c, withFlags: true); break;
            case "command|help": Subcommands.WriteHelp(s, Help); break;
        }
    }

    // Every command of the table, as Redis lists its dictionary (in no promised order).
    private static void WriteInfos(Session s, CommandTable table)
    {
        s.Reply.Array(table.Count);
        foreach (var spec in table.All) { s.Reply.Resp3(spec.Recorded.Info.Span); }
    }

    private static void Docs(Session s, RespCommand c)
    {
        var table = s.Server.Commands;
        if (c.Count == 2)
        {
            s.Reply.Map(table.Count);
            foreach (var spec in table.All) { WriteDocs(s, spec.Recorded); }
            return;
        }
        // Names not found are left out.
        var found = 0;
        for (var i = 2; i < c.Count; i++) { found += RecordedCommands.Find(c[i]) is null ? 0 : 1; }
        s.Reply.Map(found);
        for (var i = 2; i < c.Count; i++)
        {
            if (RecordedCommands.Find(c[i]) is { } command) { WriteDocs(s, command); }
        }
    }

    private static void WriteDocs(Session s, RecordedCommand command)
    {
        s.Reply.Bulk(command.Name);
        s.Reply.Resp3(command.Docs.Span);
    }

    // LIST [FILTERBY MODULE name|ACLCAT category|PATTERN pattern].
    private static void List(Session s, RespCommand c)
    {
        Func<RecordedCommand, bool> listed = _ => true;
        if (c.Count > 2)
        {
            if (c.Count != 5 || !Args.Is(c[2], "FILTERBY")) { s.Reply.Error(Args.Syntax); return; }
            var argument = c[4].ToArray();
            if (Args.Is(c[3], "MODULE")) { listed = _ => false; }
            else if (Args.Is(c[3], "ACLCAT")) { listed = InCategory(Args.Text(argument)); }
            else if (Args.Is(c[3], "PATTERN")) { listed = command => Glob.Match(argument, System.Text.Encoding.ASCII.GetBytes(command.Name), ignoreCase: true); }
            else { s.Reply.Error(Args.Syntax); return; }
        }
        WriteNames(s, listed);
    }

    /// <summary>Whether a command is in an ACL category (<c>list</c>, any case; no command is in one that does not exist).</summary>
    public static Func<RecordedCommand, bool> InCategory(string category) =>
        command => command.AclCategories.Any(listed => listed.AsSpan(1).Equals(category, StringComparison.OrdinalIgnoreCase));

    /// <summary>The names of the commands <paramref name="listed"/> takes, each followed by those of its subcommands it takes.</summary>
    public static void WriteNames(Session s, Func<RecordedCommand, bool> listed)
    {
        var names = new List<string>();
        foreach (var spec in s.Server.Commands.All)
        {
            if (listed(spec.Recorded)) { names.Add(spec.Recorded.Name); }
            names.AddRange(spec.Recorded.Subcommands.Where(listed).Select(sub => sub.Name));
        }
        s.Reply.Array(names.Count);
        foreach (var name in names) { s.Reply.Bulk(name); }
    }
}
