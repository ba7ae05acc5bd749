namespace Loop.Samples.Redis.Store;

/// <summary>
/// Compares keys by content. The span alternate lets lookups use the received bytes directly, so a GET
/// allocates nothing. Ordered byte by byte (a prefix first), as Redis's radix trees order names.
/// </summary>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>, IComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] key) => GetHashCode(key.AsSpan());

    public bool Equals(ReadOnlySpan<byte> span, byte[] key) => span.SequenceEqual(key);

    public int GetHashCode(ReadOnlySpan<byte> span)
    {
        var hash = new HashCode();
        hash.AddBytes(span);
        return hash.ToHashCode();
    }

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);

    public byte[] Create(ReadOnlySpan<byte> span) => span.ToArray();
}
