namespace Loop.Samples.Redis.Store;

/// <summary>
/// The opcodes of a sparse HLL, each a run of registers: ZERO <c>00xxxxxx</c> (1 to 64 zeros), XZERO
/// <c>01xxxxxx yyyyyyyy</c> (1 to 16384 zeros) and VAL <c>1vvvvvxx</c> (1 to 4 registers of value 1 to 32).
/// </summary>
internal static class HyperLogLogOpcodes
{
    public const int ZeroMaxLength = 64;
    public const int ValMaxLength = 4;

    public static bool IsZero(byte op) => (op & 0xc0) == 0;

    public static bool IsXZero(byte op) => (op & 0xc0) == 0x40;

    public static bool IsVal(byte op) => (op & 0x80) != 0;

    public static int ValValue(byte op) => ((op >> 2) & 0x1f) + 1;

    public static int ValLength(byte op) => (op & 3) + 1;

    public static byte Val(int value, int length) => (byte)(0x80 | (value - 1) << 2 | (length - 1));

    /// <summary>
    /// The zeros of the ZERO or XZERO opcode at <paramref name="at"/> and its size in bytes. An XZERO cut short by the
    /// string's end reads its second byte as 0, the terminating zero Redis's strings carry.
    /// </summary>
    public static int ZerosAt(ReadOnlySpan<byte> hll, int at, out int size)
    {
        var op = hll[at];
        if (IsZero(op))
        {
            size = 1;
            return (op & 0x3f) + 1;
        }
        size = 2;
        var low = at + 1 < hll.Length ? hll[at + 1] : 0;
        return ((op & 0x3f) << 8 | low) + 1;
    }

    /// <summary>The registers the opcode at <paramref name="at"/> covers, and its size in bytes.</summary>
    public static int LengthAt(ReadOnlySpan<byte> hll, int at, out int size)
    {
        if (!IsVal(hll[at])) { return ZerosAt(hll, at, out size); }
        size = 1;
        return ValLength(hll[at]);
    }

    /// <summary>A run of <paramref name="length"/> zeros as one opcode, ZERO when it fits, else XZERO; returns its size.</summary>
    public static int WriteZeros(Span<byte> to, int length)
    {
        if (length <= ZeroMaxLength)
        {
            to[0] = (byte)(length - 1);
            return 1;
        }
        WriteXZero(to, length);
        return 2;
    }

    public static void WriteXZero(Span<byte> to, int length)
    {
        to[0] = (byte)(0x40 | (length - 1) >> 8);
        to[1] = (byte)(length - 1);
    }
}
