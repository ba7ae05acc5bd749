namespace Loop.Internal.Files;

/// <summary>
/// Gathers appended bytes into chunks and hands each full one to the subclass to write at its offset. A failure
/// sticks: the file may have a hole where a write failed, so no later call may report success.
/// </summary>
internal abstract class FileWriter(int fd, string path) : IDisposable
{
    public const int ChunkSize = 1 << 20;

    private IOException? _failure;
    private int _filled;

    protected int Fd { get; } = fd;
    protected string Path { get; } = path;

    public long Length { get; private set; }

    /// <summary>FSYNC requests issued (fsync calls or FSYNC SQEs): the tests count them.</summary>
    public int SyncsIssued { get; protected set; }

    /// <summary>The chunk being filled: a pinned array of <see cref="ChunkSize"/> bytes.</summary>
    protected abstract byte[] Chunk { get; }

    public void Append(ReadOnlySpan<byte> data)
    {
        ThrowIfFailed();
        while (!data.IsEmpty)
        {
            var count = Math.Min(data.Length, ChunkSize - _filled);
            data[..count].CopyTo(Chunk.AsSpan(_filled));
            data = data[count..];
            _filled += count;
            Length += count;
            if (_filled == ChunkSize)
            {
                Run(() => WriteChunk(ChunkSize, Length - ChunkSize));
                _filled = 0;
            }
        }
    }

    /// <summary>Writes what is left and syncs the file.</summary>
    public void Commit() => WriteLast(sync: true);

    /// <summary>Writes what is left without a sync: in the page cache, safe from a crash of the process but not of the machine.</summary>
    public void Flush() => WriteLast(sync: false);

    private void WriteLast(bool sync)
    {
        ThrowIfFailed();
        Run(() => WriteLast(_filled, Length - _filled, sync));
        _filled = 0;
    }

    /// <summary>Writes (or starts writing) the full chunk at <paramref name="offset"/>; then <see cref="Chunk"/> is a free one.</summary>
    protected abstract void WriteChunk(int length, long offset);

    /// <summary>Writes the chunk's first <paramref name="length"/> bytes, waits for every write, then syncs the file when asked.</summary>
    protected abstract void WriteLast(int length, long offset, bool sync);

    public virtual void Dispose() { }

    private void Run(Action write)
    {
        try { write(); }
        catch (IOException e)
        {
            _failure = e;
            throw;
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null) { throw new IOException($"{Path}: an earlier write failed ({_failure.Message})", _failure); }
    }
}
