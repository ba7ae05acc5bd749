namespace Loop;

/// <summary>Connections closed, counted per <see cref="CloseReason"/>.</summary>
public sealed class CloseReasonCounts
{
    private readonly long[] _counts;

    internal CloseReasonCounts(long[] counts) => _counts = counts;

    /// <summary>Connections closed for <paramref name="reason"/>.</summary>
    public long this[CloseReason reason] => _counts[(int)reason];

    /// <summary>Every reason with its count.</summary>
    public IEnumerable<(CloseReason Reason, long Count)> All => Enum.GetValues<CloseReason>().Select(r => (r, this[r]));

    /// <summary>Reason-wise sum, for a server's total.</summary>
    public static CloseReasonCounts operator +(CloseReasonCounts a, CloseReasonCounts b) =>
        new(a._counts.Zip(b._counts, (x, y) => x + y).ToArray());

    /// <summary>All zero.</summary>
    public static CloseReasonCounts Zero { get; } = new(new long[Enum.GetValues<CloseReason>().Length]);

    /// <inheritdoc/>
    public override string ToString() => string.Join(" ", All.Where(c => c.Count > 0).Select(c => $"{c.Reason}={c.Count}"));
}
