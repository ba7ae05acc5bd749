using System.Runtime.InteropServices;
using Loop.Internal.Interop;

namespace Loop.Internal.Output;

/// <summary>
/// A loop's output memory: one contiguous region cut into equal chunks (registered with the ring by the
/// io_uring backend), plus heap chunks when the region runs out (or is empty, when locked memory is scarce),
/// so a burst is slower but never refused. Loop-thread only.
/// </summary>
internal sealed unsafe class ChunkPool : IDisposable
{
    private readonly Stack<OutputChunk> _free = new();
    private readonly Stack<OutputChunk> _freeOverflow = new();
    private readonly int _overflowKept;

    public byte* Region { get; }
    public nuint RegionBytes { get; }
    public int ChunkSize { get; }
    public int RegisteredCount { get; }

    /// <param name="registeredCount">Chunks in the region (may be 0).</param>
    /// <param name="heapKept">Heap chunks kept for reuse once returned.</param>
    /// <param name="chunkSize">Bytes per chunk.</param>
    public ChunkPool(int registeredCount, int heapKept, int chunkSize)
    {
        ChunkSize = chunkSize;
        RegisteredCount = registeredCount;
        RegionBytes = (nuint)registeredCount * (nuint)chunkSize;
        if (registeredCount > 0) { Region = Libc.MapAnonymous(RegionBytes); }
        for (var i = registeredCount - 1; i >= 0; i--)
        {
            _free.Push(new OutputChunk(Region + (nuint)i * (nuint)chunkSize, chunkSize, registered: true));
        }
        _overflowKept = heapKept;
    }

    /// <summary>A pool for a backend that registers nothing: the same chunk count, all as plain memory.</summary>
    public ChunkPool(int chunkCount, int chunkSize) : this(chunkCount, chunkCount, chunkSize) { }

    public OutputChunk Rent(int sizeHint)
    {
        if (sizeHint <= ChunkSize)
        {
            if (_free.TryPop(out var chunk) || _freeOverflow.TryPop(out chunk)) { return chunk; }
        }
        var size = Math.Max(sizeHint, ChunkSize);
        return new OutputChunk((byte*)NativeMemory.Alloc((nuint)size), size, registered: false);
    }

    public void Return(OutputChunk chunk)
    {
        chunk.Start = chunk.End = 0;
        chunk.Next = null;
        if (chunk.Registered) { _free.Push(chunk); }
        else if (chunk.Capacity == ChunkSize && _freeOverflow.Count < _overflowKept) { _freeOverflow.Push(chunk); }
        else { NativeMemory.Free(chunk.Pointer); }
    }

    public void Dispose()
    {
        while (_freeOverflow.TryPop(out var chunk)) { NativeMemory.Free(chunk.Pointer); }
        _free.Clear();
        if (Region is not null) { Libc.Munmap(Region, RegionBytes); }
    }
}
