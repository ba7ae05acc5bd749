using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP: strings read and written as bitmaps (see <see cref="Bitmap"/>), checked
/// and answered in the order and words of Redis 7.0. Writes grow a string with zero bytes; a bit set in place (the
/// string long enough) allocates nothing.
/// </summary>
internal static class BitmapCommands
{
    public const string OffsetOutOfRange = "ERR bit offset is not an integer or out of range";
    private const string BitOutOfRange = "ERR bit is not an integer or out of range";

    public static void Register(CommandTable t)
    {
        t.Add("setbit", 4, Write, 1, 1, 1, SetBit);
        t.Add("getbit", 3, ReadOnly | Fast, 1, 1, 1, GetBit);
        t.Add("bitcount", -2, ReadOnly, 1, 1, 1, BitCount);
        t.Add("bitpos", -3, ReadOnly, 1, 1, 1, BitPos);
        t.Add("bitop", -4, Write, 2, -1, 1, BitOp);
    }

    /// <summary>
    /// A bit offset as Redis reads one: a non-negative integer whose byte is below proto-max-bulk-len; with
    /// <paramref name="fieldBits"/> (BITFIELD), <c>#N</c> means N fields of that width (multiplied as Redis does, wrapping).
    /// False with the error written.
    /// </summary>
    public static bool TryOffset(Session s, ReadOnlySpan<byte> text, int fieldBits, out long offset)
    {
        var fields = fieldBits > 0 && !text.IsEmpty && text[0] == (byte)'#';
        if (Args.TryLong(fields ? text[1..] : text, out offset))
        {
            if (fields) { offset = unchecked(offset * fieldBits); }
            if (offset >= 0 && (offset >> 3) < MaxLength(s)) { return true; }
        }
        s.Reply.Error(OffsetOutOfRange);
        return false;
    }

    /// <summary>
    /// The string at <paramref name="key"/>, at least <paramref name="length"/> bytes long: created or grown with zero
    /// bytes (and stored, keeping its TTL) when shorter. False (WRONGTYPE written) for another type.
    /// </summary>
    public static bool TryGetForWrite(Session s, ReadOnlySpan<byte> key, int length, out byte[] value, out bool grown)
    {
        value = [];
        grown = false;
        if (!StringCommands.TryGetString(s, key, out var current)) { return false; }
        if (current is not null && current.Length >= length)
        {
            value = current;
            return true;
        }
        value = new byte[length];
        current?.CopyTo(value, 0);
        s.Db.Set(key, value, keepTtl: true);
        grown = true;
        return true;
    }

    // The longest string a bit offset may reach: proto-max-bulk-len, within what an array can hold.
    private static long MaxLength(Session s) => Math.Min(s.Server.Limits.MaxBulkLength, Array.MaxLength - sizeof(ulong));

    private static void SetBit(Session s, RespCommand c)
    {
        if (!TryOffset(s, c[2], 0, out var offset)) { return; }
        if (!Args.TryLong(c[3], out var on) || (on & ~1) != 0) { s.Reply.Error(BitOutOfRange); return; }
        var index = (int)(offset >> 3);
        if (!TryGetForWrite(s, c[1], index + 1, out var value, out var grown)) { return; }
        var mask = Bitmap.BitMask(offset);
        var was = (value[index] & mask) != 0;
        if (was != (on == 1))
        {
            value[index] ^= mask;
            // A grown string was stored (and its watchers told) already.
            if (!grown) { s.Db.Touch(c[1]); }
        }
        // As Redis: a string created or grown is a change even when the bit already had its value.
        if (grown || was != (on == 1)) { s.Db.Notify(EventClass.String, "setbit"u8, c[1]); }
        s.Reply.Integer(was ? 1 : 0);
    }

    private static void GetBit(Session s, RespCommand c)
    {
        if (!TryOffset(s, c[2], 0, out var offset) || !StringCommands.TryReadString(s, c[1], out var value)) { return; }
        s.Reply.Integer(value is not null && Bitmap.GetBit(value, offset) ? 1 : 0);
    }

    // BITCOUNT key [start end [BYTE|BIT]]. Redis 7.0 looks the key up first: a missing key counts 0 whatever follows.
    private static void BitCount(Session s, RespCommand c)
    {
        if (!StringCommands.TryReadString(s, c[1], out var value)) { return; }
        if (value is null) { s.Reply.Integer(0); return; }
        long start = 0, end = value.Length - 1;
        var bits = false;
        if (c.Count is 4 or 5)
        {
            if (!Args.TryLong(c[2], out start) || !Args.TryLong(c[3], out end)) { s.Reply.Error(Args.NotInteger); return; }
            if (start < 0 && end < 0 && start > end) { s.Reply.Integer(0); return; }
            if (c.Count == 5 && !TryUnit(s, c[4], out bits)) { return; }
            Clamp(ref start, ref end, bits ? (long)value.Length << 3 : value.Length);
        }
        else if (c.Count != 2)
        {
            s.Reply.Error(Args.Syntax);
            return;
        }
        if (start > end) { s.Reply.Integer(0); return; }
        s.Reply.Integer(bits ? Bitmap.Count(value, start, end) : Bitmap.Count(value, start << 3, (end << 3) + 7));
    }

    // BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is all zeros: 0 for a clear bit, -1 for a set one.
    private static void BitPos(Session s, RespCommand c)
    {
        if (!Args.TryLong(c[2], out var bit)) { s.Reply.Error(Args.NotInteger); return; }
        if (bit is not (0 or 1)) { s.Reply.Error("ERR The bit argument must be 1 or 0."); return; }
        if (!StringCommands.TryReadString(s, c[1], out var value)) { return; }
        if (value is null) { s.Reply.Integer(bit == 1 ? -1 : 0); return; }
        long start = 0, end = value.Length - 1;
        bool bits = false, endGiven = c.Count >= 5;
        if (c.Count is >= 4 and <= 6)
        {
            if (!Args.TryLong(c[3], out start)) { s.Reply.Error(Args.NotInteger); return; }
            if (c.Count == 6 && !TryUnit(s, c[5], out bits)) { return; }
            if (endGiven && !Args.TryLong(c[4], out end)) { s.Reply.Error(Args.NotInteger); return; }
            Clamp(ref start, ref end, bits ? (long)value.Length << 3 : value.Length);
        }
        else if (c.Count != 3)
        {
            s.Reply.Error(Args.Syntax);
            return;
        }
        if (start > end) { s.Reply.Integer(-1); return; }
        var (firstBit, lastBit) = bits ? (start, end) : (start << 3, (end << 3) + 7);
        var position = Bitmap.Position(value, (int)bit, firstBit, lastBit);
        // Without an end the string reads as followed by zeros: a clear bit is found just past it.
        if (position < 0 && bit == 0 && !endGiven) { position = lastBit + 1; }
        s.Reply.Integer(position);
    }

    // BITOP AND|OR|XOR|NOT destkey srckey...: missing sources read as empty (zeros), the result is as long as the
    // longest source, and an empty result deletes destkey.
    private static void BitOp(Session s, RespCommand c)
    {
        var op = c[1];
        var not = Args.Is(op, "NOT");
        if (!not && !Args.Is(op, "AND") && !Args.Is(op, "OR") && !Args.Is(op, "XOR")) { s.Reply.Error(Args.Syntax); return; }
        if (not && c.Count != 4) { s.Reply.Error("ERR BITOP NOT must be called with a single source key."); return; }
        var length = 0;
        for (var i = 3; i < c.Count; i++)
        {
            if (!StringCommands.TryReadString(s, c[i], out var source)) { return; }
            length = Math.Max(length, source?.Length ?? 0);
        }
        if (length == 0)
        {
            s.Db.Delete(c[2]);
            s.Reply.Integer(0);
            return;
        }
        var result = new byte[length];
        Source(s, c[3]).CopyTo(result);
        if (not) { Bitmap.Invert(result); }
        for (var i = 4; i < c.Count; i++)
        {
            var source = Source(s, c[i]);
            if (Args.Is(op, "AND"))
            {
                Bitmap.Combine<AndOperation>(result, source);
                result.AsSpan(source.Length).Clear();
            }
            else if (Args.Is(op, "OR")) { Bitmap.Combine<OrOperation>(result, source); }
            else { Bitmap.Combine<XorOperation>(result, source); }
        }
        s.Db.Set(c[2], result);
        s.Db.Notify(EventClass.String, "set"u8, c[2]);
        s.Reply.Integer(length);
    }

    // A source of BITOP, known to be a string or missing.
    private static ReadOnlySpan<byte> Source(Session s, ReadOnlySpan<byte> key) => s.Db.Get(key) as byte[];

    private static bool TryUnit(Session s, ReadOnlySpan<byte> unit, out bool bits)
    {
        bits = Args.Is(unit, "BIT");
        if (bits || Args.Is(unit, "BYTE")) { return true; }
        s.Reply.Error(Args.Syntax);
        return false;
    }

    // Redis's range arithmetic over `total` bytes or bits: negative indexes count from the end, then both are
    // clamped into the string (an empty range comes out with start > end).
    private static void Clamp(ref long start, ref long end, long total)
    {
        if (start < 0) { start = Math.Max(total + start, 0); }
        if (end < 0) { end = Math.Max(total + end, 0); }
        if (end >= total) { end = total - 1; }
    }
}
