namespace Loop.Samples.Redis.Store;

internal sealed partial class RedisStream
{
    /// <summary>
    /// How many entries a group has yet to read (XINFO's lag), as Redis 7.0's streamReplyWithCGLag works it out: from the
    /// group's read counter while no deletion lies ahead of it, else from an estimate of its last ID's position; null
    /// when neither can be known.
    /// </summary>
    public long? Lag(StreamGroup group)
    {
        if (EntriesAdded == 0) { return 0; }
        if (group.EntriesRead != StreamGroup.UnknownEntriesRead && !RangeHasTombstones(group.LastId, StreamId.Max)) { return EntriesAdded - group.EntriesRead; }
        var read = EstimateEntriesRead(group.LastId);
        return read == StreamGroup.UnknownEntriesRead ? null : EntriesAdded - read;
    }

    /// <summary>True when a deleted entry may lie between the two IDs (streamRangeHasTombstones).</summary>
    public bool RangeHasTombstones(StreamId start, StreamId end) =>
        Length > 0 && !MaxDeletedId.IsZero && FirstId <= MaxDeletedId && start <= MaxDeletedId && MaxDeletedId <= end;

    /// <summary>
    /// The read counter of a group whose last ID is <paramref name="id"/>, counted from the first entry ever added
    /// (streamEstimateDistanceFromFirstEverEntry), or <see cref="StreamGroup.UnknownEntriesRead"/>.
    /// </summary>
    public long EstimateEntriesRead(StreamId id)
    {
        if (EntriesAdded == 0) { return 0; }
        if (Length == 0 && id <= LastId) { return EntriesAdded; }
        if (id == LastId) { return EntriesAdded; }
        if (id > LastId) { return StreamGroup.UnknownEntriesRead; }
        if (MaxDeletedId.IsZero || MaxDeletedId < FirstId)
        {
            if (id < FirstId) { return EntriesAdded - Length; }
            if (id == FirstId) { return EntriesAdded - Length + 1; }
        }
        return StreamGroup.UnknownEntriesRead;
    }

    /// <summary>
    /// Moves a group past <paramref name="id"/>, delivered to it (streamReplyWithRange): its read counter goes up by one
    /// while it is valid and no deletion lies ahead, else is estimated again.
    /// </summary>
    public void Advance(StreamGroup group, StreamId id)
    {
        if (id <= group.LastId) { return; }
        if (group.EntriesRead != StreamGroup.UnknownEntriesRead && !RangeHasTombstones(id, StreamId.Max)) { group.EntriesRead++; }
        else if (EntriesAdded > 0) { group.EntriesRead = EstimateEntriesRead(id); }
        group.LastId = id;
    }
}
