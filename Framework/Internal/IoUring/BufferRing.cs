using System.Runtime.CompilerServices;
using Loop.Internal.Interop;

namespace Loop.Internal.IoUring;

/// <summary>
/// A provided-buffer ring (IORING_REGISTER_PBUF_RING): the kernel picks a receive buffer only when data
/// arrives, so idle connections hold none. Buffers go back to the ring as soon as their bytes are handled.
/// </summary>
internal sealed unsafe class BufferRing : IDisposable
{
    private readonly IoUringBuf* _ring;
    private readonly byte* _memory;
    private readonly nuint _ringBytes, _memoryBytes;
    private readonly int _bufferSize;
    private readonly ushort _mask;
    private ushort _tail;

    public ushort GroupId { get; }
    public int Count { get; }

    public BufferRing(Ring ring, ushort groupId, int count, int bufferSize)
    {
        GroupId = groupId;
        Count = count;
        _bufferSize = bufferSize;
        _mask = (ushort)(count - 1);
        _ringBytes = (nuint)(count * sizeof(IoUringBuf));
        _memoryBytes = (nuint)count * (nuint)bufferSize;
        _ring = (IoUringBuf*)Libc.MapAnonymous(_ringBytes);
        _memory = Libc.MapAnonymous(_memoryBytes);

        var reg = new IoUringBufReg { RingAddr = (ulong)_ring, RingEntries = (uint)count, Bgid = groupId };
        var rc = ring.Register(IoUringConst.RegisterPbufRing, &reg, 1);
        if (rc < 0)
        {
            Dispose();
            throw new IoUringUnavailableException("IORING_REGISTER_PBUF_RING (provided-buffer rings need kernel 5.19)", -rc);
        }
        for (var bid = 0; bid < count; bid++) { Add((ushort)bid); }
        Publish();
    }

    public ReadOnlySpan<byte> Data(ushort bid, int length) => new(_memory + (nuint)bid * (nuint)_bufferSize, length);

    /// <summary>Hands a buffer back to the kernel (visible after <see cref="Publish"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Recycle(ushort bid)
    {
        Add(bid);
        Publish();
    }

    // Writes every field but Resv: the Resv of entry 0 is the ring's tail.
    private void Add(ushort bid)
    {
        var entry = &_ring[_tail & _mask];
        entry->Addr = (ulong)(_memory + (nuint)bid * (nuint)_bufferSize);
        entry->Len = (uint)_bufferSize;
        entry->Bid = bid;
        _tail++;
    }

    // Release: the kernel must see the entries before the tail that covers them.
    private void Publish() => Volatile.Write(ref _ring->Resv, _tail);

    public void Dispose()
    {
        Libc.Munmap(_ring, _ringBytes);
        Libc.Munmap(_memory, _memoryBytes);
    }
}
