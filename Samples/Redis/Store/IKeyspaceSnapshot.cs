namespace Loop.Samples.Redis.Store;

/// <summary>
/// A point-in-time copy of the keyspace being taken (BGSAVE) while the loops go on. Until the saver has copied a
/// partition, every access to one of its keys hands that key to the snapshot first, which copies it if it has not
/// yet (and notes a key absent then, so one created later stays out). So the copy is the keyspace as it was at the
/// start, without a fork, and a command pays for at most the keys it touches, once.
/// </summary>
internal interface IKeyspaceSnapshot
{
    /// <summary>Copies <paramref name="key"/> of <paramref name="db"/>'s partition <paramref name="partition"/> (whose stripe the caller holds) unless already done.</summary>
    void CaptureKey(Database db, int partition, ReadOnlySpan<byte> key);

    /// <summary>Copies every key of the partition not copied yet, before a change to all of it.</summary>
    void CaptureRest(Database db, int partition);
}
