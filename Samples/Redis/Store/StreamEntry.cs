namespace Loop.Samples.Redis.Store;

/// <summary>
/// One entry of a stream: its ID and its fields and values, alternating. A deleted entry stays in its node as a
/// tombstone until the whole node goes, as in Redis, since nodes fill and trimming counts by them.
/// </summary>
/// <param name="SameFields">Its fields are its node's master fields (Redis then stores only the values).</param>
internal readonly record struct StreamEntry(StreamId Id, byte[][] Pairs, bool SameFields, bool Deleted = false)
{
    public int FieldCount => Pairs.Length / 2;
}
