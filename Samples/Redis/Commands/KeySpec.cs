using Loop.Protocols.Resp;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// Which arguments of a command are keys: Redis's legacy range (<see cref="First"/> to <see cref="Last"/> by
/// <see cref="Step"/>; a negative last counts from the end) and, for commands that count their keys
/// (<c>LMPOP 2 a b LEFT</c>, <c>ZUNIONSTORE dst 2 a b</c>), where that count stands: the keys follow it; and keys
/// named by options (<see cref="OptionKeys"/>). The one source for COMMAND INFO and GETKEYS, and for whatever must
/// know a command's keys before running it.
/// </summary>
internal readonly record struct KeySpec(int First, int Last, int Step, int NumKeysAt = 0, OptionKeys Options = OptionKeys.None)
{
    public static KeySpec None => default;

    /// <summary>Which keys depends on the arguments: COMMAND INFO's <c>movablekeys</c>.</summary>
    public bool Movable => NumKeysAt > 0 || Options != OptionKeys.None;

    /// <summary>The argument positions of <paramref name="command"/>'s keys, in order.</summary>
    public KeyPositions Of(RespCommand command) => new(this, command);
}

/// <summary>Keys that options name rather than positions: SORT's.</summary>
internal enum OptionKeys
{
    None,

    /// <summary>SORT_RO: its BY and GET patterns name keys only the sorted values tell, so none can be listed.</summary>
    SortPatterns,

    /// <summary>SORT: the patterns, and the key after the last STORE, found as Redis's sortGetKeys finds it.</summary>
    SortPatternsAndStore,
}

/// <summary>An allocation-free enumeration of a command's key positions (see <see cref="KeySpec"/>).</summary>
internal ref struct KeyPositions
{
    private readonly KeySpec _spec;
    private readonly int _rangeEnd, _countedEnd;
    private int _next, _counted, _optionKey;

    public KeyPositions(KeySpec spec, RespCommand command)
    {
        _spec = spec;
        var count = command.Count;
        _next = spec.First > 0 ? spec.First : 0;
        _rangeEnd = spec.First <= 0 ? 0 : spec.Last < 0 ? count + spec.Last : Math.Min(spec.Last, count - 1);
        if (spec.NumKeysAt > 0 && spec.NumKeysAt < count && Args.TryLong(command[spec.NumKeysAt], out var keys) && keys > 0)
        {
            _counted = spec.NumKeysAt + 1;
            _countedEnd = (int)Math.Min(spec.NumKeysAt + keys, count - 1);
        }
        if (spec.Options == OptionKeys.SortPatternsAndStore) { _optionKey = SortStoreKey(command); }
        Current = 0;
    }

    public int Current { get; private set; }

    public readonly KeyPositions GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_next > 0 && _next <= _rangeEnd)
        {
            Current = _next;
            _next += Math.Max(_spec.Step, 1);
            return true;
        }
        _next = 0;
        if (_counted > 0 && _counted <= _countedEnd)
        {
            Current = _counted++;
            return true;
        }
        if (_optionKey > 0)
        {
            Current = _optionKey;
            _optionKey = 0;
            return true;
        }
        return false;
    }

    // As Redis reads SORT's options for its keys: LIMIT's two arguments, GET's and BY's one are skipped, any other word
    // is taken as an option without arguments, and the last STORE followed by an argument names the key.
    private static int SortStoreKey(RespCommand command)
    {
        var store = 0;
        for (var i = 2; i < command.Count; i++)
        {
            if (Args.Is(command[i], "LIMIT")) { i += 2; }
            else if (Args.Is(command[i], "GET") || Args.Is(command[i], "BY")) { i++; }
            else if (Args.Is(command[i], "STORE") && i + 1 < command.Count) { store = i + 1; }
        }
        return store;
    }
}
