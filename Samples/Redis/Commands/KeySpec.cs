using Loop.Protocols.Resp;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// Which arguments of a command are keys: Redis's legacy range (<see cref="First"/> to <see cref="Last"/> by
/// <see cref="Step"/>; a negative last counts from the end) and, for commands that count their keys
/// (<c>LMPOP 2 a b LEFT</c>, <c>ZUNIONSTORE dst 2 a b</c>), where that count stands: the keys follow it. The one
/// source for COMMAND INFO and GETKEYS, and for whatever must know a command's keys before running it.
/// </summary>
internal readonly record struct KeySpec(int First, int Last, int Step, int NumKeysAt = 0)
{
    public static KeySpec None => default;

    /// <summary>The count comes from the arguments: COMMAND INFO's <c>movablekeys</c>.</summary>
    public bool Movable => NumKeysAt > 0;

    /// <summary>The argument positions of <paramref name="command"/>'s keys, in order.</summary>
    public KeyPositions Of(RespCommand command) => new(this, command);
}

/// <summary>An allocation-free enumeration of a command's key positions (see <see cref="KeySpec"/>).</summary>
internal ref struct KeyPositions
{
    private readonly KeySpec _spec;
    private readonly int _rangeEnd, _countedEnd;
    private int _next, _counted;

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
        return false;
    }
}
