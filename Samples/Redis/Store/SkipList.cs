using System.Runtime.CompilerServices;

namespace Loop.Samples.Redis.Store;

/// <summary>A sorted set member in the skip list; <see cref="Slot"/> is its place in the set's scan slots.</summary>
internal sealed class SkipListNode(byte[] member, double score, int levels)
{
    public byte[] Member { get; } = member;
    public double Score { get; set; } = score;
    public int Slot { get; set; }
    public SkipListNode? Previous { get; set; }

    /// <summary>Per level: the next node and how many level-0 steps that link jumps.</summary>
    public readonly (SkipListNode? Next, long Span)[] Levels = new (SkipListNode?, long)[levels];

    /// <summary>True when this node sorts before (<paramref name="score"/>, <paramref name="member"/>): by score, then by bytes.</summary>
    public bool IsBefore(double score, ReadOnlySpan<byte> member) => Score < score || (Score == score && Member.AsSpan().SequenceCompareTo(member) < 0);
}

/// <summary>A contiguous range of a sorted set, by score or by member bytes.</summary>
internal interface ISortedSetRange
{
    /// <summary>No member can fall inside (min above max, or equal and exclusive).</summary>
    bool IsEmpty { get; }

    /// <summary>The node is not below the range's low end.</summary>
    bool ReachesMin(SkipListNode node);

    /// <summary>The node is not above the range's high end.</summary>
    bool WithinMax(SkipListNode node);
}

/// <summary>
/// Redis's skip list (t_zset.c): nodes ordered by (score, member bytes), each link remembering how many nodes
/// it jumps, so rank lookups and access by rank take O(log n) like searches; level 0 links both ways.
/// </summary>
internal sealed class SkipList
{
    private const int MaxLevel = 32;
    private const double LevelUpProbability = 0.25;

    private readonly SkipListNode _head = new([], 0, MaxLevel);
    private int _level = 1;

    public int Count { get; private set; }

    public SkipListNode? First => _head.Levels[0].Next;

    public SkipListNode? Last { get; private set; }

    public SkipListNode Insert(byte[] member, double score)
    {
        var node = new SkipListNode(member, score, RandomLevel());
        Link(node);
        return node;
    }

    public void Delete(SkipListNode node)
    {
        var update = new NodeBuffer();
        Search(node.Score, node.Member, ref update, []);
        Unlink(node, ref update);
    }

    /// <summary>Changes a node's score, moving it only when its neighbours no longer bracket the new score.</summary>
    public void UpdateScore(SkipListNode node, double score)
    {
        var next = node.Levels[0].Next;
        if ((node.Previous is null || node.Previous.Score < score) && (next is null || next.Score > score))
        {
            node.Score = score;
            return;
        }
        Delete(node);
        node.Score = score;
        Link(node);
    }

    /// <summary>The 0-based rank of a node in the list.</summary>
    public long Rank(SkipListNode node)
    {
        var x = _head;
        long rank = 0;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Next is { } next && (next == node || next.IsBefore(node.Score, node.Member)))
            {
                rank += x.Levels[i].Span;
                x = next;
            }
            if (x == node) { return rank - 1; }
        }
        throw new InvalidOperationException("The node is not in this list.");
    }

    /// <summary>The node at 0-based <paramref name="rank"/>, or null past the end.</summary>
    public SkipListNode? AtRank(long rank)
    {
        var x = _head;
        long traversed = 0;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Next is { } next && traversed + x.Levels[i].Span <= rank + 1)
            {
                traversed += x.Levels[i].Span;
                x = next;
            }
            if (traversed == rank + 1) { return x; }
        }
        return null;
    }

    /// <summary>The first node inside <paramref name="range"/>, or null.</summary>
    public SkipListNode? FirstIn<TRange>(in TRange range) where TRange : struct, ISortedSetRange
    {
        if (range.IsEmpty) { return null; }
        var x = _head;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Next is { } next && !range.ReachesMin(next)) { x = next; }
        }
        return x.Levels[0].Next is { } first && range.WithinMax(first) ? first : null;
    }

    /// <summary>The last node inside <paramref name="range"/>, or null.</summary>
    public SkipListNode? LastIn<TRange>(in TRange range) where TRange : struct, ISortedSetRange
    {
        if (range.IsEmpty) { return null; }
        var x = _head;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Next is { } next && range.WithinMax(next)) { x = next; }
        }
        return x != _head && range.ReachesMin(x) ? x : null;
    }

    /// <summary>Nodes from <paramref name="start"/> on, forwards or backwards.</summary>
    public static IEnumerable<SkipListNode> Walk(SkipListNode? start, bool reverse)
    {
        for (var node = start; node is not null; node = reverse ? node.Previous : node.Levels[0].Next) { yield return node; }
    }

    // Finds, per level, the last node before (score, member) and its rank, as insertion and removal need.
    private void Search(double score, ReadOnlySpan<byte> member, ref NodeBuffer update, Span<long> rank)
    {
        var x = _head;
        for (var i = _level - 1; i >= 0; i--)
        {
            if (!rank.IsEmpty) { rank[i] = i == _level - 1 ? 0 : rank[i + 1]; }
            while (x.Levels[i].Next is { } next && next.IsBefore(score, member))
            {
                if (!rank.IsEmpty) { rank[i] += x.Levels[i].Span; }
                x = next;
            }
            update[i] = x;
        }
    }

    private void Link(SkipListNode node)
    {
        var update = new NodeBuffer();
        Span<long> rank = stackalloc long[MaxLevel];
        Search(node.Score, node.Member, ref update, rank);
        var levels = node.Levels.Length;
        for (var i = _level; i < levels; i++)
        {
            rank[i] = 0;
            update[i] = _head;
            _head.Levels[i].Span = Count;
        }
        _level = Math.Max(_level, levels);
        for (var i = 0; i < levels; i++)
        {
            ref var before = ref update[i].Levels[i];
            node.Levels[i] = (before.Next, before.Span - (rank[0] - rank[i]));
            before = (node, rank[0] - rank[i] + 1);
        }
        for (var i = levels; i < _level; i++) { update[i].Levels[i].Span++; }
        node.Previous = update[0] == _head ? null : update[0];
        if (node.Levels[0].Next is { } after) { after.Previous = node; } else { Last = node; }
        Count++;
    }

    private void Unlink(SkipListNode node, ref NodeBuffer update)
    {
        for (var i = 0; i < _level; i++)
        {
            ref var before = ref update[i].Levels[i];
            if (before.Next == node) { before = (node.Levels[i].Next, before.Span + node.Levels[i].Span - 1); }
            else { before.Span--; }
        }
        if (node.Levels[0].Next is { } after) { after.Previous = node.Previous; } else { Last = node.Previous; }
        while (_level > 1 && _head.Levels[_level - 1].Next is null) { _level--; }
        Count--;
    }

    private static int RandomLevel()
    {
        var level = 1;
        while (level < MaxLevel && Random.Shared.NextDouble() < LevelUpProbability) { level++; }
        return level;
    }

    [InlineArray(MaxLevel)]
    private struct NodeBuffer
    {
        private SkipListNode _element;
    }
}
