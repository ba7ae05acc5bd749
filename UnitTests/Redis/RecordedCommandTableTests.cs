using Loop.Samples.Redis.Commands;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.UnitTests.Redis;

/// <summary>
/// The command table beside redis-server 7.0.15's as recorded in redis-commands.resp: what this server acts on (arity,
/// the flags it models, which arguments are keys) agrees with what COMMAND INFO tells clients, command by command.
/// </summary>
public sealed class RecordedCommandTableTests
{
    private static readonly (CommandFlags Flag, string Name)[] ModeledFlags =
        [(Write, "write"), (ReadOnly, "readonly"), (NoAuth, "no_auth"), (NoMulti, "no_multi"),
         (Blocking, "blocking"), (Fast, "fast"), (NoScript, "noscript")];

    private static CommandTable Table()
    {
        var table = new CommandTable();
        CommandFamilies.RegisterAll(table);
        return table;
    }

    [Fact]
    public void The_table_has_redis_servers_240_commands()
    {
        var table = Table();
        Assert.Equal(240, table.Count);
        Assert.Equal(RecordedCommands.All.Select(c => c.Name).Order(), table.All.Select(spec => spec.Recorded.Name).Order());
    }

    // A container (CONFIG, OBJECT, XINFO, ...) is one entry here for all its subcommands: it has no flag none of them
    // has (Redis's per-subcommand flags, such as FUNCTION LOAD's write, are not all acted on), and its keys where each
    // subcommand with keys has them.
    [Fact]
    public void Every_command_agrees_with_its_recording()
    {
        var differences = new List<string>();
        foreach (var spec in Table().All)
        {
            var recorded = spec.Recorded;
            RecordedCommand[] described = recorded.Subcommands.Length > 0 ? recorded.Subcommands : [recorded];
            if (spec.Arity != recorded.Arity) { differences.Add($"{spec.Name}: arity {spec.Arity}, recorded {recorded.Arity}"); }
            foreach (var (flag, name) in ModeledFlags)
            {
                var expected = described.Any(command => command.HasFlag(name));
                var agrees = recorded.Subcommands.Length > 0 ? expected || !spec.Flags.HasFlag(flag) : spec.Flags.HasFlag(flag) == expected;
                if (!agrees) { differences.Add($"{spec.Name}: {name} {spec.Flags.HasFlag(flag)}, recorded {expected}"); }
            }
            var keys = (spec.Keys.First, spec.Keys.Last, spec.Keys.Step);
            foreach (var command in described.Where(command => command.KeySpecs.Length > 0 || command == recorded))
            {
                var expected = (command.FirstKey, command.LastKey, command.KeyStep);
                if (keys != expected) { differences.Add($"{command.Name}: keys {keys}, recorded {expected}"); }
            }
            if (spec.Keys.Movable != recorded.HasFlag("movablekeys")) { differences.Add($"{spec.Name}: movable {spec.Keys.Movable}"); }
        }
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }
}
