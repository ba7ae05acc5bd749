using System.Runtime.InteropServices;

namespace Loop.Internal.Input;

/// <summary>
/// Received bytes a handler has not consumed yet, kept for the next delivery. Native memory, so that a large
/// carry (a half-received 500 MB bulk) goes back to the operating system the moment it is released instead
/// of staying in a managed pool or waiting for a full GC. Loop-thread only.
/// </summary>
internal sealed unsafe class InputCarry
{
    // Kept across deliveries below this size; a larger buffer is freed as soon as it empties.
    private const int KeptCapacity = 16 * 1024;

    private byte* _data;
    private int _capacity;

    public int Length { get; private set; }

    /// <summary>Bytes allocated for the carry, <see cref="Length"/> of them in use.</summary>
    public int Capacity => _capacity;

    public Span<byte> Pending => new(_data, Length);

    /// <summary>Appends <paramref name="bytes"/>; false (and nothing kept) if that would pass <paramref name="limit"/>.</summary>
    public bool TryAppend(ReadOnlySpan<byte> bytes, int limit)
    {
        var needed = (long)Length + bytes.Length;
        if (needed > limit) { return false; }
        if (needed > _capacity)
        {
            // Doubling in long arithmetic: no overflow, never past the limit.
            var grown = (int)Math.Min(Math.Max(needed, Math.Max(_capacity * 2L, 4096)), limit);
            _data = (byte*)NativeMemory.Realloc(_data, (nuint)grown);
            _capacity = grown;
        }
        bytes.CopyTo(new Span<byte>(_data + Length, bytes.Length));
        Length = (int)needed;
        return true;
    }

    /// <summary>Drops the first <paramref name="count"/> bytes; what is left moves to the front.</summary>
    public void Consume(int count)
    {
        if (count == 0) { return; }
        Pending[count..].CopyTo(new Span<byte>(_data, Length - count));
        Length -= count;
        if (Length == 0 && _capacity > KeptCapacity) { Release(); }
    }

    /// <summary>Frees the memory.</summary>
    public void Release()
    {
        NativeMemory.Free(_data);
        _data = null;
        _capacity = Length = 0;
    }
}
