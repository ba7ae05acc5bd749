namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Loads a Redis 7.0 multi-part append-only file as loadAppendOnlyFiles does: the manifest in <c>dir/appenddirname</c>,
/// then its base (an RDB preamble into the key sink, commands after it into the command sink), then each incr file in
/// order into the command sink. Every file named must exist (checked before anything is loaded), and only the last may
/// end in an incomplete command. Without a manifest, a single old-style <c>dir/appendfilename</c> (Redis before 7.0,
/// possibly starting with an RDB preamble) is loaded instead, as Redis 7.0 does when it upgrades one. It holds no
/// store: what the files say goes to the sinks, in file order.
/// </summary>
internal static class AofLoader
{
    private static ReadOnlySpan<byte> RdbSignature => "REDIS"u8;

    /// <summary>
    /// Loads the append-only file of <paramref name="dir"/>. Throws <see cref="AofFormatException"/> (a bad manifest, a
    /// missing file, a corrupt command or RDB preamble, a truncated file that is not the last, or any truncation when
    /// <paramref name="loadTruncated"/> is false) after handing over what preceded the problem: a caller that must not keep
    /// a partial load discards it.
    /// </summary>
    public static AofLoadResult Load(string dir, string appendDirName, string appendFileName, IRdbSink keys, IAofCommandSink commands,
        bool loadTruncated = true)
    {
        var directory = Path.Combine(dir, appendDirName);
        var manifestPath = Path.Combine(directory, AofFileNames.Manifest(appendFileName));
        var manifest = File.Exists(manifestPath) ? AofManifest.Load(manifestPath) : null;
        var oldStylePath = Path.Combine(dir, appendFileName);
        if (File.Exists(oldStylePath) && IsUpgrade(directory, manifest, appendFileName))
        {
            var upgraded = new AofManifest(new AofFileInfo(appendFileName, 1, AofFileType.Base), [], []);
            return new AofLoadResult(upgraded, FromOldStyleFile: true, LoadFiles([oldStylePath], keys, commands, loadTruncated));
        }
        if (manifest is null || (manifest.Base is null && manifest.Incrs.Count == 0)) { return AofLoadResult.None; }

        var files = (manifest.Base is null ? manifest.Incrs : [manifest.Base, .. manifest.Incrs]).Select(f => Path.Combine(directory, f.Name)).ToList();
        if (files.FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            throw AofFormatException.InFile(manifestPath, $"names {Path.GetFileName(missing)}, which is not in {directory}");
        }
        return new AofLoadResult(manifest, FromOldStyleFile: false, LoadFiles(files, keys, commands, loadTruncated));
    }

    // Redis 7.0 takes the old-style file when the directory is missing, when the manifest names no base and no incr
    // file, or when an upgrade was interrupted: the manifest names that file alone as its base, not yet moved in.
    private static bool IsUpgrade(string directory, AofManifest? manifest, string appendFileName) =>
        !Directory.Exists(directory)
        || manifest is null
        || (manifest.Base is null && manifest.Incrs.Count == 0)
        || (manifest.Incrs.Count == 0 && manifest.Base?.Name == appendFileName && !File.Exists(Path.Combine(directory, appendFileName)));

    private static AofTruncation? LoadFiles(List<string> paths, IRdbSink keys, IAofCommandSink commands, bool loadTruncated)
    {
        for (var i = 0; i < paths.Count; i++)
        {
            var name = Path.GetFileName(paths[i]);
            var result = LoadFile(paths[i], name, keys, commands, loadTruncated);
            if (!result.Truncated) { continue; }
            if (i < paths.Count - 1)
            {
                throw AofFormatException.AtOffset(name, result.ValidUpTo, "the file ends in an incomplete command or transaction, and only the last file may (Redis: the truncated file is not the last file)");
            }
            return new AofTruncation(paths[i], result.ValidUpTo);
        }
        return null;
    }

    // Any file may start with an RDB preamble (Redis checks each one): its keys, then the commands after it.
    private static AofReadResult LoadFile(string path, string name, IRdbSink keys, IAofCommandSink commands, bool loadTruncated)
    {
        // Unbuffered: both readers buffer, and the RDB reader's read-ahead is undone by setting the position.
        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        Span<byte> signature = stackalloc byte[RdbSignature.Length];
        var hasPreamble = input.ReadAtLeast(signature, signature.Length, throwOnEndOfStream: false) == signature.Length
            && signature.SequenceEqual(RdbSignature);
        input.Position = 0;
        if (hasPreamble)
        {
            try
            {
                input.Position = RdbDecoder.Load(input, keys);
            }
            catch (RdbFormatException e)
            {
                throw AofFormatException.AtOffset(name, e.Offset, $"in the RDB preamble: {e.Reason}", e);
            }
        }
        return AofCommandReader.Read(input, name, commands, loadTruncated);
    }
}
