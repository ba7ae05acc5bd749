using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Loop.Internal.Interop;
using Loop.Internal.IoUring;
using static Loop.Internal.Interop.IoUringConst;

namespace Loop.Internal.Files;

/// <summary>
/// Writes each full chunk as an io_uring WRITE on a small ring of its own, and syncs with one FSYNC linked behind
/// the last write. The ring is SINGLE_ISSUER: only the thread that created the writer may use it.
/// </summary>
internal sealed unsafe class RingFileWriter : FileWriter
{
    // One chunk filling and up to three in the kernel: a bounded 4 MiB however fast the caller appends.
    private const int BufferCount = 4;
    private const uint RingEntries = 16;
    private const ulong SyncUserData = BufferCount; // a write's user_data is its buffer's index

    private readonly Ring _ring;
    private readonly ChunkWrite[] _writes;
    private readonly int _thread = Environment.CurrentManagedThreadId;
    private int _current, _writesInFlight;
    private bool _syncInFlight, _syncLinked, _syncCanceled;
    private IOException? _firstError;

    private RingFileWriter(int fd, string path, Ring ring) : base(fd, path)
    {
        _ring = ring;
        _writes = new ChunkWrite[BufferCount];
        for (var i = 0; i < BufferCount; i++) { _writes[i] = new ChunkWrite(); }
    }

    /// <summary>A writer on a new ring, or null where io_uring or its WRITE and FSYNC are not available.</summary>
    public static RingFileWriter? TryCreate(int fd, string path)
    {
        Ring ring;
        try { ring = new Ring(RingEntries); }
        catch (IoUringUnavailableException) { return null; }
        if (ring.MissingOpcodes(IoUringOp.FileWrite).Count > 0)
        {
            ring.Dispose();
            return null;
        }
        return new RingFileWriter(fd, path, ring);
    }

    protected override byte[] Chunk => _writes[_current].Buffer;

    protected override void WriteChunk(int length, long offset)
    {
        Start(_current, length, offset, link: false);
        Enter(wait: false);
        _current = FreeBuffer();
    }

    protected override void WriteLast(int length, long offset, bool sync)
    {
        if (!sync)
        {
            if (length > 0) { Start(_current, length, offset, link: false); }
            while (_writesInFlight > 0) { Wait(); }
            return;
        }
        // An FSYNC covers what has reached the page cache when it runs: earlier writes must have completed.
        while (_writesInFlight > 0) { Wait(); }
        var link = length > 0;
        if (link) { Start(_current, length, offset, link: true); }
        do
        {
            StartSync(link);
            while (_syncInFlight || _writesInFlight > 0) { Wait(); }
            link = false;
        }
        while (_syncCanceled); // a short write broke the link; its rest is written now, so sync again
    }

    private int FreeBuffer()
    {
        while (true)
        {
            for (var i = 0; i < BufferCount; i++)
            {
                if (!_writes[i].InFlight) { return i; }
            }
            Wait();
        }
    }

    private void Start(int index, int length, long offset, bool link)
    {
        var write = _writes[index];
        write.Offset = offset;
        write.Length = length;
        write.Written = 0;
        Submit(index, link);
    }

    private void Submit(int index, bool link)
    {
        var write = _writes[index];
        var sqe = _ring.NextSqe();
        sqe->Opcode = IoUringOp.Write;
        sqe->Flags = link ? SqeIoLink : (byte)0;
        sqe->Fd = Fd;
        sqe->Off = (ulong)(write.Offset + write.Written);
        sqe->Addr = (ulong)(write.Address + (nuint)write.Written);
        sqe->Len = (uint)(write.Length - write.Written);
        sqe->UserData = (ulong)index;
        write.InFlight = true;
        _writesInFlight++;
    }

    private void StartSync(bool linked)
    {
        var sqe = _ring.NextSqe();
        sqe->Opcode = IoUringOp.Fsync; // a full fsync: fdatasync may skip the metadata that holds a new file's size
        sqe->Fd = Fd;
        sqe->UserData = SyncUserData;
        _syncInFlight = true;
        _syncLinked = linked;
        _syncCanceled = false;
        SyncsIssued++;
    }

    /// <summary>
    /// Submits what is queued, waits for completions and handles them. The first failure is thrown once nothing is
    /// in flight any more, since the kernel reads the other buffers until their writes complete.
    /// </summary>
    private void Wait()
    {
        Enter(wait: true);
        HandleCompletions();
        if (_firstError is null) { return; }
        while (_writesInFlight > 0 || _syncInFlight)
        {
            Enter(wait: true);
            HandleCompletions();
        }
        throw _firstError;
    }

    private void HandleCompletions()
    {
        while (_ring.TryTakeCompletion(out var cqe))
        {
            if (cqe.UserData == SyncUserData) { Synced(cqe.Res); }
            else { Written((int)cqe.UserData, cqe.Res); }
        }
    }

    private void Written(int index, int result)
    {
        var write = _writes[index];
        write.InFlight = false;
        _writesInFlight--;
        if (result <= 0)
        {
            // Nothing written and no error would retry forever: report it as the I/O error it is.
            Fail("write", result == 0 ? Libc.EIO : -result);
            return;
        }
        write.Written += result;
        if (write.Written < write.Length && _firstError is null) { Submit(index, link: false); }
    }

    private void Synced(int result)
    {
        _syncInFlight = false;
        // A failed or short linked write cancels the FSYNC: the write's own completion says which.
        if (result == -Libc.ECANCELED && _syncLinked) { _syncCanceled = true; }
        else if (result < 0) { Fail("fsync", -result); }
    }

    private void Fail(string operation, int errno) => _firstError ??= FileError.Create(operation, Path, errno);

    private void Enter(bool wait)
    {
        if (Environment.CurrentManagedThreadId != _thread)
        {
            throw new InvalidOperationException($"{Path}: a DurableFile on io_uring is used only by the thread that created it");
        }
        try
        {
            if (wait) { _ring.SubmitAndWait(null); }
            else { _ring.Submit(); }
        }
        catch (IoUringUnavailableException e)
        {
            throw FileError.Create("io_uring_enter for", Path, e.Errno);
        }
    }

    /// <summary>Waits for the writes still in flight (their buffers are the kernel's until then), then closes the ring.</summary>
    public override void Dispose()
    {
        try
        {
            while (_writesInFlight > 0 || _syncInFlight)
            {
                Enter(wait: true);
                HandleCompletions();
            }
        }
        finally
        {
            _ring.Dispose();
        }
    }

    /// <summary>One buffer and the write it is in: where in the file, how much, how much the kernel took so far.</summary>
    private sealed class ChunkWrite
    {
        public readonly byte[] Buffer = GC.AllocateUninitializedArray<byte>(ChunkSize, pinned: true);
        public readonly nuint Address;
        public long Offset;
        public int Length, Written;
        public bool InFlight;

        public ChunkWrite() => Address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Buffer));
    }
}
