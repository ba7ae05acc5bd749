namespace Loop.Samples.Redis.Persistence;

/// <summary>An RDB file or DUMP payload that cannot be read: corrupt, truncated, or using what this server does not hold.</summary>
internal sealed class RdbFormatException(string reason, long offset)
    : Exception($"{reason} (at byte offset {offset})")
{
    /// <summary>What is wrong, without the offset.</summary>
    public string Reason { get; } = reason;

    /// <summary>Where in the file (or payload) the problem was found.</summary>
    public long Offset { get; } = offset;
}
