using Loop.Protocols.Resp;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// One command of redis-server 7.0.15's table (a subcommand such as <c>config|get</c> too), as
/// <c>redis-commands.resp</c> recorded it: its COMMAND INFO entry and COMMAND DOCS map as redis-server wrote them in
/// RESP3, and what this server reads from them: arity, flags, legacy key range and key specs.
/// </summary>
internal sealed class RecordedCommand(string name, ReadOnlyMemory<byte> info, ReadOnlyMemory<byte> docs, int arity, string[] flags, int firstKey, int lastKey, int keyStep,
    string[] aclCategories, RecordedKeySpec[] keySpecs, RecordedCommand[] subcommands)
{
    /// <summary>Lower case, as Redis names it: <c>get</c>, <c>config|get</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The COMMAND INFO entry, in RESP3.</summary>
    public ReadOnlyMemory<byte> Info { get; } = info;

    /// <summary>The COMMAND DOCS map (without the name before it), in RESP3.</summary>
    public ReadOnlyMemory<byte> Docs { get; } = docs;

    public int Arity { get; } = arity;

    /// <summary>Redis's command flags, as COMMAND INFO lists them (<c>write</c>, <c>denyoom</c>, <c>movablekeys</c>, ...).</summary>
    public string[] Flags { get; } = flags;

    /// <summary>A write, or a command Redis may propagate (PUBLISH, EVAL, PFCOUNT, ...): what CLIENT PAUSE WRITE holds.</summary>
    public bool WritesOrMayReplicate { get; } = flags.Contains("write") || MayReplicate.Contains(name);

    // Redis's CMD_MAY_REPLICATE, which COMMAND INFO does not show: the commands that have it in 7.0.15 without being writes.
    private static readonly HashSet<string> MayReplicate = ["eval", "evalsha", "fcall", "pfcount", "pfselftest", "publish", "spublish"];

    public int FirstKey { get; } = firstKey;

    public int LastKey { get; } = lastKey;

    public int KeyStep { get; } = keyStep;

    /// <summary>As COMMAND INFO lists them: <c>@read</c>, <c>@string</c>, <c>@fast</c>.</summary>
    public string[] AclCategories { get; } = aclCategories;

    public RecordedKeySpec[] KeySpecs { get; } = keySpecs;

    /// <summary>Sorted by name; empty for a command that is not a container.</summary>
    public RecordedCommand[] Subcommands { get; } = subcommands;

    public bool HasFlag(string flag) => Array.IndexOf(Flags, flag) >= 0;

    /// <summary>A subcommand by the name it is called by (<c>get</c> of <c>config|get</c>), any case.</summary>
    public RecordedCommand? Subcommand(ReadOnlySpan<byte> name)
    {
        foreach (var subcommand in Subcommands)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, subcommand.Name.AsSpan(Name.Length + 1))) { return subcommand; }
        }
        return null;
    }

    /// <summary>The subcommand a call of this container names (<c>CONFIG GET x</c>: config|get), else this command.</summary>
    public RecordedCommand Called(RespCommand command) =>
        Subcommands.Length > 0 && command.Count >= 2 && Subcommand(command[1]) is { } subcommand ? subcommand : this;

    public bool AcceptsArgumentCount(int count) => Arity >= 0 ? count == Arity : count >= -Arity;

    /// <summary>Whether any key spec names keys of the keyspace (Redis's doesCommandHaveKeys: a shard channel is not one).</summary>
    public bool HasKeys => KeySpecs.Any(spec => !spec.HasFlag("not_key"));

    /// <summary>A key spec with <c>variable_flags</c>: the flags depend on the arguments (SET ... GET, BITFIELD ... SET).</summary>
    public bool HasVariableKeyFlags => KeySpecs.Any(spec => spec.HasFlag("variable_flags"));
}

/// <summary>
/// A key spec of a recorded command: its flags, where the search for its keys begins (an argument index, or the
/// argument after a keyword) and how the keys are found from there (a range, or a count of keys); either may be
/// unknown (SORT's BY, GET and STORE).
/// </summary>
internal sealed record RecordedKeySpec(string[] Flags, int BeginIndex, string? Keyword, int StartFrom, KeyFinder? Find)
{
    public bool HasFlag(string flag) => Array.IndexOf(Flags, flag) >= 0;

    /// <summary>
    /// Whether this spec finds the argument at <paramref name="position"/> of <paramref name="command"/> to be a key,
    /// as Redis's getKeysUsingKeySpecs evaluates one spec: an unknown spec, a keyword not given, a key count that is not
    /// a number or keys beyond the arguments find nothing.
    /// </summary>
    public bool Finds(RespCommand command, int position)
    {
        var count = command.Count;
        var first = BeginIndex > 0 ? BeginIndex : Keyword is null ? 0 : AfterKeyword(command);
        if (first == 0) { return false; }
        long last;
        int step;
        switch (Find)
        {
            case KeyRange range:
                step = range.KeyStep;
                last = range.LastKey >= 0 ? first + range.LastKey
                    : range.Limit == 0 ? count + range.LastKey
                    : first + ((count - first) / range.Limit + range.LastKey);
                break;
            case KeyCount keys:
                step = keys.KeyStep;
                if (first + keys.KeyCountIndex >= count || !Args.TryLong(command[first + keys.KeyCountIndex], out var n) || n < 0) { return false; }
                first += keys.FirstKey;
                last = first + n - 1;
                break;
            default:
                return false;
        }
        if (last >= count || last < first || first >= count) { return false; }
        return position >= first && position <= last && (position - first) % step == 0;
    }

    // The index after the keyword, searched forward from StartFrom or, when negative, backward from that far from the end.
    private int AfterKeyword(RespCommand command)
    {
        var count = command.Count;
        var start = StartFrom > 0 ? StartFrom : count + StartFrom;
        var end = StartFrom > 0 ? count - 1 : 1;
        for (var i = start; i != end; i = start <= end ? i + 1 : i - 1)
        {
            if (i >= count || i < 1) { break; }
            if (Args.Is(command[i], Keyword!)) { return i + 1; }
        }
        return 0;
    }
}

/// <summary>How a key spec finds its keys once the search has begun: a <see cref="KeyRange"/>, a <see cref="KeyCount"/>, or unknown (null).</summary>
internal abstract record KeyFinder;

/// <summary>Keys to <paramref name="LastKey"/> (negative: from the end; with a <paramref name="Limit"/>, that part of the rest) by <paramref name="KeyStep"/>.</summary>
internal sealed record KeyRange(int LastKey, int KeyStep, int Limit) : KeyFinder;

/// <summary>A count of keys at <paramref name="KeyCountIndex"/>, the keys from <paramref name="FirstKey"/> on by <paramref name="KeyStep"/> (both after the search's start).</summary>
internal sealed record KeyCount(int KeyCountIndex, int FirstKey, int KeyStep) : KeyFinder;
