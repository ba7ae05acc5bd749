using System.Buffers;

namespace Loop.Internal.Output;

/// <summary>
/// A block of native output memory. Bytes in [Start, End) are written and not yet sent. Native so the kernel
/// may read it while a send is in flight without pinning, and so it can sit inside a registered region.
/// </summary>
internal sealed unsafe class OutputChunk(byte* pointer, int capacity, bool registered) : MemoryManager<byte>
{
    public readonly byte* Pointer = pointer;
    public readonly int Capacity = capacity;

    /// <summary>Inside the loop's registered buffer (IORING_REGISTER_BUFFERS), so sends can use it fixed.</summary>
    public readonly bool Registered = registered;

    public int Start;
    public int End;
    public OutputChunk? Next;

    public int Unsent => End - Start;
    public int Free => Capacity - End;

    public override Span<byte> GetSpan() => new(Pointer, Capacity);

    public override MemoryHandle Pin(int elementIndex = 0) => new(Pointer + elementIndex);

    public override void Unpin() { }

    protected override void Dispose(bool disposing) { }
}
