namespace Loop.Protocols.Resp;

/// <summary>
/// How far <see cref="RespParser.TryParse"/> got into a multibulk command that has not all arrived. The caller keeps
/// one per connection and passes it to every call; the parser fills it in on
/// <see cref="RespParseStatus.Incomplete"/> and clears it on a whole command or an error, so that a large command
/// arriving in many pieces is parsed once, not again from its start on every receive. <c>default</c> is "at the start
/// of a command": set it back to that when the bytes it describes are dropped (connection reset).
/// </summary>
public readonly struct RespParseProgress
{
    internal RespParseProgress(int itemCount, int parsed, int position)
    {
        ItemCount = itemCount;
        Parsed = parsed;
        Position = position;
    }

    /// <summary>Arguments the command declares (its <c>*N</c>); 0 until that header has been read.</summary>
    public int ItemCount { get; }

    /// <summary>Arguments already parsed; they are in the arguments array, relative to the command's first byte.</summary>
    public int Parsed { get; }

    /// <summary>Where parsing resumes, from the command's first byte: just after the last complete argument.</summary>
    public int Position { get; }
}
