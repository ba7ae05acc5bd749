using System.Buffers.Binary;
using System.Numerics;

namespace Loop.Samples.Redis.Store;

/// <summary>
/// Redis's HyperLogLog, byte for byte: a string of a 16-byte header ("HYLL", the encoding, three unused bytes, the
/// cached cardinality little endian with its top bit set while stale) and 16384 registers, either dense (6 bits each,
/// packed from the low bits of each byte up) or sparse (run lengths of ZERO, XZERO and VAL opcodes, changed by
/// <see cref="HyperLogLogUpdate"/>). Elements are hashed with MurmurHash64A and counts estimated with Redis 7.0's
/// estimator, in its order of floating point operations, so every count is redis-server's.
/// </summary>
internal static class HyperLogLog
{
    public const int HeaderSize = 16;
    public const int Registers = 1 << P;
    public const int DenseSize = HeaderSize + Registers * Bits / 8;
    public const byte Dense = 0;
    public const byte Sparse = 1;

    /// <summary>The largest value a sparse VAL opcode holds; a larger register makes the HLL dense.</summary>
    public const int SparseValueMax = 32;

    /// <summary>The most registers one XZERO opcode covers.</summary>
    public const int XZeroMaxLength = 16384;

    private const int P = 14;
    private const int Q = 64 - P;
    private const int Bits = 6;
    private const int RegisterMax = (1 << Bits) - 1;
    private const int EncodingAt = 4;
    private const int CardinalityAt = 8;
    private const ulong HashSeed = 0xadc83b19;
    private const double AlphaInfinity = 0.721347520444481703680; // 0.5 / ln 2

    /// <summary>A new, empty HLL as PFADD creates one: sparse, all registers in XZERO opcodes, cardinality 0 cached.</summary>
    public static byte[] NewSparse()
    {
        var hll = new byte[HeaderSize + Registers / XZeroMaxLength * 2];
        "HYLL"u8.CopyTo(hll);
        hll[EncodingAt] = Sparse;
        for (var at = HeaderSize; at < hll.Length; at += 2) { HyperLogLogOpcodes.WriteXZero(hll.AsSpan(at), XZeroMaxLength); }
        return hll;
    }

    /// <summary>
    /// Whether a string is an HLL as Redis checks one before using it: the magic, a known encoding and, when dense, the
    /// exact size. Sparse opcodes are checked only as they are read.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> value) =>
        value.Length >= HeaderSize && value.StartsWith("HYLL"u8) && value[EncodingAt] <= Sparse
        && (value[EncodingAt] == Sparse || value.Length == DenseSize);

    public static bool IsDense(ReadOnlySpan<byte> hll) => hll[EncodingAt] == Dense;

    public static bool TryCachedCardinality(ReadOnlySpan<byte> hll, out ulong cardinality)
    {
        cardinality = BinaryPrimitives.ReadUInt64LittleEndian(hll[CardinalityAt..]);
        return (cardinality >> 63) == 0;
    }

    public static void CacheCardinality(Span<byte> hll, ulong cardinality) =>
        BinaryPrimitives.WriteUInt64LittleEndian(hll[CardinalityAt..], cardinality);

    public static void InvalidateCache(Span<byte> hll) => hll[HeaderSize - 1] |= 0x80;

    /// <summary>The register an element hashes to, and the length of its hash's run of zeros ending in a one (1 to Q+1).</summary>
    public static int PatternOf(ReadOnlySpan<byte> element, out int count)
    {
        var hash = MurmurHash64A(element, HashSeed);
        count = BitOperations.TrailingZeroCount((hash >> P) | (1UL << Q)) + 1;
        return (int)(hash & (Registers - 1));
    }

    /// <summary>MurmurHash2, 64-bit, reading words little endian as Redis's endian-neutral version does.</summary>
    public static ulong MurmurHash64A(ReadOnlySpan<byte> key, ulong seed)
    {
        const ulong m = 0xc6a4a7935bd1e995;
        const int r = 47;
        var h = seed ^ ((ulong)key.Length * m);
        var whole = key.Length & ~7;
        for (var at = 0; at < whole; at += 8)
        {
            var k = BinaryPrimitives.ReadUInt64LittleEndian(key[at..]);
            k *= m;
            k ^= k >> r;
            k *= m;
            h ^= k;
            h *= m;
        }
        var tail = key[whole..];
        if (!tail.IsEmpty)
        {
            for (var i = 0; i < tail.Length; i++) { h ^= (ulong)tail[i] << (8 * i); }
            h *= m;
        }
        h ^= h >> r;
        h *= m;
        h ^= h >> r;
        return h;
    }

    /// <summary>Dense register <paramref name="index"/> of the registers after the header.</summary>
    public static int DenseRegister(ReadOnlySpan<byte> registers, int index)
    {
        var bit = index * Bits;
        var at = bit >> 3;
        var shift = bit & 7;
        // A register within one byte never reads the next: the last register's byte is the string's last.
        var word = shift <= 8 - Bits ? registers[at] : registers[at] | registers[at + 1] << 8;
        return (word >> shift) & RegisterMax;
    }

