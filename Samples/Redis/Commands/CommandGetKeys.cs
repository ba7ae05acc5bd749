using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// COMMAND GETKEYS and GETKEYSANDFLAGS <c>cmd arg...</c>: the keys the table's <see cref="KeySpec"/> finds in that
/// command, as anything routing by key would, refused in Redis's words (getKeysSubcommandImpl); with flags, each key
/// with the flags of the recorded key spec that finds it.
/// </summary>
internal static class CommandGetKeys
{
    private static readonly string[] Overwritten = ["OW", "update"], ReadAndWritten = ["RW", "access", "update"], Read = ["RO", "access"];

    public static void Write(Session s, RespCommand c, bool withFlags)
    {
        var command = c.Skip(2);
        var spec = s.Server.Commands.Find(command[0]);
        // A container's subcommand is named by the next argument: COMMAND GETKEYS MEMORY USAGE k asks about memory|usage.
        var recorded = spec?.Recorded is { Subcommands.Length: > 0 } container ? container.Subcommand(command[1]) : spec?.Recorded;
        if (spec is null || recorded is null) { s.Reply.Error("ERR Invalid command specified"); return; }
        if (!recorded.HasKeys) { s.Reply.Error("ERR The command has no key arguments"); return; }
        if (!recorded.AcceptsArgumentCount(command.Count)) { s.Reply.Error("ERR Invalid number of arguments specified for command"); return; }
        var count = 0;
        foreach (var _ in spec.Keys.Of(command)) { count++; }
        if (count == 0)
        {
            if (recorded.HasFlag("no_mandatory_keys")) { s.Reply.Array(0); } else { s.Reply.Error("ERR Invalid arguments specified for command"); }
            return;
        }
        s.Reply.Array(count);
        foreach (var position in spec.Keys.Of(command))
        {
            if (!withFlags) { s.Reply.Bulk(command[position]); continue; }
            s.Reply.Array(2);
            s.Reply.Bulk(command[position]);
            var flags = Flags(recorded, spec.Keys, command, position);
            s.Reply.Set(flags.Length);
            foreach (var flag in flags) { s.Reply.SimpleString(flag); }
        }
    }

    // As Redis's getKeysFromCommandWithSpecs tells a key's flags: the arguments decide them where a spec's flags vary
    // (SET, BITFIELD); otherwise the first spec that finds the key gives them (less "incomplete": Redis then asks the
    // command's own key finder, which gives the same flags without it); SORT's finder marks its STORE key OW update.
    private static string[] Flags(RecordedCommand recorded, KeySpec keys, RespCommand command, int position)
    {
        if (recorded.HasVariableKeyFlags) { return recorded.Name == "set" ? SetFlags(command) : BitfieldFlags(command); }
        foreach (var spec in recorded.KeySpecs)
        {
            if (!spec.HasFlag("not_key") && spec.Finds(command, position)) { return spec.HasFlag("incomplete") ? [.. spec.Flags.Where(f => f != "incomplete")] : spec.Flags; }
        }
        return keys.Options == OptionKeys.SortPatternsAndStore ? Overwritten : [];
    }

    // SET reads the old value only with GET (setGetKeys: the word exactly, any case, anywhere after the value).
    private static string[] SetFlags(RespCommand command)
    {
        for (var i = 3; i < command.Count; i++)
        {
            if (Args.Is(command[i], "GET")) { return ReadAndWritten; }
        }
        return Overwritten;
    }

    // BITFIELD only reads when all it has is GETs and OVERFLOWs with their arguments (bitfieldGetKeys).
    private static string[] BitfieldFlags(RespCommand command)
    {
        for (var i = 2; i < command.Count; i++)
        {
            var remaining = command.Count - i - 1;
            if (Args.Is(command[i], "GET") && remaining >= 2) { i += 2; }
            else if (Args.Is(command[i], "OVERFLOW") && remaining >= 1) { i += 1; }
            else { return ReadAndWritten; }
        }
        return Read;
    }
}
