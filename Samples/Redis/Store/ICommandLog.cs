namespace Loop.Samples.Redis.Store;

/// <summary>
/// Where the keyspace's changes are written as the commands that make them (the append-only file). A change the
/// store makes on its own, such as a blocked client's pop served by another client's push, is logged by whoever
/// makes it, in the order it happens: the caller holds the keys involved.
/// </summary>
internal interface ICommandLog
{
    /// <summary>Logs a command of database <paramref name="db"/>: its arguments, the name first.</summary>
    void Append(int db, params ReadOnlySpan<byte[]> arguments);
}
