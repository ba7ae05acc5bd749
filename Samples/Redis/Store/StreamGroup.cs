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

    /// <summary>The consumer of that name, created when absent; either way seen now (Redis's lookup refreshes it).</summary>
    public StreamConsumer ConsumerSeen(ReadOnlySpan<byte> name, long nowMs)
    {
        var consumer = Consumer(name);
        if (consumer is null) { Consumers.Add(name.ToArray(), consumer = new StreamConsumer(name.ToArray(), nowMs)); }
        consumer.SeenTimeMs = nowMs;
        return consumer;
    }

    /// <summary>
    /// Records a delivery of <paramref name="id"/> to <paramref name="consumer"/> (XREADGROUP): a new pending entry, or
    /// one another consumer held (after XGROUP SETID moved the group back) handed over and counted from 1 again.
    /// </summary>
    public StreamPending Deliver(StreamId id, StreamConsumer consumer, long nowMs)
    {
        if (Pending.Find(id) is { } pending)
        {
            pending.Consumer?.Pending.Remove(id);
            pending.Consumer = consumer;
            pending.DeliveryTimeMs = nowMs;
            pending.DeliveryCount = 1;
            consumer.Pending.Add(pending);
            return pending;
        }
        pending = new StreamPending(id, consumer, nowMs, 1);
        Pending.Add(pending);
        consumer.Pending.Add(pending);
        return pending;
    }

    /// <summary>Gives a pending entry to <paramref name="consumer"/> (XCLAIM, XAUTOCLAIM); one FORCE created has no owner yet.</summary>
    public void Transfer(StreamPending pending, StreamConsumer consumer)
    {
        if (pending.Consumer == consumer) { return; }
        pending.Consumer?.Pending.Remove(pending.Id);
        pending.Consumer = consumer;
        consumer.Pending.Add(pending);
    }

    /// <summary>Forgets a pending entry (XACK, or claiming an entry deleted meanwhile); false when it was not pending.</summary>
    public bool Acknowledge(StreamId id)
    {
        if (Pending.Find(id) is not { } pending) { return false; }
        Pending.Remove(id);
        pending.Consumer?.Pending.Remove(id);
        return true;
    }

    /// <summary>Deletes a consumer and its pending entries; returns how many it had.</summary>
    public int DeleteConsumer(StreamConsumer consumer)
    {
        var count = consumer.Pending.Count;
        foreach (var pending in consumer.Pending.All) { Pending.Remove(pending.Id); }
        Consumers.Remove(consumer.Name);
        return count;
    }

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
