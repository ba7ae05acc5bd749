using Loop.Protocols.Resp;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Commands;

/// <summary>Runs one command for a session, holding the keyspace as its keys need; writes exactly one reply.</summary>
internal delegate void CommandHandler(Session session, RespCommand command);

/// <summary>A question about one call of a command, asked before it runs.</summary>
internal delegate bool CommandPredicate(RespCommand command);

/// <summary>
/// What the server acts on when it dispatches a command. Redis's flags of the same names agree with redis-server's
/// recorded table (RecordedCommandTableTests); the others are this server's own. COMMAND INFO tells the recorded ones.
/// </summary>
[Flags]
internal enum CommandFlags
{
    None = 0,
    Write = 1 << 0,
    ReadOnly = 1 << 1,

    /// <summary>Allowed before AUTH when a password is required.</summary>
    NoAuth = 1 << 2,

    /// <summary>Refused inside MULTI: "Command not allowed inside a transaction" (SAVE, SHUTDOWN, SYNC, PSYNC).</summary>
    NoMulti = 1 << 3,
    Blocking = 1 << 4,
    Fast = 1 << 5,

    /// <summary>Refused when a script calls it (redis.call): "This Redis command is not allowed from script".</summary>
    NoScript = 1 << 6,

    /// <summary>Touches no key: runs without holding the keyspace (PING, PUBLISH, CLIENT). Not a Redis flag.</summary>
    NoKeyspace = 1 << 7,

    /// <summary>Holds the whole keyspace although it has keys (WATCH, MOVE, COPY: they touch more than their keys' stripes). Not a Redis flag.</summary>
    Exclusive = 1 << 8,

    /// <summary>Allowed while a RESP2 connection is subscribed: (P|S)(UN)SUBSCRIBE, PING, QUIT, RESET. Not a Redis flag.</summary>
    InSubscribedContext = 1 << 9,

    /// <summary>Runs at once inside MULTI instead of being queued: MULTI, EXEC, DISCARD, WATCH, QUIT, RESET, as Redis lists them in processCommand. Not a Redis flag.</summary>
    NotQueued = 1 << 10,
}

/// <summary>
/// A command as the server runs it: arity (negative: at least), flags and which arguments are keys; its
/// <paramref name="Id"/> (0, 1, ... in registration order) indexes the per-loop statistics.
/// </summary>
internal sealed record CommandSpec(string Name, int Arity, CommandFlags Flags, KeySpec Keys, CommandHandler Handler, int Id)
{
    /// <summary>
    /// For a blocking command that blocks only with an option (XREAD ... BLOCK): whether this call may block, and so must
    /// hold the whole keyspace. Unset, a blocking command always may.
    /// </summary>
    public CommandPredicate? MayBlockWhen { get; init; }

    /// <summary>
    /// Whether it writes depends on what it runs, as Redis's getCommandFlags finds it: EXEC its queue, a script the flags it
    /// declares (see Session.IsWrite).
    /// </summary>
    public bool WritesByContent { get; } = Name is "exec" or "eval" or "evalsha" or "eval_ro" or "evalsha_ro" or "fcall" or "fcall_ro";

    /// <summary>How the append-only file and the replication stream log it.</summary>
    public Propagation Propagation { get; } = AofPropagation.Of(Name);

    /// <summary>How redis-server 7.0.15 describes it (COMMAND INFO, DOCS); every command here is recorded there.</summary>
    public RecordedCommand Recorded { get; init; } = RecordedCommands.Get(Name);

    /// <summary>A script call (EVAL, FCALL: skip_monitor in Redis's table), shown to monitors before the commands it runs.</summary>
    public bool MonitoredBeforeItRuns => Recorded.HasFlag("skip_monitor");

    public bool MayBlock(RespCommand command) => (Flags & CommandFlags.Blocking) != 0 && (MayBlockWhen?.Invoke(command) ?? true);

    public bool AcceptsArgumentCount(int count) => Arity >= 0 ? count == Arity : count >= -Arity;

    /// <summary>
    /// A container's subcommands (config|get, ...), each with statistics of its own, as Redis counts them; null for
    /// other commands. See <see cref="CountedAs"/>.
    /// </summary>
    public CommandSpec[]? Subcommands { get; set; }