    /// <summary>Raises dense register <paramref name="index"/> to <paramref name="count"/>; false when it held as much already.</summary>
    public static bool RaiseDenseRegister(Span<byte> registers, int index, int count)
    {
        if (DenseRegister(registers, index) >= count) { return false; }
        var bit = index * Bits;
        var at = bit >> 3;
        var shift = bit & 7;
        registers[at] = (byte)((registers[at] & ~(RegisterMax << shift)) | (count << shift));
        if (shift > 8 - Bits)
        {
            registers[at + 1] = (byte)((registers[at + 1] & ~(RegisterMax >> (8 - shift))) | (count >> (8 - shift)));
        }
        return true;
    }

    /// <summary>
    /// Raises each of <paramref name="max"/> (one byte per register) to the HLL's register, as PFMERGE and PFCOUNT of
    /// several keys merge. False for sparse opcodes that do not cover exactly the registers (a VAL running past the
    /// last one ends the walk, as in Redis).
    /// </summary>
    public static bool TryMaxInto(ReadOnlySpan<byte> hll, Span<byte> max)
    {
        if (IsDense(hll))
        {
            var registers = hll[HeaderSize..];
            for (var i = 0; i < Registers; i++) { max[i] = Math.Max(max[i], (byte)DenseRegister(registers, i)); }
            return true;
        }
        var index = 0;
        for (var at = HeaderSize; at < hll.Length;)
        {
            var op = hll[at];
            if (HyperLogLogOpcodes.IsVal(op))
            {
                var length = HyperLogLogOpcodes.ValLength(op);
                if (index + length > Registers) { break; }
                var value = (byte)HyperLogLogOpcodes.ValValue(op);
                for (var end = index + length; index < end; index++) { max[index] = Math.Max(max[index], value); }
                at++;
            }
            else
            {
                index += HyperLogLogOpcodes.ZerosAt(hll, at, out var size);
                at += size;
            }
        }
        return index == Registers;
    }

    /// <summary>A sparse HLL as a new dense one (header kept), or null when its opcodes are corrupt.</summary>
    public static byte[]? ToDense(ReadOnlySpan<byte> sparse)
    {
        Span<byte> values = stackalloc byte[Registers];
        values.Clear();
        if (!TryMaxInto(sparse, values)) { return null; }
        var dense = new byte[DenseSize];
        sparse[..HeaderSize].CopyTo(dense);
        dense[EncodingAt] = Dense;
        var registers = dense.AsSpan(HeaderSize);
        for (var i = 0; i < Registers; i++) { RaiseDenseRegister(registers, i, values[i]); }
        return dense;
    }

    /// <summary>The cardinality of one HLL, dense or sparse; false for corrupt sparse opcodes.</summary>
    public static bool TryCount(ReadOnlySpan<byte> hll, out ulong cardinality)
    {
        Span<int> histogram = stackalloc int[64];
        histogram.Clear();
        cardinality = 0;
        if (IsDense(hll))
        {
            var registers = hll[HeaderSize..];
            for (var i = 0; i < Registers; i++) { histogram[DenseRegister(registers, i)]++; }
        }
        else if (!TrySparseHistogram(hll, histogram))
        {
            return false;
        }
        cardinality = Estimate(histogram);
        return true;
    }

    /// <summary>The cardinality of registers held one per byte (the union PFCOUNT of several keys counts).</summary>
    public static ulong Count(ReadOnlySpan<byte> registers)
    {
        Span<int> histogram = stackalloc int[64];
        histogram.Clear();
        foreach (var value in registers) { histogram[value]++; }
        return Estimate(histogram);
    }

    // Unlike TryMaxInto, Redis's histogram walk does not stop at a VAL running past the last register.
    private static bool TrySparseHistogram(ReadOnlySpan<byte> hll, Span<int> histogram)
    {
        var index = 0;
        for (var at = HeaderSize; at < hll.Length;)
        {
            var op = hll[at];
            if (HyperLogLogOpcodes.IsVal(op))
            {
                var length = HyperLogLogOpcodes.ValLength(op);
                histogram[HyperLogLogOpcodes.ValValue(op)] += length;
                index += length;
                at++;
            }
            else
            {
                var length = HyperLogLogOpcodes.ZerosAt(hll, at, out var size);
                histogram[0] += length;
                index += length;
                at += size;
            }
        }
        return index == Registers;
    }

    // Otmar Ertl's estimator ("New cardinality estimation algorithms for HyperLogLog sketches", arXiv:1702.01284), each
    // operation in Redis's order: the same doubles, so the same rounded count.
    private static ulong Estimate(ReadOnlySpan<int> histogram)
    {
        const double m = Registers;
        var z = m * Tau((m - histogram[Q + 1]) / m);
        for (var j = Q; j >= 1; j--)
        {
            z += histogram[j];
            z *= 0.5;
        }
        z += m * Sigma(histogram[0] / m);
        return (ulong)Math.Round(AlphaInfinity * m * m / z, MidpointRounding.AwayFromZero);
    }

    private static double Sigma(double x)
    {
        if (x == 1) { return double.PositiveInfinity; }
        double y = 1, z = x, previous;
        do
        {
            x *= x;
            previous = z;
            z += x * y;
            y += y;
        }
        while (previous != z);
        return z;
    }

    private static double Tau(double x)
    {
        if (x == 0 || x == 1) { return 0; }
        double y = 1, z = 1 - x, previous;
        do
        {
            x = Math.Sqrt(x);
            previous = z;
            y *= 0.5;
            z -= Math.Pow(1 - x, 2) * y; // libm's pow, as Redis calls it
        }
        while (previous != z);
        return z / 3;
    }
}
