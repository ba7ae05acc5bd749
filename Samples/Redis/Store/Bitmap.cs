using System.Numerics;
using System.Runtime.InteropServices;

namespace Loop.Samples.Redis.Store;

/// <summary>
/// A string read as a bitmap, as Redis reads one: bit 0 is the most significant bit of the first byte, and bits past
/// the end read as zero. Counting goes a 64-bit word at a time, searching and combining a vector at a time.
/// </summary>
internal static class Bitmap
{
    public static bool GetBit(ReadOnlySpan<byte> bytes, long offset)
    {
        var index = offset >> 3;
        return index < bytes.Length && (bytes[(int)index] & BitMask(offset)) != 0;
    }

    /// <summary>The mask of bit <paramref name="offset"/> within its byte.</summary>
    public static byte BitMask(long offset) => (byte)(0x80 >> (int)(offset & 7));

    /// <summary>The set bits from <paramref name="firstBit"/> to <paramref name="lastBit"/> (inclusive, both within the bytes).</summary>
    public static long Count(ReadOnlySpan<byte> bytes, long firstBit, long lastBit)
    {
        var first = (int)(firstBit >> 3);
        var last = (int)(lastBit >> 3);
        var count = PopCount(bytes[first..(last + 1)]);
        count -= BitOperations.PopCount((uint)(bytes[first] & BitsBefore(firstBit)));
        count -= BitOperations.PopCount((uint)(bytes[last] & BitsAfter(lastBit)));
        return count;
    }

