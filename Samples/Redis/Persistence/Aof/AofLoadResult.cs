namespace Loop.Samples.Redis.Persistence;

/// <summary>What <see cref="AofLoader.Load"/> found and loaded.</summary>
/// <param name="Manifest">
/// The files loaded: the manifest read, or for an old-style file the manifest Redis 7.0 writes when it upgrades one (the
/// file as base, sequence 1); null when there is no append-only file at all.
/// </param>
/// <param name="FromOldStyleFile">
/// The data came from the single file of Redis before 7.0 in <c>dir</c>, which Redis 7.0 then moves into
/// <c>appenddirname</c> beside a new manifest (the write path's part, not done here).
/// </param>
/// <param name="Truncated">The last file ended in an incomplete command or transaction, and where its complete ones end; null when none did.</param>
internal sealed record AofLoadResult(AofManifest? Manifest, bool FromOldStyleFile, AofTruncation? Truncated)
{
    /// <summary>No append-only file: neither a manifest naming a base or incr file, nor an old-style file.</summary>
    public static AofLoadResult None { get; } = new(null, false, null);
}

/// <summary>
/// A file whose tail was an incomplete command, loaded up to <paramref name="ValidUpTo"/>: Redis logs a warning and
/// truncates the file there before appending to it.
/// </summary>
internal sealed record AofTruncation(string Path, long ValidUpTo);
