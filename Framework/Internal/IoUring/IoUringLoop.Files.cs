using Loop.Internal.Files;
using Loop.Internal.Interop;
using static Loop.Internal.Interop.IoUringConst;

namespace Loop.Internal.IoUring;

// File writes on the loop's own ring (EventLoop.WriteFile): a WRITE with an FSYNC linked behind it. A short write
// breaks the link (the FSYNC completes -ECANCELED): the rest is written, then synced, before the caller hears.
internal sealed unsafe partial class IoUringLoop
{
    private readonly List<LoopFileWrite?> _fileWrites = [];
    private readonly Stack<int> _freeFileWrites = new();
    private bool _fileOpsMissing;

    private protected override void StartFileWrite(LoopFileWrite write)
    {
        if (_fileOpsMissing) { base.StartFileWrite(write); return; }
        if (!_freeFileWrites.TryPop(out var slot))
        {
            slot = _fileWrites.Count;
            _fileWrites.Add(null);
        }
        _fileWrites[slot] = write;
        write.HoldFile(); // the descriptor stays open while the kernel may still use it, whoever disposes the handle
        if (write.Data.Length > 0) { SubmitFileWrite(slot, write, link: write.Sync); }
        if (write.Sync) { SubmitFileSync(slot, write); }
        if (write.Outstanding == 0) { Post(() => FileWriteProgress(slot, write)); } // nothing to write or sync
    }

    private void SubmitFileWrite(int slot, LoopFileWrite write, bool link)
    {
        var sqe = _ring.NextSqe();
        sqe->Opcode = IoUringOp.Write;
        sqe->Flags = link ? SqeIoLink : (byte)0;
        sqe->Fd = (int)write.File.DangerousGetHandle();
        sqe->Off = (ulong)(write.Offset + write.Written);
        sqe->Addr = (ulong)((byte*)write.Pin.Pointer + write.Written);
        sqe->Len = (uint)(write.Data.Length - write.Written);
        sqe->UserData = UserData.Encode(OpKind.FileWrite, slot);
        write.Outstanding++;
    }

    // IORING_FSYNC_DATASYNC: fdatasync, as Redis syncs its append-only file: the data and what finding it needs (the
    // size an append changed), not the times.
    private const uint FsyncDataSync = 1;

    private void SubmitFileSync(int slot, LoopFileWrite write)
    {
        var sqe = _ring.NextSqe();
        sqe->Opcode = IoUringOp.Fsync;
        sqe->OpFlags = FsyncDataSync;
        sqe->Fd = (int)write.File.DangerousGetHandle();
        sqe->UserData = UserData.Encode(OpKind.FileSync, slot);
        write.Outstanding++;
    }

    private void OnFileWritten(int slot, int result)
    {
        var write = _fileWrites[slot]!;
        write.Outstanding--;
        // Nothing written and no error would retry forever: report it as the I/O error it is.
        if (result <= 0) { write.Error = write.Error != 0 ? write.Error : result == 0 ? -Libc.EIO : result; }
        else { write.Written += result; }
        if (write.Written == write.Data.Length) { write.AllWritten(); }
        FileWriteProgress(slot, write);
    }

    private void OnFileSynced(int slot, int result)
    {
        var write = _fileWrites[slot]!;
        write.Outstanding--;
        if (result == 0) { write.Synced = true; }
        else if (result != -Libc.ECANCELED && write.Error == 0) { write.Error = result; }
        FileWriteProgress(slot, write);
    }

    // Once nothing is in the kernel for it: the rest of a short write, a sync a broken link cancelled, or the end.
    private void FileWriteProgress(int slot, LoopFileWrite write)
    {
        if (write.Outstanding > 0) { return; }
        if (write.Error == 0 && write.Written < write.Data.Length)
        {
            SubmitFileWrite(slot, write, link: write.Sync);
            if (write.Sync) { SubmitFileSync(slot, write); }
            return;
        }
        if (write.Error == 0 && write.Sync && !write.Synced)
        {
            SubmitFileSync(slot, write);
            return;
        }
        _fileWrites[slot] = null;
        _freeFileWrites.Push(slot);
        write.Complete();
    }
}