    /// <summary>The set bits of <paramref name="bytes"/>.</summary>
    public static long PopCount(ReadOnlySpan<byte> bytes)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        long count = 0;
        foreach (var word in words) { count += BitOperations.PopCount(word); }
        foreach (var b in bytes[(words.Length * sizeof(ulong))..]) { count += BitOperations.PopCount(b); }
        return count;
    }

    /// <summary>
    /// The first bit equal to <paramref name="bit"/> from <paramref name="firstBit"/> to <paramref name="lastBit"/>
    /// (inclusive, both within the bytes), or -1. Whole bytes that cannot hold it are skipped a vector at a time.
    /// </summary>
    public static long Position(ReadOnlySpan<byte> bytes, int bit, long firstBit, long lastBit)
    {
        var first = (int)(firstBit >> 3);
        var last = (int)(lastBit >> 3);
        // Sought bits read as ones: a clear bit is sought as a set bit of the inverted byte, and the bytes skipped
        // whole are those holding none (0x00 when seeking a one, 0xFF when seeking a zero).
        var flip = bit == 1 ? 0 : 0xFF;
        var head = (bytes[first] ^ flip) & ~BitsBefore(firstBit);
        if (first == last) { head &= ~BitsAfter(lastBit); }
        if ((head & 0xFF) != 0) { return (long)first * 8 + FirstSetBit(head); }
        if (first == last) { return -1; }
        var middle = bytes[(first + 1)..last].IndexOfAnyExcept((byte)flip);
        if (middle >= 0)
        {
            var index = first + 1 + middle;
            return (long)index * 8 + FirstSetBit(bytes[index] ^ flip);
        }
        var tail = (bytes[last] ^ flip) & ~BitsAfter(lastBit) & 0xFF;
        return tail != 0 ? (long)last * 8 + FirstSetBit(tail) : -1;
    }

    /// <summary>
    /// The unsigned integer of <paramref name="bits"/> (1..64) bits at bit <paramref name="offset"/>, most significant
    /// bit first; bytes past the end read as zero.
    /// </summary>
    public static ulong GetUnsigned(ReadOnlySpan<byte> bytes, long offset, int bits)
    {
        var (first, last, shift) = Window(offset, bits);
        UInt128 window = 0;
        for (var i = first; i <= last; i++) { window = (window << 8) | (i < bytes.Length ? bytes[(int)i] : 0u); }
        return (ulong)(window >> shift) & Mask(bits);
    }

    /// <summary>The two's complement integer of <paramref name="bits"/> bits at bit <paramref name="offset"/>.</summary>
    public static long GetSigned(ReadOnlySpan<byte> bytes, long offset, int bits) =>
        SignExtend(GetUnsigned(bytes, offset, bits), bits);

    /// <summary>Writes the low <paramref name="bits"/> bits of <paramref name="value"/> at bit <paramref name="offset"/> (within the bytes).</summary>
    public static void Set(Span<byte> bytes, long offset, int bits, ulong value)
    {
        var (first, last, shift) = Window(offset, bits);
        UInt128 window = 0;
        for (var i = first; i <= last; i++) { window = (window << 8) | bytes[(int)i]; }
        var field = (UInt128)Mask(bits) << shift;
        window = (window & ~field) | (((UInt128)(value & Mask(bits)) << shift) & field);
        for (var i = last; i >= first; i--)
        {
            bytes[(int)i] = (byte)window;
            window >>= 8;
        }
    }

    /// <summary>The low <paramref name="bits"/> bits of <paramref name="value"/> read as a two's complement integer.</summary>
    public static long SignExtend(ulong value, int bits) => (long)(value << (64 - bits)) >> (64 - bits);

    public static ulong Mask(int bits) => bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;

    /// <summary>
    /// <paramref name="target"/> combined byte by byte with <paramref name="source"/> (no longer than the target), a
    /// vector at a time; the target's bytes past the source are left as they are.
    /// </summary>
    public static void Combine<TOperation>(Span<byte> target, ReadOnlySpan<byte> source) where TOperation : struct, IByteOperation
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= source.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                TOperation.Apply(new Vector<byte>(target[i..]), new Vector<byte>(source[i..])).CopyTo(target[i..]);
            }
        }
        for (; i < source.Length; i++) { target[i] = TOperation.Apply(target[i], source[i]); }
    }

    /// <summary>Every bit of <paramref name="bytes"/> inverted.</summary>
    public static void Invert(Span<byte> bytes)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= bytes.Length - Vector<byte>.Count; i += Vector<byte>.Count) { (~new Vector<byte>(bytes[i..])).CopyTo(bytes[i..]); }
        }
        for (; i < bytes.Length; i++) { bytes[i] = (byte)~bytes[i]; }
    }

    // The bytes a field spans (at most 9) and how far its last bit sits from the low end of the last byte.
    private static (long First, long Last, int Shift) Window(long offset, int bits)
    {
        var end = offset + bits - 1;
        return (offset >> 3, end >> 3, 7 - (int)(end & 7));
    }

    // The bits of a byte before bit `offset` and after it, as masks.
    private static int BitsBefore(long offset) => ~(0xFF >> (int)(offset & 7)) & 0xFF;

    private static int BitsAfter(long offset) => 0x7F >> (int)(offset & 7);

    private static int FirstSetBit(int value) => BitOperations.LeadingZeroCount((uint)(value & 0xFF)) - 24;
}

/// <summary>A bitwise operation on bytes and on vectors of bytes (a struct, so <see cref="Bitmap.Combine{T}"/> inlines it).</summary>
internal interface IByteOperation
{
    static abstract byte Apply(byte left, byte right);

    static abstract Vector<byte> Apply(Vector<byte> left, Vector<byte> right);
}

internal readonly struct AndOperation : IByteOperation
{
    public static byte Apply(byte left, byte right) => (byte)(left & right);

    public static Vector<byte> Apply(Vector<byte> left, Vector<byte> right) => left & right;
}

internal readonly struct OrOperation : IByteOperation
{
    public static byte Apply(byte left, byte right) => (byte)(left | right);

    public static Vector<byte> Apply(Vector<byte> left, Vector<byte> right) => left | right;
}

internal readonly struct XorOperation : IByteOperation
{
    public static byte Apply(byte left, byte right) => (byte)(left ^ right);

    public static Vector<byte> Apply(Vector<byte> left, Vector<byte> right) => left ^ right;
}
