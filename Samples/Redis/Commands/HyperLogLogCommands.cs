using System.Buffers.Binary;
using System.Text;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST over HLL strings (see <see cref="HyperLogLog"/>), answered in Redis
/// 7.0's words. PFCOUNT of one key writes the computed count back into the string's cache when it was stale: a change,
/// counted and told to watchers, as in Redis.
/// </summary>
internal static class HyperLogLogCommands
{
    private const string NotHyperLogLog = "WRONGTYPE Key is not a valid HyperLogLog string value.";
    private const string Corrupted = "INVALIDOBJ Corrupted HLL object detected";

    public static void Register(CommandTable t)
    {
        t.Add("pfadd", -2, Write | Fast, 1, 1, 1, PfAdd);
        t.Add("pfcount", -2, ReadOnly, 1, -1, 1, PfCount);
        t.Add("pfmerge", -2, Write, 1, -1, 1, PfMerge);
        t.Add("pfdebug", 3, Write, 2, 2, 1, PfDebug);
        t.Add("pfselftest", 1, NoKeyspace, 0, 0, 0, PfSelfTest);
    }

    // PFADD key [element ...]: 1 when the key was created or a register raised.
    private static void PfAdd(Session s, RespCommand c)
    {
        if (!TryGet(s, c[1], out var stored)) { return; }
        var update = new HyperLogLogUpdate(stored ?? HyperLogLog.NewSparse(), SparseMaxBytes(s));
        try
        {
            bool changed = stored is null, corrupt = false;
            for (var i = 2; i < c.Count && !corrupt; i++)
            {
                var index = HyperLogLog.PatternOf(c[i], out var count);
                var raised = update.Raise(index, count);
                changed |= raised > 0;
                corrupt = raised < 0;
            }
            if (changed)
            {
                update.InvalidateCache();
                Keep(s, c[1], stored, update.Result());
                if (!corrupt) { s.Db.Notify(EventClass.String, "pfadd"u8, c[1]); }
            }
            if (corrupt) { s.Reply.Error(Corrupted); } else { s.Reply.Integer(changed ? 1 : 0); }
        }
        finally
        {
            update.Dispose();
        }
    }

    // PFCOUNT key [key ...]: one key's count (cached in the string), or the count of several keys' union, which
    // changes none of them.
    private static void PfCount(Session s, RespCommand c)
    {
        if (c.Count > 2)
        {
            Span<byte> union = stackalloc byte[HyperLogLog.Registers];
            if (TryUnion(s, c, union, out _)) { s.Reply.Integer((long)HyperLogLog.Count(union)); }
            return;
        }
        if (!TryRead(s, c[1], out var hll)) { return; }
        if (hll is null) { s.Reply.Integer(0); return; }
        if (!HyperLogLog.TryCachedCardinality(hll, out var cardinality))
        {
            if (!HyperLogLog.TryCount(hll, out cardinality)) { s.Reply.Error(Corrupted); return; }
            HyperLogLog.CacheCardinality(hll, cardinality);
            s.Db.Touch(c[1]);
            s.Counters.Changes++;
        }
        s.Reply.Integer((long)cardinality);
    }

    // PFMERGE destkey [sourcekey ...]: destkey (created when missing) raised to the union of itself and the sources;
    // dense when any of them is.
    private static void PfMerge(Session s, RespCommand c)
    {
        Span<byte> union = stackalloc byte[HyperLogLog.Registers];
        if (!TryUnion(s, c, union, out var anyDense)) { return; }
        var stored = s.Db.Get(c[1]) as byte[];
        var update = new HyperLogLogUpdate(stored ?? HyperLogLog.NewSparse(), SparseMaxBytes(s));
        try
        {
            if (anyDense && !update.TryMakeDense()) { s.Reply.Error(Corrupted); return; }
            for (var i = 0; i < union.Length; i++)
            {
                if (union[i] != 0) { update.Raise(i, union[i]); }
            }
            update.InvalidateCache();
            Keep(s, c[1], stored, update.Result());
            s.Db.Notify(EventClass.String, "pfadd"u8, c[1]);
            s.Reply.Ok();
        }
        finally
        {
            update.Dispose();
        }
    }

    // PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. GETREG and TODENSE leave a sparse HLL dense.
    private static void PfDebug(Session s, RespCommand c)
    {
        if (!TryGet(s, c[2], out var hll)) { return; }
        if (hll is null) { s.Reply.Error("ERR The specified key does not exist"); return; }
        var sub = c[1];
        if (Args.Is(sub, "GETREG"))
        {
            if (!TryMakeDense(s, c[2], ref hll, out _)) { return; }
            var registers = hll.AsSpan(HyperLogLog.HeaderSize);
            s.Reply.Array(HyperLogLog.Registers);
            for (var i = 0; i < HyperLogLog.Registers; i++) { s.Reply.Integer(HyperLogLog.DenseRegister(registers, i)); }
        }
        else if (Args.Is(sub, "DECODE"))
        {
            if (HyperLogLog.IsDense(hll)) { s.Reply.Error("ERR HLL encoding is not sparse"); return; }
            s.Reply.Bulk(Decode(hll));
        }
        else if (Args.Is(sub, "ENCODING"))
        {
            s.Reply.SimpleString(HyperLogLog.IsDense(hll) ? "dense"u8 : "sparse"u8);
        }
        else if (Args.Is(sub, "TODENSE"))
        {
            if (TryMakeDense(s, c[2], ref hll, out var converted)) { s.Reply.Integer(converted ? 1 : 0); }
        }
        else
        {
            s.Reply.Error($"ERR Unknown PFDEBUG subcommand '{Args.Text(sub)}'");
        }
    }

    // The sparse opcodes as Redis spells them: "Z:16384" (XZERO), "z:3" (ZERO), "v:2,1" (VAL of value 2, one register).
    private static string Decode(ReadOnlySpan<byte> hll)
    {
        var text = new StringBuilder();
        for (var at = HyperLogLog.HeaderSize; at < hll.Length;)
        {
            if (text.Length > 0) { text.Append(' '); }
            var op = hll[at];
            if (HyperLogLogOpcodes.IsVal(op))
            {
                text.Append($"v:{HyperLogLogOpcodes.ValValue(op)},{HyperLogLogOpcodes.ValLength(op)}");
                at++;
            }
            else
            {
                text.Append(HyperLogLogOpcodes.IsZero(op) ? "z:" : "Z:").Append(HyperLogLogOpcodes.ZerosAt(hll, at, out var size));
                at += size;
            }
        }
        return text.ToString();
    }

