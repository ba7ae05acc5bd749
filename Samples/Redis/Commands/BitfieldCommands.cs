using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL]...
/// and BITFIELD_RO (GET only): integers of 1 to 64 bits (signed) or 1 to 63 (unsigned) at any bit offset, as
/// Redis 7.0 runs them. The arguments are read twice, once to check them all and find how far the writes reach, once to
/// run them, so no list of operations is built.
/// </summary>
internal static class BitfieldCommands
{
    private const string InvalidType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

    public static void Register(CommandTable t)
    {
        t.Add("bitfield", -2, Write, 1, 1, 1, (s, c) => Bitfield(s, c, readOnlyCommand: false));
        t.Add("bitfield_ro", -2, ReadOnly | Fast, 1, 1, 1, (s, c) => Bitfield(s, c, readOnlyCommand: true));
    }

    private enum Operation { Get, Set, IncrBy }

    private enum Overflow { Wrap, Sat, Fail }

    /// <summary>One GET, SET or INCRBY: the OVERFLOW mode in force is the last one before it.</summary>
    private readonly record struct Field(Operation Operation, bool Signed, int Bits, long Offset, long Value, Overflow Overflow);

    private static void Bitfield(Session s, RespCommand c, bool readOnlyCommand)
    {
        var count = 0;
        var writes = false;
        long reach = 0; // the last bit a SET or INCRBY touches
        var overflow = Overflow.Wrap;
        for (var i = 2; i < c.Count;)
        {
            if (!TryNext(s, c, ref i, ref overflow, out var field)) { return; }
            if (field is not { } f) { continue; }
            count++;
            if (f.Operation == Operation.Get) { continue; }
            writes = true;
            reach = Math.Max(reach, f.Offset + f.Bits - 1);
        }

        byte[]? value;
        var grown = false;
        if (!writes)
        {
            if (!StringCommands.TryReadString(s, c[1], out value)) { return; }
        }
        else if (readOnlyCommand)
        {
            s.Reply.Error("ERR BITFIELD_RO only supports the GET subcommand");
            return;
        }
        else if (BitmapCommands.TryGetForWrite(s, c[1], (int)(reach >> 3) + 1, out var grownValue, out grown)) { value = grownValue; }
        else { return; }

        s.Reply.Array(count);
        var changed = false;
        overflow = Overflow.Wrap;
        for (var i = 2; i < c.Count;)
        {
            TryNext(s, c, ref i, ref overflow, out var field);
            if (field is not { } f) { continue; }
            if (f.Operation == Operation.Get)
            {
                s.Reply.Integer(f.Signed ? Bitmap.GetSigned(value, f.Offset, f.Bits) : (long)Bitmap.GetUnsigned(value, f.Offset, f.Bits));
            }
            else
            {
                changed |= Apply(s, value!, f);
            }
        }
        // A grown string was stored (and its watchers told) already; as Redis, it is a change even when no bit changed.
        if (changed && !grown) { s.Db.Touch(c[1]); }
        if (changed || grown) { s.Db.Notify(EventClass.String, "setbit"u8, c[1]); }
    }

    // SET (answers the old value) or INCRBY (the new one) under the field's OVERFLOW mode: FAIL writes nothing and
    // answers nil. True when the bits changed.
    private static bool Apply(Session s, byte[] value, Field f)
    {
        Int128 old = f.Signed ? Bitmap.GetSigned(value, f.Offset, f.Bits) : Bitmap.GetUnsigned(value, f.Offset, f.Bits);
        // Unsigned SET reads its value as the unsigned 64-bit integer of the same bits, as Redis does (-1 is too large).
        Int128 target = f.Operation == Operation.IncrBy ? old + f.Value : f.Signed ? f.Value : (ulong)f.Value;
        Int128 max = f.Signed ? (long)(Bitmap.Mask(f.Bits) >> 1) : Bitmap.Mask(f.Bits);
        Int128 min = f.Signed ? -max - 1 : 0;
        if (target > max || target < min)
        {
            if (f.Overflow == Overflow.Fail)
            {
                s.Reply.Null();
                return false;
            }
            // WRAP keeps the low bits: two's complement for a signed field.
            var low = (ulong)target & Bitmap.Mask(f.Bits);
            target = f.Overflow == Overflow.Sat ? (TooLarge(f, target, max) ? max : min)
                : f.Signed ? (Int128)Bitmap.SignExtend(low, f.Bits) : (Int128)low;
        }
        s.Reply.Integer((long)(f.Operation == Operation.IncrBy ? target : old));
        Bitmap.Set(value, f.Offset, f.Bits, (ulong)target);
        return target != old;
    }

    // Which way SAT saturates. Redis computes max - value in 64 bits, which wraps for a signed SET of a value more than
    // 2^63 below the maximum of a field narrower than 64 bits: it takes that value for too large, and stores the maximum.
    private static bool TooLarge(Field f, Int128 target, Int128 max) =>
        target > max || (f.Signed && f.Operation == Operation.Set && f.Bits < 64 && max - target > long.MaxValue);

    /// <summary>
    /// Reads the subcommand at <paramref name="i"/> and moves past it: an OVERFLOW changes <paramref name="overflow"/>
    /// and gives no field. False, with Redis's error written, when it is not one.
    /// </summary>
    private static bool TryNext(Session s, RespCommand c, ref int i, ref Overflow overflow, out Field? field)
    {
        field = null;
        var name = c[i];
        var remaining = c.Count - i - 1;
        Operation operation;
        if (Args.Is(name, "GET") && remaining >= 2) { operation = Operation.Get; }
        else if (Args.Is(name, "SET") && remaining >= 3) { operation = Operation.Set; }
        else if (Args.Is(name, "INCRBY") && remaining >= 3) { operation = Operation.IncrBy; }
        else if (Args.Is(name, "OVERFLOW") && remaining >= 1)
        {
            var mode = c[i + 1];
            i += 2;
            if (Args.Is(mode, "WRAP")) { overflow = Overflow.Wrap; }
            else if (Args.Is(mode, "SAT")) { overflow = Overflow.Sat; }
            else if (Args.Is(mode, "FAIL")) { overflow = Overflow.Fail; }
            else
            {
                s.Reply.Error("ERR Invalid OVERFLOW type specified");
                return false;
            }
            return true;
        }
        else
        {
            s.Reply.Error(Args.Syntax);
            return false;
        }

        if (!TryType(c[i + 1], out var signed, out var bits)) { s.Reply.Error(InvalidType); return false; }
        if (!BitmapCommands.TryOffset(s, c[i + 2], bits, out var offset)) { return false; }
        long argument = 0;
        if (operation != Operation.Get && !Args.TryLong(c[i + 3], out argument)) { s.Reply.Error(Args.NotInteger); return false; }
        field = new Field(operation, signed, bits, offset, argument, overflow);
        i += operation == Operation.Get ? 3 : 4;
        return true;
    }

    // i1..i64 or u1..u63 (a u64 could not be answered as a RESP integer).
    private static bool TryType(ReadOnlySpan<byte> type, out bool signed, out int bits)
    {
        bits = 0;
        signed = !type.IsEmpty && type[0] == (byte)'i';
        if (type.IsEmpty || (!signed && type[0] != (byte)'u') || !Args.TryLong(type[1..], out var width)) { return false; }
        if (width < 1 || width > (signed ? 64 : 63)) { return false; }
        bits = (int)width;
        return true;
    }
}
