namespace Loop.Samples.Redis.Store;

/// <summary>
/// A point-in-time copy of the keyspace being taken (BGSAVE) while the loops go on: each partition of each database
/// is handed to it once, by whoever reaches it first after the snapshot began, the saver or a command about to read
/// or change it. So the copy is the keyspace as it was at the start, without a fork and without stopping the loops
/// for more than marking the partitions.
/// </summary>
internal interface IKeyspaceSnapshot
{
    /// <summary>Copies <paramref name="db"/>'s partition <paramref name="partition"/>, whose stripe the caller holds, before anything changes it.</summary>
    void Capture(Database db, int partition);
}
