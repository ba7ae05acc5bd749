namespace Loop.Samples.Redis.Persistence;

/// <summary>The entries of a ziplist or listpack, read one after the other.</summary>
internal interface IPackedEntries
{
    /// <summary>The next entry; false after the last.</summary>
    bool TryRead(out PackedEntry entry);
}
