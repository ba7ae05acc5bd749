namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// An append-only file or manifest that cannot be loaded: corrupt, ending early where that is not allowed, or naming
/// a file that is not there. The message names the file and the line or byte offset, as an operator needs to find it.
/// </summary>
internal sealed class AofFormatException : Exception
{
    private AofFormatException(string file, string reason, string message, Exception? inner)
        : base(message, inner)
    {
        File = file;
        Reason = reason;
    }

    /// <summary>The file at fault (a name or a path).</summary>
    public string File { get; }

    /// <summary>What is wrong, without the file and the position.</summary>
    public string Reason { get; }

    /// <summary>Where in the file the problem was found, for a command file.</summary>
    public long? Offset { get; private init; }

    /// <summary>The line (from 1) the problem was found on, for a manifest.</summary>
    public int? Line { get; private init; }

    /// <summary>A problem with the file as a whole.</summary>
    public static AofFormatException InFile(string file, string reason) => new(file, reason, $"{file}: {reason}", null);

    /// <summary>A problem at byte <paramref name="offset"/> of a command file (or of its RDB preamble: <paramref name="inner"/>).</summary>
    public static AofFormatException AtOffset(string file, long offset, string reason, Exception? inner = null) =>
        new(file, reason, $"{file}: {reason} (at byte offset {offset})", inner) { Offset = offset };

    /// <summary>A problem on line <paramref name="line"/> of a manifest, quoted (trimmed) when there is one to show, as Redis shows it.</summary>
    public static AofFormatException AtLine(string file, int line, string? text, string reason) =>
        new(file, reason, text is null ? $"{file}, line {line}: {reason}" : $"{file}, line {line} ('{text}'): {reason}", null) { Line = line };
}
