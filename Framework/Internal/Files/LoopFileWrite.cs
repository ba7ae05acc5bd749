using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Loop.Internal.Files;

/// <summary>
/// One <see cref="EventLoop.WriteFile"/> in progress: what to write where, how far it got, and whom to tell. The
/// memory is pinned until the last request for it completes.
/// </summary>
internal sealed class LoopFileWrite(SafeFileHandle file, long offset, ReadOnlyMemory<byte> data, bool sync, Action<int> completed,
    Action? written)
{
    public SafeFileHandle File { get; } = file;
    public long Offset { get; } = offset;
    public ReadOnlyMemory<byte> Data { get; } = data;
    public bool Sync { get; } = sync;

    /// <summary>Bytes the kernel has taken so far.</summary>
    public int Written;

    /// <summary>The first failure as a negative errno, or 0.</summary>
    public int Error;

    /// <summary>Requests in the kernel for it (a write, an FSYNC).</summary>
    public int Outstanding;

    /// <summary>True once its FSYNC succeeded.</summary>
    public bool Synced;

    public MemoryHandle Pin;

    private bool _fileHeld;

    /// <summary>Keeps the file's descriptor open until <see cref="Complete"/>, even if its handle is disposed meanwhile.</summary>
    public void HoldFile() => File.DangerousAddRef(ref _fileHeld);

    /// <summary>All of the data is written and a sync is still to come: tells a caller who asked, once.</summary>
    public void AllWritten()
    {
        if (written is null || !Sync || Error != 0) { return; }
        var callback = written;
        written = null;
        callback();
    }

    /// <summary>Tells the caller: the bytes written, or the error.</summary>
    public void Complete()
    {
        Pin.Dispose();
        if (_fileHeld) { File.DangerousRelease(); }
        completed(Error != 0 ? Error : Written);
    }

    /// <summary>
    /// Where io_uring is not used: pwrite and fsync on a thread-pool thread, the result posted back to
    /// <paramref name="loop"/> (Redis's background fsync does the same with a thread).
    /// </summary>
    public void RunOnThreadPool(EventLoop loop) => ThreadPool.UnsafeQueueUserWorkItem(static state =>
    {
        var (write, loop) = state;
        try
        {
            RandomAccess.Write(write.File, write.Data.Span, write.Offset);
            write.Written = write.Data.Length;
            if (write.Sync)
            {
                loop.Post(write.AllWritten);
                RandomAccess.FlushToDisk(write.File);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            write.Error = -Errno(e);
        }
        loop.Post(write.Complete);
    }, (this, loop), preferLocal: false);

    // .NET keeps the errno as the HResult of the I/O error (inside an access error) on Linux; EIO where it did not.
    private static int Errno(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is IOException { HResult: > 0 and < 4096 } io) { return io.HResult; }
        }
        return 5;
    }
}
