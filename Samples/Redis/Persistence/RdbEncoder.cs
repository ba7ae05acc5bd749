using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Writes the RDB format as Redis 7.0 writes it (version 10), in forms redis-server 7.0 loads: strings as integers
/// when they spell one, LZF-compressed when that saves space, raw otherwise; collections in their plain forms (a
/// list as RDB_TYPE_LIST, sets, hashes, and sorted sets with binary scores), which Redis re-encodes as it loads; streams
/// as Redis 7.0 writes them (RDB_TYPE_STREAM_LISTPACKS_2, see RdbEncoder.Stream.cs).
/// Nothing here sees the whole file: the caller keeps the CRC-64 of what it wrote and hands it to <see cref="WriteEnd"/>.
/// </summary>
internal static partial class RdbEncoder
{
    private const int MaxIntegerEncodedLength = 11; // "-2147483648"
    private const int MinCompressedLength = 21;     // shorter strings cannot gain from LZF
    private const int MinCompressionGain = 4;       // as Redis: compress only when it saves more than 4 bytes

    /// <summary>"REDIS0010" and the AUX fields Redis writes first (version, word size, creation time, memory, aof-base).</summary>
    public static void WriteHeader(IBufferWriter<byte> output, long unixSeconds)
    {
        output.Write("REDIS0010"u8); // RdbFormat.Version in four digits
        WriteAux(output, "redis-ver"u8, System.Text.Encoding.ASCII.GetBytes(Server.RedisVersion.Text));
        WriteAux(output, "redis-bits"u8, 64);
        WriteAux(output, "ctime"u8, unixSeconds);
        WriteAux(output, "used-mem"u8, GC.GetTotalMemory(forceFullCollection: false));
        WriteAux(output, "aof-base"u8, 0);
    }

    /// <summary>Starts database <paramref name="db"/> and tells its size, so a loader can size its tables.</summary>
    public static void WriteSelectDb(IBufferWriter<byte> output, int db, long keys, long expires)
    {
        WriteByte(output, RdbOpcode.SelectDb);
        WriteLength(output, (ulong)db);
        WriteByte(output, RdbOpcode.ResizeDb);
        WriteLength(output, (ulong)keys);
        WriteLength(output, (ulong)expires);
    }

    /// <summary>One key: its deadline (Unix ms) when it has one, then type, key and value.</summary>
    public static void WriteEntry(IBufferWriter<byte> output, ReadOnlySpan<byte> key, object value, long? expireAtUnixMs)
    {
        if (expireAtUnixMs is { } deadline)
        {
            WriteByte(output, RdbOpcode.ExpireTimeMs);
            WriteInt64(output, deadline);
        }
        WriteByte(output, TypeOf(value));
        WriteString(output, key);
        WritePayload(output, value);
    }

    /// <summary>A value as DUMP serializes it: its type byte, then the value.</summary>
    public static void WriteValue(IBufferWriter<byte> output, object value)
    {
        WriteByte(output, TypeOf(value));
        WritePayload(output, value);
    }

    /// <summary>
    /// The EOF opcode and the file's CRC-64. <paramref name="crcOfEverythingBefore"/> covers every byte written before
    /// this call; the opcode is folded in here, since Redis's checksum covers it too.
    /// </summary>
    public static void WriteEnd(IBufferWriter<byte> output, ulong crcOfEverythingBefore)
    {
        ReadOnlySpan<byte> eof = [RdbOpcode.Eof];
        output.Write(eof);
        BinaryPrimitives.WriteUInt64LittleEndian(output.GetSpan(8), Crc64.Update(crcOfEverythingBefore, eof));
        output.Advance(8);
    }

    private static byte TypeOf(object value) => value switch
    {
        byte[] => RdbType.String,
        RedisList => RdbType.List,
        RedisSet => RdbType.Set,
        RedisSortedSet => RdbType.SortedSet2,
        RedisHash => RdbType.Hash,
        RedisStream => RdbType.StreamListpacks2,
        _ => throw new ArgumentException($"{value.GetType().Name} is not a value of the store", nameof(value)),
    };