    /// <summary>
    /// Whose statistics this call counts in: its subcommand's (CONFIG GET: config|get); none for a container's
    /// subcommand it does not have (Redis refuses that before it runs); its own for any other command.
    /// </summary>
    public CommandSpec? CountedAs(RespCommand command)
    {
        if (Subcommands is not { } subcommands || command.Count < 2) { return this; }
        foreach (var subcommand in subcommands)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(command[1], subcommand.Name.AsSpan(Name.Length + 1))) { return subcommand; }
        }
        return null;
    }
}

/// <summary>Commands by name, looked up case-insensitively from the received bytes without allocating.</summary>
internal sealed class CommandTable
{
    private readonly Dictionary<byte[], CommandSpec> _byName = new(AsciiCaseInsensitiveComparer.Instance);
    private readonly Dictionary<byte[], CommandSpec>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private readonly List<CommandSpec> _counted = [];

    public CommandTable() => _bySpan = _byName.GetAlternateLookup<ReadOnlySpan<byte>>();

    public IEnumerable<CommandSpec> All => _byName.Values;

    public int Count => _byName.Count;

    /// <summary>Every command and subcommand, by <see cref="CommandSpec.Id"/>: what the statistics count.</summary>
    public IReadOnlyList<CommandSpec> Counted => _counted;

    public void Add(string name, int arity, CommandFlags flags, int firstKey, int lastKey, int step, CommandHandler handler) =>
        Add(name, arity, flags, new KeySpec(firstKey, lastKey, step), handler);

    public void Add(string name, int arity, CommandFlags flags, KeySpec keys, CommandHandler handler, CommandPredicate? mayBlockWhen = null)
    {
        var spec = new CommandSpec(name, arity, flags, keys, handler, _counted.Count) { MayBlockWhen = mayBlockWhen };
        _byName.Add(System.Text.Encoding.ASCII.GetBytes(name), spec);
        _counted.Add(spec);
    }

    /// <summary>Names <paramref name="container"/>'s subcommands and their arities, as Redis 7.0's command table has them.</summary>
    public void AddSubcommands(string container, params (string Name, int Arity)[] subcommands)
    {
        var spec = Find(System.Text.Encoding.ASCII.GetBytes(container))!;
        spec.Subcommands = subcommands.Select(sub =>
        {
            var name = $"{container}|{sub.Name}";
            var recorded = RecordedCommands.Get(name);
            // Its own noscript and write flags, as recorded (CLIENT LIST is refused to scripts, CLIENT INFO is not; FUNCTION
            // LOAD is a write, FUNCTION LIST is not).
            var flags = spec.Flags & ~(CommandFlags.NoScript | CommandFlags.Write);
            if (recorded.HasFlag("noscript")) { flags |= CommandFlags.NoScript; }
            if (recorded.HasFlag("write")) { flags |= CommandFlags.Write; }
            var subcommand = spec with { Name = name, Arity = sub.Arity, Flags = flags, Id = _counted.Count, Subcommands = null, Recorded = recorded };
            _counted.Add(subcommand);
            return subcommand;
        }).ToArray();
    }

    public CommandSpec? Find(ReadOnlySpan<byte> name) => _bySpan.TryGetValue(name, out var spec) ? spec : null;

    /// <summary>
    /// A command or, spelled container|subcommand, a subcommand, case-insensitively (Redis's lookupCommandBySds); null
    /// for a name neither.
    /// </summary>
    public CommandSpec? FindCounted(ReadOnlySpan<byte> name)
    {
        var bar = name.IndexOf((byte)'|');
        if (bar < 0) { return Find(name); }
        var sub = name[(bar + 1)..];
        if (Find(name[..bar])?.Subcommands is not { } subcommands || sub.IndexOf((byte)'|') >= 0) { return null; }
        foreach (var subcommand in subcommands)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(sub, subcommand.Name.AsSpan(bar + 1))) { return subcommand; }
        }
        return null;
    }
}

internal sealed class AsciiCaseInsensitiveComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly AsciiCaseInsensitiveComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => Equals(x.AsSpan(), y!);

    public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => System.Text.Ascii.EqualsIgnoreCase(alternate, other);

    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var hash = alternate.Length;
        foreach (var b in alternate) { hash = hash * 31 + (b | 0x20); }
        return hash;
    }

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
