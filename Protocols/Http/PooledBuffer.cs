using System.Buffers;

namespace Loop.Protocols.Http;

/// <summary>A growable byte buffer rented from the shared array pool, returned when released.</summary>
internal sealed class PooledBuffer
{
    private byte[] _array = [];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    public void Append(ReadOnlySpan<byte> data)
    {
        EnsureCapacity(Length + data.Length);
        data.CopyTo(_array.AsSpan(Length));
        Length += data.Length;
    }

    public void EnsureCapacity(int capacity)
    {
        if (_array.Length >= capacity) { return; }
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 2 * _array.Length));
        Span.CopyTo(bigger);
        if (_array.Length > 0) { ArrayPool<byte>.Shared.Return(_array); }
        _array = bigger;
    }

    /// <summary>Empties the buffer and gives its array back to the pool.</summary>
    public void Release()
    {
        if (_array.Length > 0) { ArrayPool<byte>.Shared.Return(_array); }
        _array = [];
        Length = 0;
    }
}
