using Loop.Internal.Interop;

namespace Loop.Internal.IoUring;

/// <summary>
/// What one loop's ring may hold under the process's limits: the kernel refuses a fixed-file table larger than
/// RLIMIT_NOFILE, and registered memory beyond RLIMIT_MEMLOCK (without CAP_IPC_LOCK). Systemd services,
/// containers and non-root users commonly have 1024 files and 8 MB: the loop then starts with less, and says so.
/// </summary>
internal readonly record struct LoopResources(int FixedFiles, int RegisteredChunks, string? Reduced)
{
    public static LoopResources Fit(ServerOptions options)
    {
        var files = (int)Math.Min(options.MaxConnectionsPerLoop, ResourceLimits.OpenFiles);
        var chunks = options.OutputChunkCount;
        if (ResourceLimits.LockableBytes is { } lockable)
        {
            // Half of each loop's share: the rings and the buffer rings pin memory too.
            chunks = (int)Math.Min(chunks, lockable / options.LoopCount / 2 / options.OutputChunkSize);
        }
        var reduced = new List<string>();
        if (files < options.MaxConnectionsPerLoop)
        {
            reduced.Add($"{files} fixed-file slots per loop instead of MaxConnectionsPerLoop {options.MaxConnectionsPerLoop} " +
                $"(RLIMIT_NOFILE {ResourceLimits.OpenFiles}; raise ulimit -n or systemd's LimitNOFILE= for more connections)");
        }
        if (chunks < options.OutputChunkCount)
        {
            reduced.Add($"{chunks} registered output chunks per loop instead of {options.OutputChunkCount} " +
                $"(RLIMIT_MEMLOCK {ResourceLimits.LockableBytes} B; raise ulimit -l or LimitMEMLOCK=; the rest is sent from heap memory)");
        }
        return new LoopResources(files, chunks, reduced.Count > 0 ? string.Join("; ", reduced) : null);
    }
}
