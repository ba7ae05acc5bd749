namespace Loop.Samples.Redis.Store;

/// <summary>A score interval, each end inclusive or exclusive (ZRANGEBYSCORE's <c>(1 5</c>).</summary>
internal readonly record struct ScoreRange(double Min, bool MinExclusive, double Max, bool MaxExclusive) : ISortedSetRange
{
    public bool IsEmpty => Min > Max || (Min == Max && (MinExclusive || MaxExclusive));

    public bool ReachesMin(SkipListNode node) => MinExclusive ? node.Score > Min : node.Score >= Min;

    public bool WithinMax(SkipListNode node) => MaxExclusive ? node.Score < Max : node.Score <= Max;
}

/// <summary>
/// One end of a lexicographic range: bytes, inclusive (<c>[a</c>) or exclusive (<c>(a</c>), or one of the
/// infinities <c>-</c> and <c>+</c> (<paramref name="Infinity"/> -1 or 1, which sort below and above every member).
/// </summary>
internal readonly record struct LexBound(byte[] Value, bool Exclusive, int Infinity)
{
    public static readonly LexBound Minimum = new([], true, -1);
    public static readonly LexBound Maximum = new([], true, 1);

    /// <summary>Where <paramref name="member"/> sorts relative to this bound: negative, zero or positive.</summary>
    public int CompareMember(ReadOnlySpan<byte> member) => Infinity != 0 ? -Infinity : member.SequenceCompareTo(Value);

    public int CompareTo(LexBound other) =>
        Infinity != 0 || other.Infinity != 0 ? Infinity.CompareTo(other.Infinity) : Value.AsSpan().SequenceCompareTo(other.Value);
}

/// <summary>A range of member bytes (ZRANGEBYLEX), meaningful when all members have the same score.</summary>
internal readonly record struct LexRange(LexBound Min, LexBound Max) : ISortedSetRange
{
    public bool IsEmpty
    {
        get
        {
            var order = Min.CompareTo(Max);
            return order > 0 || (order == 0 && (Min.Exclusive || Max.Exclusive));
        }
    }

    public bool ReachesMin(SkipListNode node)
    {
        var order = Min.CompareMember(node.Member);
        return Min.Exclusive ? order > 0 : order >= 0;
    }

    public bool WithinMax(SkipListNode node)
    {
        var order = Max.CompareMember(node.Member);
        return Max.Exclusive ? order < 0 : order <= 0;
    }
}
