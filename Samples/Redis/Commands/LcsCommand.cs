using System.Buffers;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence of two strings by
/// Redis 7.0's dynamic programming table, walked back the same way, so ties resolve as Redis resolves them and the
/// same subsequence and match ranges come out. The table's size is bounded by proto-max-bulk-len, as in Redis.
/// </summary>
internal static class LcsCommand
{
    // Tables up to this many cells come from the shared pool; larger ones are allocated and left to the collector,
    // so a rare huge LCS does not keep its memory in the pool.
    private const int PooledCells = 256 * 1024;

    public static void Register(CommandTable t) => t.Add("lcs", -3, ReadOnly, 1, 2, 1, Lcs);

    /// <summary>One run of matching bytes: where it lies in each string (inclusive) and its length.</summary>
    private readonly record struct Match(int AStart, int AEnd, int BStart, int BEnd)
    {
        public int Length => AEnd - AStart + 1;
    }

    private static void Lcs(Session s, RespCommand c)
    {
        var a = s.Db.Read(c[1]);
        var b = s.Db.Read(c[2]);
        if (a is not (null or byte[]) || b is not (null or byte[])) { s.Reply.Error("ERR The specified keys must contain string values"); return; }
        bool len = false, idx = false, withMatchLen = false;
        long minMatchLen = 0;
        for (var i = 3; i < c.Count; i++)
        {
            if (Args.Is(c[i], "IDX")) { idx = true; }
            else if (Args.Is(c[i], "LEN")) { len = true; }
            else if (Args.Is(c[i], "WITHMATCHLEN")) { withMatchLen = true; }
            else if (Args.Is(c[i], "MINMATCHLEN") && i + 1 < c.Count)
            {
                if (!Args.TryLong(c[++i], out minMatchLen)) { s.Reply.Error(Args.NotInteger); return; }
                minMatchLen = Math.Max(minMatchLen, 0);
            }
            else
            {
                s.Reply.Error(Args.Syntax);
                return;
            }
        }
        if (len && idx) { s.Reply.Error("ERR If you want both the length and indexes, please just use IDX."); return; }

        ReadOnlySpan<byte> x = a as byte[], y = b as byte[];
        var cells = (long)(x.Length + 1) * (y.Length + 1);
        if (cells * sizeof(uint) > s.Server.Limits.MaxBulkLength)
        {
            s.Reply.Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
            return;
        }
        uint[]? table = null;
        try
        {
            table = cells <= PooledCells ? ArrayPool<uint>.Shared.Rent((int)cells)
                : cells <= Array.MaxLength ? GC.AllocateUninitializedArray<uint>((int)cells) : null;
        }
        catch (OutOfMemoryException)
        {
        }
        if (table is null) { s.Reply.Error("ERR Insufficient memory, failed allocating transient memory for LCS"); return; }
        try
        {
            Fill(table, x, y);
            Reply(s, table, x, y, len, idx, withMatchLen, minMatchLen);
        }
        finally
        {
            if (cells <= PooledCells) { ArrayPool<uint>.Shared.Return(table); }
        }
    }

    // table[i * (|y| + 1) + j] = the length of the LCS of x[..i] and y[..j].
    private static void Fill(Span<uint> table, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var width = y.Length + 1;
        table[..width].Clear();
        for (var i = 1; i <= x.Length; i++)
        {
            var row = table.Slice(i * width, width);
            var above = table.Slice((i - 1) * width, width);
            row[0] = 0;
            var xi = x[i - 1];
            for (var j = 1; j < width; j++)
            {
                row[j] = xi == y[j - 1] ? above[j - 1] + 1 : Math.Max(above[j], row[j - 1]);
            }
        }
    }

    // Walks the table back from the end as Redis does, rebuilding the subsequence from its last byte and collecting the
    // runs of consecutive matches, last first; then answers the LCS, its length, or the matches (a map: "matches", "len").
    private static void Reply(Session s, uint[] table, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, bool len, bool idx, bool withMatchLen, long minMatchLen)
    {
        var width = y.Length + 1;
        var total = (int)table[x.Length * width + y.Length];
        if (len) { s.Reply.Integer(total); return; }
        var subsequence = new byte[total];
        var matches = idx ? new List<Match>() : null;
        var next = total;
        int i = x.Length, j = y.Length;
        Match? run = null;
        while (i > 0 && j > 0)
        {
            var close = false;
            if (x[i - 1] == y[j - 1])
            {
                subsequence[--next] = x[i - 1];
                // The walk goes backwards, so a run grows at its start.
                run = run is { } r ? r with { AStart = i - 1, BStart = j - 1 } : new Match(i - 1, i - 1, j - 1, j - 1);
                close = i == 1 || j == 1;
                i--;
                j--;
            }
            else
            {
                if (table[(i - 1) * width + j] > table[i * width + j - 1]) { i--; } else { j--; }
                close = run is not null;
            }
            if (close && run is { } done)
            {
                if (done.Length >= minMatchLen) { matches?.Add(done); }
                run = null;
            }
        }
        if (matches is null) { s.Reply.Bulk(subsequence); return; }
        s.Reply.Map(2);
        s.Reply.Bulk("matches"u8);
        s.Reply.Array(matches.Count);
        foreach (var match in matches)
        {
            s.Reply.Array(withMatchLen ? 3 : 2);
            s.Reply.Array(2);
            s.Reply.Integer(match.AStart);
            s.Reply.Integer(match.AEnd);
            s.Reply.Array(2);
            s.Reply.Integer(match.BStart);
            s.Reply.Integer(match.BEnd);
            if (withMatchLen) { s.Reply.Integer(match.Length); }
        }
        s.Reply.Bulk("len"u8);
        s.Reply.Integer(total);
    }
}
