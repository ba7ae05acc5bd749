using System.Buffers.Binary;
using System.Buffers.Text;

namespace Loop.Samples.Redis.Store;

/// <summary>A stream entry's ID: milliseconds and a sequence number, ordered as Redis orders them (ms first).</summary>
internal readonly record struct StreamId(ulong Ms, ulong Seq) : IComparable<StreamId>
{
    public static StreamId Zero => default;

    public static StreamId Max => new(ulong.MaxValue, ulong.MaxValue);

    /// <summary>The longest ID text ("18446744073709551615-18446744073709551615").</summary>
    public const int MaxTextLength = 41;

    public bool IsZero => Ms == 0 && Seq == 0;

    public int CompareTo(StreamId other) => Ms != other.Ms ? Ms.CompareTo(other.Ms) : Seq.CompareTo(other.Seq);

    public static bool operator <(StreamId a, StreamId b) => a.CompareTo(b) < 0;
    public static bool operator >(StreamId a, StreamId b) => a.CompareTo(b) > 0;
    public static bool operator <=(StreamId a, StreamId b) => a.CompareTo(b) <= 0;
    public static bool operator >=(StreamId a, StreamId b) => a.CompareTo(b) >= 0;

    /// <summary>The next ID (streamIncrID); false past the last one.</summary>
    public bool TryNext(out StreamId next)
    {
        var isLast = this == Max; // before writing: `next` may be this very variable
        next = Seq != ulong.MaxValue ? new(Ms, Seq + 1) : Ms != ulong.MaxValue ? new(Ms + 1, 0) : Zero;
        return !isLast;
    }

    /// <summary>The previous ID (streamDecrID); false before the first one.</summary>
    public bool TryPrevious(out StreamId previous)
    {
        var isFirst = IsZero; // before writing: `previous` may be this very variable
        previous = Seq != 0 ? new(Ms, Seq - 1) : Ms != 0 ? new(Ms - 1, ulong.MaxValue) : Max;
        return !isFirst;
    }

    /// <summary>Writes "ms-seq"; returns how many bytes.</summary>
    public int Format(Span<byte> destination)
    {
        Utf8Formatter.TryFormat(Ms, destination, out var written);
        destination[written++] = (byte)'-';
        Utf8Formatter.TryFormat(Seq, destination[written..], out var more);
        return written + more;
    }

    public override string ToString()
    {
        Span<byte> text = stackalloc byte[MaxTextLength];
        return System.Text.Encoding.ASCII.GetString(text[..Format(text)]);
    }

    /// <summary>The 128-bit big-endian form Redis keys its radix trees with (so byte order is ID order).</summary>
    public void WriteBigEndian(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, Ms);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Seq);
    }

    public static StreamId ReadBigEndian(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(source), BinaryPrimitives.ReadUInt64BigEndian(source[8..]));
}
