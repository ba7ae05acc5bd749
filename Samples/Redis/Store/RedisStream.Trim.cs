namespace Loop.Samples.Redis.Store;

/// <summary>How XADD and XTRIM trim: to a length or to a lowest ID, exactly or by whole nodes (~), at most so many entries.</summary>
internal readonly record struct StreamTrim(bool ByMinId, long MaxLength, StreamId MinId, bool Approximate, long Limit);

internal sealed partial class RedisStream
{
    /// <summary>
    /// Trims from the oldest end as Redis's streamTrim does: whole nodes while they can go, then (unless approximate)
    /// entries of the next node marked deleted; a limit stops before a node that would take the count past it.
    /// Returns how many entries went.
    /// </summary>
    public long Trim(StreamTrim trim)
    {
        long deleted = 0;
        while (NodeCount > 0 && (trim.ByMinId || Length > trim.MaxLength))
        {
            var node = _nodes[_head];
            if (trim.Limit > 0 && deleted + node.Live > trim.Limit) { break; }
            var wholeNode = trim.ByMinId ? node.LastId < trim.MinId : Length - node.Live >= trim.MaxLength;
            if (wholeNode)
            {
                Length -= node.Live;
                deleted += node.Live;
                DropFirstNode();
                continue;
            }
            if (trim.Approximate) { break; }
            for (var i = 0; i < node.Entries.Count; i++)
            {
                var entry = node.Entries[i];
                if (trim.ByMinId ? entry.Id >= trim.MinId : Length <= trim.MaxLength) { break; }
                if (entry.Deleted) { continue; }
                node.Delete(i);
                Length--;
                deleted++;
            }
            break;
        }
        if (Length == 0) { FirstId = StreamId.Zero; }
        else if (deleted > 0) { RefreshFirstId(); }
        return deleted;
    }

    /// <summary>
    /// How many nodes Redis's radix tree of these nodes has (XINFO's radix-tree-nodes): keyed by each node's master ID
    /// in 16 big-endian bytes, compressed as rax compresses, a chain of single children being one node, the children of
    /// a branching node nodes of their own.
    /// </summary>
    public int RadixTreeNodes()
    {
        var keys = new byte[NodeCount][];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = new byte[16];
            _nodes[_head + i].MasterId.WriteBigEndian(keys[i]);
        }
        if (keys.Length == 0) { return 1; }
        var common = CommonPrefix(keys, 0, keys.Length);
        // The root branches itself, or is a compressed node leading to where the keys part.
        return common == 0 ? 1 + Children(keys, 0, keys.Length, 0) : 1 + Subtree(keys, 0, keys.Length, 0, parentBranches: false);
    }

    // The rax nodes of the keys [from, to), which share more than `parentLength` bytes and hang below a node at that depth.
    private static int Subtree(byte[][] keys, int from, int to, int parentLength, bool parentBranches)
    {
        var length = CommonPrefix(keys, from, to);
        // Below a branching node, the child's first byte is in the parent; the rest of a longer edge is a compressed node.
        var nodes = 1 + (parentBranches && length - parentLength > 1 ? 1 : 0);
        return nodes + (to - from > 1 ? Children(keys, from, to, length) : 0);
    }

    private static int Children(byte[][] keys, int from, int to, int length)
    {
        var nodes = 0;
        for (var start = from; start < to;)
        {
            var end = start + 1;
            while (end < to && keys[end][length] == keys[start][length]) { end++; }
            nodes += Subtree(keys, start, end, length, parentBranches: true);
            start = end;
        }
        return nodes;
    }

    // Sorted keys: the prefix all of them share is the first's and the last's.
    private static int CommonPrefix(byte[][] keys, int from, int to) =>
        to - from == 1 ? keys[from].Length : keys[from].AsSpan().CommonPrefixLength(keys[to - 1]);
}
