using Loop.Internal.Files;
using Loop.Internal.Interop;

namespace Loop;

/// <summary>
/// Writes a new file from one thread: appended chunks go out as io_uring WRITEs at increasing offsets on a small
/// ring of its own, and <see cref="Commit"/> links an FSYNC behind the last write and waits for it (a log commits
/// again and again: appending goes on after a commit). Where io_uring
/// is unavailable (or when asked not to use it), plain writes and fsync on the calling thread. Not thread-safe and
/// blocking: for a background thread (the one that created it), never a loop thread.
/// </summary>
public sealed class DurableFile : IDisposable
{
    private const uint Mode = 0b110_100_100; // 0644

    private readonly int _fd;
    private readonly FileWriter _writer;
    private bool _disposed;

    private DurableFile(int fd, FileWriter writer)
    {
        _fd = fd;
        _writer = writer;
    }

    /// <summary>Creates (or truncates) <paramref name="path"/> for writing, mode 0644.</summary>
    /// <exception cref="IOException">The file cannot be opened; the message names the path and the error.</exception>
    public static DurableFile Create(string path, bool useIoUring = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fd = Libc.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_TRUNC | Libc.O_CLOEXEC, Mode);
        if (fd < 0) { throw FileError.Create("open", path, Libc.LastErrno); }
        var writer = (useIoUring ? RingFileWriter.TryCreate(fd, path) : null) ?? (FileWriter)new PlainFileWriter(fd, path);
        return new DurableFile(fd, writer);
    }

    /// <summary>Whether writes go through io_uring (false where it is unavailable or was not asked for).</summary>
    public bool UsesIoUring => _writer is RingFileWriter;

    /// <summary>Bytes appended so far.</summary>
    public long Length => _writer.Length;

    /// <summary>FSYNCs issued so far, for the tests.</summary>
    internal int SyncsIssued => _writer.SyncsIssued;

    /// <summary>
    /// Copies <paramref name="data"/> into the writer's 1 MiB chunks and starts writing each full one; waits when the
    /// bounded number of chunks is already in the kernel.
    /// </summary>
    /// <exception cref="IOException">A write failed (now, or earlier: a failed file stays failed).</exception>
    public void Append(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _writer.Append(data);
    }

    /// <summary>Writes what is left and syncs the file (data and size) to disk; returns once it is durable.</summary>
    /// <exception cref="IOException">A write or the sync failed; the message names the path and the errno's text.</exception>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _writer.Commit();
    }

    /// <summary>
    /// Writes what is left without a sync and returns once the kernel has it: it survives a crash of the process, not
    /// of the machine. Appending may go on after it, and after <see cref="Commit"/>.
    /// </summary>
    /// <exception cref="IOException">A write failed (now, or earlier).</exception>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _writer.Flush();
    }

    /// <summary>
    /// Renames <paramref name="from"/> to <paramref name="to"/> (replacing it) and syncs the target's directory, so
    /// the new name survives a crash. The source directory is not synced: a crash may bring the old name back, which
    /// a caller that deletes its temporary files handles anyway.
    /// </summary>
    public static void Rename(string from, string to)
    {
        if (Libc.Rename(from, to) < 0) { throw FileError.Create("rename", $"{from} to {to}", Libc.LastErrno); }
        var directory = Path.GetDirectoryName(Path.GetFullPath(to))!;
        var fd = Libc.Open(directory, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0) { throw FileError.Create("open", directory, Libc.LastErrno); }
        try
        {
            if (Libc.Fsync(fd) < 0) { throw FileError.Create("fsync", directory, Libc.LastErrno); }
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>Waits for writes still in flight and closes the file; what was not committed is left as written.</summary>
    public void Dispose()
    {
        if (_disposed) { return; }
        _disposed = true;
        try { _writer.Dispose(); }
        finally { Libc.Close(_fd); }
    }
}