    private static void WritePayload(IBufferWriter<byte> output, object value)
    {
        switch (value)
        {
            case byte[] bytes:
                WriteString(output, bytes);
                break;
            case RedisList list:
                WriteLength(output, (ulong)list.Count);
                for (var i = 0; i < list.Count; i++) { WriteString(output, list[i]); }
                break;
            case RedisSet set:
                WriteLength(output, (ulong)set.Count);
                foreach (var member in set.Members) { WriteString(output, member); }
                break;
            case RedisSortedSet sortedSet:
                WriteLength(output, (ulong)sortedSet.Count);
                // Highest first, as Redis writes them: its loader then always inserts at the head of its skip list.
                foreach (var node in SkipList.Walk(sortedSet.Order.Last, reverse: true))
                {
                    WriteString(output, node.Member);
                    BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), node.Score);
                    output.Advance(8);
                }
                break;
            case RedisHash hash:
                WriteLength(output, (ulong)hash.Count);
                foreach (var (field, fieldValue) in hash.Pairs)
                {
                    WriteString(output, field);
                    WriteString(output, fieldValue);
                }
                break;
            case RedisStream stream:
                WriteStream(output, stream);
                break;
        }
    }

    /// <summary>A string as rdbSaveRawString writes it: an integer encoding, LZF, or length and bytes.</summary>
    private static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        if (value.Length <= MaxIntegerEncodedLength && TryWriteInteger(output, value)) { return; }
        if (value.Length >= MinCompressedLength && TryWriteCompressed(output, value)) { return; }
        WriteLength(output, (ulong)value.Length);
        output.Write(value);
    }

    // Only the canonical spelling of a 32-bit integer: loading gives back its digits, which must be these bytes.
    private static bool TryWriteInteger(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        if (!Utf8Parser.TryParse(value, out int integer, out var used) || used != value.Length) { return false; }
        Span<byte> canonical = stackalloc byte[MaxIntegerEncodedLength];
        if (!Utf8Formatter.TryFormat(integer, canonical, out var written) || !canonical[..written].SequenceEqual(value)) { return false; }
        var span = output.GetSpan(5);
        int size;
        if (integer is >= sbyte.MinValue and <= sbyte.MaxValue)
        {
            span[0] = (RdbFormat.Encoded << 6) | RdbFormat.EncodingInt8;
            span[1] = (byte)integer;
            size = 2;
        }
        else if (integer is >= short.MinValue and <= short.MaxValue)
        {
            span[0] = (RdbFormat.Encoded << 6) | RdbFormat.EncodingInt16;
            BinaryPrimitives.WriteInt16LittleEndian(span[1..], (short)integer);
            size = 3;
        }
        else
        {
            span[0] = (RdbFormat.Encoded << 6) | RdbFormat.EncodingInt32;
            BinaryPrimitives.WriteInt32LittleEndian(span[1..], integer);
            size = 5;
        }
        output.Advance(size);
        return true;
    }

    private static bool TryWriteCompressed(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(value.Length - MinCompressionGain);
        try
        {
            var compressed = Lzf.Compress(value, buffer.AsSpan(0, value.Length - MinCompressionGain));
            if (compressed == 0) { return false; }
            WriteByte(output, (RdbFormat.Encoded << 6) | RdbFormat.EncodingLzf);
            WriteLength(output, (ulong)compressed);
            WriteLength(output, (ulong)value.Length);
            output.Write(buffer.AsSpan(0, compressed));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteLength(IBufferWriter<byte> output, ulong length)
    {
        var span = output.GetSpan(9);
        int size;
        if (length < 1 << 6)
        {
            span[0] = (byte)length;
            size = 1;
        }
        else if (length < 1 << 14)
        {
            span[0] = (byte)((RdbFormat.Length14Bit << 6) | (int)(length >> 8));
            span[1] = (byte)length;
            size = 2;
        }
        else if (length <= uint.MaxValue)
        {
            span[0] = RdbFormat.Length32Bit;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            size = 5;
        }
        else
        {
            span[0] = RdbFormat.Length64Bit;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], length);
            size = 9;
        }
        output.Advance(size);
    }

    private static void WriteAux(IBufferWriter<byte> output, ReadOnlySpan<byte> name, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var written);
        WriteAux(output, name, digits[..written]);
    }

    private static void WriteAux(IBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        WriteByte(output, RdbOpcode.Aux);
        WriteString(output, name);
        WriteString(output, value);
    }

    private static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }
}
