namespace Loop.Protocols.Resp;

/// <summary>Where one argument of a parsed command lies: in the received bytes or in the inline scratch buffer.</summary>
public readonly record struct RespArgument(int Start, int Length, bool InScratch);

/// <summary>
/// One parsed command: its arguments as slices of the received bytes, valid only while the handler runs.
/// Copy an argument (<c>ToArray()</c>) to keep it.
/// </summary>
public readonly ref struct RespCommand
{
    private readonly ReadOnlySpan<byte> _input;
    private readonly ReadOnlySpan<byte> _scratch;
    private readonly ReadOnlySpan<RespArgument> _arguments;

    /// <summary>A command over <paramref name="input"/> (and <paramref name="scratch"/> for arguments marked InScratch).</summary>
    public RespCommand(ReadOnlySpan<byte> input, ReadOnlySpan<byte> scratch, ReadOnlySpan<RespArgument> arguments)
    {
        _input = input;
        _scratch = scratch;
        _arguments = arguments;
    }

    /// <summary>Number of arguments, the command name included.</summary>
    public int Count => _arguments.Length;

    /// <summary>Argument <paramref name="index"/>; 0 is the command name.</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            var a = _arguments[index];
            return (a.InScratch ? _scratch : _input).Slice(a.Start, a.Length);
        }
    }

    /// <summary>The command without its first <paramref name="count"/> arguments (COMMAND GETKEYS looks at the one it names).</summary>
    public RespCommand Skip(int count) => new(_input, _scratch, _arguments[count..]);
}
