using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Commands;

/// <summary>What container commands (SLOWLOG, LATENCY, CLIENT, DEBUG) answer as Redis's addReplyHelp and its subcommand errors do.</summary>
internal static class Subcommands
{
    /// <summary>HELP: each line a simple string.</summary>
    public static void WriteHelp(Session s, string[] lines)
    {
        s.Reply.Array(lines.Length);
        foreach (var line in lines) { s.Reply.SimpleString(line); }
    }

    /// <summary>A subcommand the container does not have.</summary>
    public static string Unknown(ReadOnlySpan<byte> sub, string container) => $"ERR unknown subcommand '{Args.Text(sub)}'. Try {container} HELP.";

    /// <summary>A known subcommand with arguments it does not take (addReplySubcommandSyntaxError).</summary>
    public static string Syntax(ReadOnlySpan<byte> sub, string container) =>
        $"ERR unknown subcommand or wrong number of arguments for '{Args.Text(sub)}'. Try {container} HELP.";
}
