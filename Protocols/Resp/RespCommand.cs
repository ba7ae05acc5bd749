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

    /// <summary>
    /// The bytes the command arrived in, from its array header to its last argument's CRLF, when it came as a RESP
    /// array and was parsed from its input's start (as <see cref="RespConnectionHandler"/> hands it over); empty for an
    /// inline command and for a <see cref="Skip"/>. The parser takes no other spelling of a length (no sign, no leading
    /// zero), so they are the command's one RESP encoding: a log copies them instead of writing it again.
    /// </summary>
    public ReadOnlySpan<byte> Received
    {
        get
        {
            if (_arguments.IsEmpty || _input.IsEmpty || _input[0] != (byte)'*') { return default; }
            // The first argument right behind the array's header and its own: not a Skip, whose first lies further on.
            var first = _arguments[0];
            if (first.InScratch || first.Start != DigitCount(_arguments.Length) + DigitCount(first.Length) + 6) { return default; }
            var last = _arguments[^1];
            return _input[..(last.Start + last.Length + 2)];
        }
    }

    private static int DigitCount(int value)
    {
        var digits = 1;
        for (; value >= 10; value /= 10) { digits++; }
        return digits;
    }

    /// <summary>The command without its first <paramref name="count"/> arguments (COMMAND GETKEYS looks at the one it names).</summary>
    public RespCommand Skip(int count) => new(_input, _scratch, _arguments[count..]);
}
