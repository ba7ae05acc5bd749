using Loop.Protocols.Resp;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// Which arguments of a command are keys: Redis's legacy range (<see cref="First"/> to <see cref="Last"/> by
/// <see cref="Step"/>; a negative last counts from the end); for commands that count their keys
/// (<c>LMPOP 2 a b LEFT</c>, <c>ZUNIONSTORE dst 2 a b</c>), where that count stands: the keys follow it; keys
/// named by an option (<c>GEORADIUS ... STORE dst</c>, see <see cref="KeywordKey"/>); and SORT's and XREAD's (see
/// <see cref="OptionKeys"/>). The one source for COMMAND INFO and GETKEYS, and for whatever must know a command's
/// keys before running it. <see cref="NotKey"/>: the range names no key of the keyspace (a shard channel, Redis's NOT_KEY
/// flag): COMMAND INFO shows it, GETKEYS and the lock find nothing.
/// </summary>
internal readonly record struct KeySpec(int First, int Last, int Step, int NumKeysAt = 0, KeywordKey[]? Keywords = null,
    OptionKeys Options = OptionKeys.None, bool NotKey = false)
{
    public static KeySpec None => default;

    /// <summary>The keys depend on the arguments: COMMAND INFO's <c>movablekeys</c>.</summary>
    public bool Movable => NumKeysAt > 0 || Keywords is not null || Options != OptionKeys.None;

    /// <summary>The argument positions of <paramref name="command"/>'s keys, in order, as Redis's key specs find them (GETKEYS).</summary>
    public KeyPositions Of(RespCommand command) => new(this, command, everyMatch: false);

    /// <summary>
    /// The positions of every argument the command may touch as a key: <see cref="Of"/>, plus the argument after
    /// each later repeat of a keyword (Redis finds the first <c>STORE dst</c>, but GEORADIUS stores into the last one
    /// given), and XREAD's and XREADGROUP's streams as the command reads its options. What the keyspace lock holds.
    /// </summary>
    public KeyPositions Touched(RespCommand command) => new(this, command, everyMatch: true);
}

/// <summary>
/// A key named by an option, as Redis's "keyword" key spec finds it: the argument after the first
/// <paramref name="Keyword"/> (any case) from argument <paramref name="StartFrom"/> on, the last argument excluded.
/// </summary>
internal sealed record KeywordKey(string Keyword, int StartFrom);

/// <summary>Keys that options name rather than positions: SORT's, XREAD's, XREADGROUP's and MIGRATE's.</summary>
internal enum OptionKeys
{
    None,

    /// <summary>SORT_RO: its BY and GET patterns name keys only the sorted values tell, so none can be listed.</summary>
    SortPatterns,

    /// <summary>SORT: the patterns, and the key after the last STORE, found as Redis's sortGetKeys finds it.</summary>
    SortPatternsAndStore,

    /// <summary>XREAD: half the arguments after the first STREAMS (from argument 1), as Redis's key spec finds them (GETKEYS).</summary>
    StreamsHalf,

    /// <summary>XREADGROUP: as <see cref="StreamsHalf"/>, the search for STREAMS beginning after GROUP's two arguments.</summary>
    GroupStreamsHalf,

    /// <summary>MIGRATE: every argument after KEYS instead of the key argument, found as Redis's migrateGetKeys finds them.</summary>
    AfterKeys,
}

