namespace Loop.Samples.Redis.Store;

/// <summary>A consumer of a group: when it was last seen and the entries delivered to it and not acknowledged.</summary>
internal sealed class StreamConsumer(byte[] name, long seenTimeMs)
{
    public byte[] Name { get; } = name;

    /// <summary>The last time it read or claimed (Unix ms).</summary>
    public long SeenTimeMs { get; set; } = seenTimeMs;

    /// <summary>Its share of the group's pending entries (the same objects).</summary>
    public PendingList Pending { get; } = new();
}
