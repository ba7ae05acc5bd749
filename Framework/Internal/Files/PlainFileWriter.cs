using Loop.Internal.Interop;

namespace Loop.Internal.Files;

/// <summary>Writes each chunk with pwrite and syncs with fsync on the calling thread: where io_uring is not used.</summary>
internal sealed unsafe class PlainFileWriter(int fd, string path) : FileWriter(fd, path)
{
    private readonly byte[] _chunk = GC.AllocateUninitializedArray<byte>(ChunkSize, pinned: true);

    protected override byte[] Chunk => _chunk;

    protected override void WriteChunk(int length, long offset)
    {
        fixed (byte* data = _chunk)
        {
            for (var written = 0; written < length;)
            {
                var result = Libc.PWrite(Fd, data + written, (nuint)(length - written), offset + written);
                if (result > 0)
                {
                    written += (int)result;
                    continue;
                }
                // Nothing written and no error would retry forever: report it as the I/O error it is.
                var errno = result == 0 ? Libc.EIO : Libc.LastErrno;
                if (errno != Libc.EINTR) { throw FileError.Create("write", Path, errno); }
            }
        }
    }

    protected override void WriteLast(int length, long offset, bool sync)
    {
        WriteChunk(length, offset);
        if (!sync) { return; }
        SyncsIssued++;
        if (Libc.Fsync(Fd) < 0) { throw FileError.Create("fsync", Path, Libc.LastErrno); }
    }
}
