using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Commands;

/// <summary>COMMAND, COMMAND COUNT, COMMAND INFO, COMMAND DOCS, COMMAND LIST: the table described to clients.</summary>
internal static class CommandInfo
{
    public static void Command(Session s, RespCommand c)
    {
        var table = s.Server.Commands;
        if (c.Count == 1) { WriteAll(s, table.All.ToList()); return; }
        var sub = c[1];
        if (Args.Is(sub, "COUNT") && c.Count == 2) { s.Reply.Integer(table.Count); }
        else if (Args.Is(sub, "LIST") && c.Count == 2)
        {
            s.Reply.Array(table.Count);
            foreach (var spec in table.All) { s.Reply.Bulk(spec.Name); }
        }
        else if (Args.Is(sub, "INFO"))
        {
            if (c.Count == 2) { WriteAll(s, table.All.ToList()); return; }
            s.Reply.Array(c.Count - 2);
            for (var i = 2; i < c.Count; i++)
            {
                if (table.Find(c[i]) is { } spec) { Write(s, spec); } else { s.Reply.NullArray(); }
            }
        }
        else if (Args.Is(sub, "GETKEYS"))
        {
            // COMMAND GETKEYS is its own command to Redis (arity -4): a command of no arguments cannot be asked about.
            if (c.Count < 4) { s.Reply.Error("ERR wrong number of arguments for 'command|getkeys' command"); }
            else { GetKeys(s, c); }
        }
        else if (Args.Is(sub, "DOCS"))
        {
            var specs = c.Count == 2 ? table.All.ToList() : [];
            for (var i = 2; i < c.Count; i++) { if (table.Find(c[i]) is { } spec) { specs.Add(spec); } }
            s.Reply.Map(specs.Count);
            foreach (var spec in specs)
            {
                s.Reply.Bulk(spec.Name);
                s.Reply.Map(2);
                s.Reply.Bulk("summary"u8); s.Reply.Bulk(spec.Name);
                s.Reply.Bulk("since"u8); s.Reply.Bulk("1.0.0"u8);
            }
        }
        else
        {
            s.Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{Args.Text(sub)}'. Try COMMAND HELP.");
        }
    }

    // COMMAND GETKEYS cmd arg...: the keys the table's key spec finds in that command, as anything routing by key would.
    private static void GetKeys(Session s, RespCommand c)
    {
        var spec = s.Server.Commands.Find(c[2]);
        if (spec is null) { s.Reply.Error("ERR Invalid command specified"); return; }
        var command = c.Skip(2);
        if (!spec.AcceptsArgumentCount(command.Count)) { s.Reply.Error("ERR Invalid number of arguments specified for command"); return; }
        var positions = new List<int>();
        foreach (var position in spec.Keys.Of(command)) { positions.Add(position); }
        if (positions.Count == 0) { s.Reply.Error("ERR The command has no key arguments"); return; }
        s.Reply.Array(positions.Count);
        foreach (var position in positions) { s.Reply.Bulk(command[position]); }
    }

    private static void WriteAll(Session s, List<CommandSpec> specs)
    {
        s.Reply.Array(specs.Count);
        foreach (var spec in specs) { Write(s, spec); }
    }

    // name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands.
    private static void Write(Session s, CommandSpec spec)
    {
        s.Reply.Array(10);
        s.Reply.Bulk(spec.Name);
        s.Reply.Integer(spec.Arity);
        var flags = Enum.GetValues<CommandFlags>().Where(f => f != CommandFlags.None && (f & CommandFlags.Internal) == 0 && spec.Flags.HasFlag(f))
            .Select(f => f == CommandFlags.NoAuth ? "no_auth" : f.ToString().ToLowerInvariant()).ToList();
        if (spec.Keys.Movable) { flags.Add("movablekeys"); }
        s.Reply.Set(flags.Count);
        foreach (var flag in flags) { s.Reply.SimpleString(flag); }
        s.Reply.Integer(spec.Keys.First);
        s.Reply.Integer(spec.Keys.Last);
        s.Reply.Integer(spec.Keys.Step);
        var description = CommandDescriptions.Of(spec.Name);
        var categories = description?.AclCategories ?? [];
        s.Reply.Set(categories.Length);
        foreach (var category in categories) { s.Reply.SimpleString(category); }
        s.Reply.Set(0);
        if (description is not null && spec.Keys.NumKeysAt > 0)
        {
            s.Reply.Set(1);
            WriteKeyCountSpec(s, description.KeyFlags, spec.Keys.NumKeysAt);
        }
        else { s.Reply.Set(0); }
        s.Reply.Set(0);
    }

    // Redis's key spec for keys that follow their count: the count at its index, the keys one after another from the next.
    private static void WriteKeyCountSpec(Session s, string[] flags, int numKeysAt)
    {
        s.Reply.Map(3);
        s.Reply.Bulk("flags"u8);
        s.Reply.Set(flags.Length);
        foreach (var flag in flags) { s.Reply.SimpleString(flag); }
        s.Reply.Bulk("begin_search"u8);
        s.Reply.Map(2);
        s.Reply.Bulk("type"u8); s.Reply.Bulk("index"u8);
        s.Reply.Bulk("spec"u8); s.Reply.Map(1); s.Reply.Bulk("index"u8); s.Reply.Integer(numKeysAt);
        s.Reply.Bulk("find_keys"u8);
        s.Reply.Map(2);
        s.Reply.Bulk("type"u8); s.Reply.Bulk("keynum"u8);
        s.Reply.Bulk("spec"u8); s.Reply.Map(3);
        s.Reply.Bulk("keynumidx"u8); s.Reply.Integer(0);
        s.Reply.Bulk("firstkey"u8); s.Reply.Integer(1);
        s.Reply.Bulk("keystep"u8); s.Reply.Integer(1);
    }
}