    // PFSELFTEST: Redis's self-test, shorter: registers read back as written without disturbing their neighbours, and
    // a dense and a sparse HLL fed the same elements agree, within six standard errors of the truth, at 1, 10, ...
    // 100000 elements (sparse while that is under half of hll-sparse-max-bytes).
    private static void PfSelfTest(Session s, RespCommand c)
    {
        var random = new Random();
        var dense = HyperLogLog.ToDense(HyperLogLog.NewSparse())!;
        var registers = dense.AsSpan(HyperLogLog.HeaderSize);
        Span<byte> written = stackalloc byte[HyperLogLog.Registers];
        for (var cycle = 0; cycle < 10; cycle++)
        {
            random.NextBytes(written);
            registers.Clear();
            for (var i = 0; i < written.Length; i++)
            {
                written[i] &= 63;
                HyperLogLog.RaiseDenseRegister(registers, i, written[i]);
            }
            for (var i = 0; i < written.Length; i++)
            {
                var read = HyperLogLog.DenseRegister(registers, i);
                if (read != written[i]) { s.Reply.Error($"TESTFAILED Register {i} should be {written[i]} but is {read}"); return; }
            }
        }
        registers.Clear();
        var sparseMaxBytes = SparseMaxBytes(s);
        var sparse = new HyperLogLogUpdate(HyperLogLog.NewSparse(), sparseMaxBytes);
        try
        {
            var seed = (ulong)random.NextInt64();
            Span<byte> element = stackalloc byte[sizeof(ulong)];
            var checkpoint = 1L;
            for (var n = 1L; n <= 100_000; n++)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(element, (ulong)n ^ seed);
                var index = HyperLogLog.PatternOf(element, out var count);
                HyperLogLog.RaiseDenseRegister(registers, index, count);
                sparse.Raise(index, count);
                if (n != checkpoint) { continue; }
                if (n < sparseMaxBytes / 2 && sparse.IsDense) { s.Reply.Error("TESTFAILED sparse encoding not used"); return; }
                HyperLogLog.TryCount(dense, out var denseCount);
                HyperLogLog.TryCount(sparse.Result(), out var sparseCount);
                if (denseCount != sparseCount) { s.Reply.Error("TESTFAILED dense/sparse disagree"); return; }
                var error = Math.Abs(checkpoint - (long)denseCount);
                var maxError = n == 10 ? 1 : (long)Math.Ceiling(1.04 / Math.Sqrt(HyperLogLog.Registers) * 6 * checkpoint);
                if (error > maxError) { s.Reply.Error($"TESTFAILED Too big error. card:{checkpoint} abserr:{error}"); return; }
                checkpoint *= 10;
            }
        }
        finally
        {
            sparse.Dispose();
        }
        s.Reply.Ok();
    }

    // The HLL at `key` looked up for a change, or null when there is none; false, with the error written, for another
    // type or a string that is no HLL.
    private static bool TryGet(Session s, ReadOnlySpan<byte> key, out byte[]? hll) =>
        StringCommands.TryGetString(s, key, out hll) && IsHyperLogLog(s, hll);

    // As TryGet, a read's lookup (a missing key notified as keymiss): PFCOUNT's and PFMERGE's keys, its destination too.
    private static bool TryRead(Session s, ReadOnlySpan<byte> key, out byte[]? hll) =>
        StringCommands.TryReadString(s, key, out hll) && IsHyperLogLog(s, hll);

    private static bool IsHyperLogLog(Session s, byte[]? hll)
    {
        if (hll is null || HyperLogLog.IsValid(hll)) { return true; }
        s.Reply.Error(NotHyperLogLog);
        return false;
    }

    // Raises `union` (one byte per register, zeroed here) to the registers of every key the command names (a missing
    // one counts as empty); false, with the error written, at the first that is not a valid HLL.
    private static bool TryUnion(Session s, RespCommand c, Span<byte> union, out bool anyDense)
    {
        union.Clear();
        anyDense = false;
        for (var i = 1; i < c.Count; i++)
        {
            if (!TryRead(s, c[i], out var hll)) { return false; }
            if (hll is null) { continue; }
            anyDense |= HyperLogLog.IsDense(hll);
            if (!HyperLogLog.TryMaxInto(hll, union)) { s.Reply.Error(Corrupted); return false; }
        }
        return true;
    }

    // A sparse HLL made dense and stored in its place (PFDEBUG); false, with the error written, when it is corrupt.
    private static bool TryMakeDense(Session s, ReadOnlySpan<byte> key, ref byte[] hll, out bool converted)
    {
        converted = !HyperLogLog.IsDense(hll);
        if (!converted) { return true; }
        if (HyperLogLog.ToDense(hll) is not { } dense) { s.Reply.Error(Corrupted); return false; }
        s.Db.Set(key, hll = dense, keepTtl: true);
        return true;
    }

    // Keeps an updated HLL: changed in place, its watchers are told; a new array is stored in the old one's place.
    private static void Keep(Session s, ReadOnlySpan<byte> key, byte[]? stored, byte[] result)
    {
        if (result == stored) { s.Db.Touch(key); } else { s.Db.Set(key, result, keepTtl: true); }
    }

    private static long SparseMaxBytes(Session s) => s.Server.Config.GetNumber("hll-sparse-max-bytes");
}