/// <summary>An allocation-free enumeration of a command's key positions (see <see cref="KeySpec"/>).</summary>
internal ref struct KeyPositions
{
    private readonly KeySpec _spec;
    private readonly RespCommand _command;
    private readonly bool _everyMatch;
    private readonly int _rangeEnd, _countedEnd;
    private readonly int _runEnd;
    private int _next, _counted, _keyword, _scan, _optionKey, _run;

    public KeyPositions(KeySpec spec, RespCommand command, bool everyMatch)
    {
        _spec = spec;
        _command = command;
        _everyMatch = everyMatch;
        var count = command.Count;
        _next = spec.First > 0 ? spec.First : 0;
        _rangeEnd = spec.First <= 0 || spec.NotKey ? 0 : spec.Last < 0 ? count + spec.Last : Math.Min(spec.Last, count - 1);
        if (spec.NumKeysAt > 0)
        {
            // A count that is not a number from 1 to the arguments after it makes Redis find no key at all, not even the others.
            if (spec.NumKeysAt >= count || !Args.TryLong(command[spec.NumKeysAt], out var keys) || keys < 1 || keys > count - 1 - spec.NumKeysAt)
            {
                _rangeEnd = 0;
                Current = 0;
                return;
            }
            _counted = spec.NumKeysAt + 1;
            _countedEnd = spec.NumKeysAt + (int)keys;
        }
        if (spec.Options == OptionKeys.SortPatternsAndStore) { _optionKey = SortStoreKey(command); }
        // A run of keys an option starts: XREAD's after STREAMS, MIGRATE's after KEYS (which replaces its key argument).
        if (spec.Options is OptionKeys.StreamsHalf or OptionKeys.GroupStreamsHalf)
        {
            _run = everyMatch ? StreamKeysAsRead(command, out _runEnd) : StreamKeys(command, spec.Options == OptionKeys.StreamsHalf ? 1 : 4, out _runEnd);
        }
        if (spec.Options == OptionKeys.AfterKeys && MigrateKeys(command) is not 0 and var first)
        {
            (_run, _runEnd, _rangeEnd) = (Math.Max(first, 0), count, 0);
        }
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
        _counted = 0;
        if (_run > 0 && _run < _runEnd)
        {
            Current = _run++;
            return true;
        }
        if (_optionKey > 0)
        {
            Current = _optionKey;
            _optionKey = 0;
            return true;
        }
        return NextKeyword();
    }

    private bool NextKeyword()
    {
        var keywords = _spec.Keywords;
        for (; keywords is not null && _keyword < keywords.Length; _keyword++, _scan = 0)
        {
            var keyword = keywords[_keyword];
            if (_scan == 0) { _scan = keyword.StartFrom; }
            while (_scan < _command.Count - 1)
            {
                var at = _scan++;
                if (!Args.Is(_command[at], keyword.Keyword)) { continue; }
                Current = at + 1;
                if (!_everyMatch)
                {
                    _keyword++;
                    _scan = 0;
                }
                return true;
            }
        }
        return false;
    }

    // As Redis's key spec for XREAD and XREADGROUP: after the first STREAMS from searchFrom on (the last argument
    // excluded), the first half of what follows, rounded down; none when that is nothing.
    private static int StreamKeys(RespCommand command, int searchFrom, out int end)
    {
        end = 0;
        for (var i = searchFrom; i < command.Count - 1; i++)
        {
            if (!Args.Is(command[i], "STREAMS")) { continue; }
            end = i + 1 + (command.Count - i - 1) / 2;
            return i + 1;
        }
        return 0;
    }

    // As XREAD and XREADGROUP read their options (Redis's xreadGetKeys): BLOCK and COUNT take one argument, GROUP two,
    // NOACK none; the first STREAMS is followed by as many keys as IDs. Unlike the key spec's search for the word, a
    // group or consumer named STREAMS is no keyword here. Anything else, or an odd number after STREAMS: no keys.
    private static int StreamKeysAsRead(RespCommand command, out int end)
    {
        end = 0;
        for (var i = 1; i < command.Count; i++)
        {
            if (Args.Is(command[i], "BLOCK") || Args.Is(command[i], "COUNT")) { i++; }
            else if (Args.Is(command[i], "GROUP")) { i += 2; }
            else if (Args.Is(command[i], "NOACK")) { }
            else if (Args.Is(command[i], "STREAMS"))
            {
                var after = command.Count - i - 1;
                if (after == 0 || after % 2 != 0) { return 0; }
                end = i + 1 + after / 2;
                return i + 1;
            }
            else { return 0; }
        }
        return 0;
    }

    // As Redis's migrateGetKeys: from the options on (AUTH takes one argument, AUTH2 two), the arguments after KEYS; 0
    // when none; -1 when the key argument is not empty beside KEYS (a syntax error: no key at all).
    private static int MigrateKeys(RespCommand command)
    {
        for (var i = 6; i < command.Count; i++)
        {
            if (Args.Is(command[i], "KEYS")) { return command[3].IsEmpty ? i + 1 : -1; }
            if (Args.Is(command[i], "AUTH")) { i++; }
            else if (Args.Is(command[i], "AUTH2")) { i += 2; }
        }
        return 0;
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
