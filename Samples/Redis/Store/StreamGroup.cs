namespace Loop.Samples.Redis.Store;

/// <summary>
/// A consumer group: the last ID delivered, how many entries it has read (Redis 7's logical counter, -1 when it
/// cannot be known), its pending entries and its consumers, ordered by name as Redis lists them.
/// </summary>
internal sealed class StreamGroup(byte[] name, StreamId lastId, long entriesRead)
{
    /// <summary>SCG_INVALID_ENTRIES_READ: the group's read counter is unknown.</summary>
    public const long UnknownEntriesRead = -1;

    public byte[] Name { get; } = name;

    public StreamId LastId { get; set; } = lastId;

    public long EntriesRead { get; set; } = entriesRead;

    public PendingList Pending { get; } = new();

    public SortedDictionary<byte[], StreamConsumer> Consumers { get; } = new(ByteArrayComparer.Instance);

    public StreamConsumer? Consumer(ReadOnlySpan<byte> name) => Consumers.GetValueOrDefault(name.ToArray());

    /// <summary>A copy with copies of its consumers and pending entries (COPY).</summary>
    public StreamGroup Clone()
    {
        var copy = new StreamGroup(Name, LastId, EntriesRead);
        foreach (var consumer in Consumers.Values)
        {
            var consumerCopy = new StreamConsumer(consumer.Name, consumer.SeenTimeMs);
            copy.Consumers.Add(consumer.Name, consumerCopy);
            foreach (var pending in consumer.Pending.All)
            {
                var pendingCopy = new StreamPending(pending.Id, consumerCopy, pending.DeliveryTimeMs, pending.DeliveryCount);
                consumerCopy.Pending.Add(pendingCopy);
                copy.Pending.Add(pendingCopy);
            }
        }
        return copy;
    }
}
