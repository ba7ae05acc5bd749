using System.Buffers.Binary;
using System.Text;
using Loop.Samples.Redis.Persistence;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>
/// RDB files and the compact encodings laid out by hand from the format's description (rdb.h, ziplist.c,
/// listpack.c, zipmap.c, intset.c), independently of the encoder, for what Redis 7.0 can no longer write.
/// </summary>
internal sealed class SpecBytes
{
    private readonly List<byte> _bytes = [];

    public static SpecBytes File(int version = 10) => new SpecBytes().Ascii($"REDIS{version:D4}");

    public SpecBytes Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public SpecBytes Ascii(string text) => Raw(Encoding.ASCII.GetBytes(text));

    /// <summary>00xxxxxx below 64, 01xxxxxx xxxxxxxx below 16384, else 0x80 and 4 bytes big-endian.</summary>
    public SpecBytes Length(long length)
    {
        if (length < 64) { return Raw((byte)length); }
        if (length < 16384) { return Raw((byte)(0x40 | (length >> 8)), (byte)length); }
        var bytes = new byte[5];
        bytes[0] = 0x80;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), (uint)length);
        return Raw(bytes);
    }

    /// <summary>A raw string: its length, then its bytes.</summary>
    public SpecBytes String(byte[] bytes) => Length(bytes.Length).Raw(bytes);

    public SpecBytes String(string text) => String(Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// A string stored as LZF (0xC3, compressed length, length, data), the data written as literal runs only (a
    /// byte 0..31 saying 1..32 bytes follow): valid LZF that needs no compressor.
    /// </summary>
    public SpecBytes LzfString(byte[] bytes)
    {
        var runs = bytes.Chunk(32).SelectMany(run => (byte[])[(byte)(run.Length - 1), .. run]).ToArray();
        return Raw(0xC3).Length(runs.Length).Length(bytes.Length).Raw(runs);
    }

    /// <summary>A key: the value type, then the key as a raw string.</summary>
    public SpecBytes Key(byte type, string key) => Raw(type).String(key);

    public SpecBytes Int64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return Raw(bytes);
    }

    /// <summary>The EOF opcode and the CRC-64 of everything up to it (the opcode included).</summary>
    public byte[] End()
    {
        Raw(RdbOpcode.Eof);
        var crc = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(crc, Crc64.Update(0, _bytes.ToArray()));
        return Raw(crc).ToArray();
    }

    public byte[] ToArray() => [.. _bytes];

    /// <summary>
    /// A ziplist: zlbytes, zltail, zllen (all little-endian), entries, 0xFF. Each entry: the previous entry's
    /// length (1 byte below 254, else 0xFE and 4 bytes), the encoding, the data. Strings take the shortest
    /// string encoding (or <paramref name="wideStrings"/>: the 32-bit one); longs the encoding named by their value's range.
    /// </summary>
    public static byte[] Ziplist(params object[] entries) => Ziplist(false, entries);

    public static byte[] Ziplist(bool wideStrings, params object[] entries)
    {
        var body = new List<byte>();
        var previous = 0;
        var tail = 10;
        foreach (var item in entries)
        {
            tail = 10 + body.Count;
            var entry = new List<byte>();
            if (previous < 254) { entry.Add((byte)previous); }
            else { entry.Add(0xFE); entry.AddRange(LittleEndian((uint)previous, 4)); }
            if (item is string text)
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                if (wideStrings || bytes.Length >= 16384) { entry.Add(0x80); entry.AddRange(BigEndian((uint)bytes.Length)); }
                else if (bytes.Length >= 64) { entry.Add((byte)(0x40 | (bytes.Length >> 8))); entry.Add((byte)bytes.Length); }
                else { entry.Add((byte)bytes.Length); }
                entry.AddRange(bytes);
            }
            else
            {
                var value = (long)item;
                switch (value)
                {
                    case >= 0 and <= 12: entry.Add((byte)(0xF1 + value)); break;
                    case >= sbyte.MinValue and <= sbyte.MaxValue: entry.Add(0xFE); entry.Add((byte)value); break;
                    case >= short.MinValue and <= short.MaxValue: entry.Add(0xC0); entry.AddRange(LittleEndian((ulong)value, 2)); break;
                    case >= -(1 << 23) and < 1 << 23: entry.Add(0xF0); entry.AddRange(LittleEndian((ulong)value, 3)); break;
                    case >= int.MinValue and <= int.MaxValue: entry.Add(0xD0); entry.AddRange(LittleEndian((ulong)value, 4)); break;
                    default: entry.Add(0xE0); entry.AddRange(LittleEndian((ulong)value, 8)); break;
                }
            }
            previous = entry.Count;
            body.AddRange(entry);
        }
        var total = 10 + body.Count + 1;
        return [.. LittleEndian((uint)total, 4), .. LittleEndian((uint)(entries.Length == 0 ? 10 : tail), 4),
            .. LittleEndian((ulong)entries.Length, 2), .. body, 0xFF];
    }

    /// <summary>
    /// A listpack: total bytes (4) and count (2) little-endian, entries, 0xFF. Each entry: encoding and data, then
    /// the length of those written backwards (7 bits a byte, the high bit set on all but the first).
    /// </summary>
    public static byte[] Listpack(params object[] entries)
    {
        var body = new List<byte>();
        foreach (var item in entries)
        {
            var entry = new List<byte>();
            if (item is string text)
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                if (bytes.Length < 64) { entry.Add((byte)(0x80 | bytes.Length)); }
                else if (bytes.Length < 4096) { entry.Add((byte)(0xE0 | (bytes.Length >> 8))); entry.Add((byte)bytes.Length); }
                else { entry.Add(0xF0); entry.AddRange(LittleEndian((uint)bytes.Length, 4)); }
                entry.AddRange(bytes);
            }
            else
            {
                var value = (long)item;
                switch (value)
                {
                    case >= 0 and <= 127: entry.Add((byte)value); break;
                    case >= -4096 and <= 4095: entry.Add((byte)(0xC0 | ((value >> 8) & 0x1F))); entry.Add((byte)value); break;
                    case >= short.MinValue and <= short.MaxValue: entry.Add(0xF1); entry.AddRange(LittleEndian((ulong)value, 2)); break;
                    case >= -(1 << 23) and < 1 << 23: entry.Add(0xF2); entry.AddRange(LittleEndian((ulong)value, 3)); break;
                    case >= int.MinValue and <= int.MaxValue: entry.Add(0xF3); entry.AddRange(LittleEndian((ulong)value, 4)); break;
                    default: entry.Add(0xF4); entry.AddRange(LittleEndian((ulong)value, 8)); break;
                }
            }
            var length = entry.Count;
            var backwards = new List<byte>();
            do
            {
                backwards.Insert(0, (byte)(length & 127));
                length >>= 7;
            } while (length > 0);
            for (var i = 1; i < backwards.Count; i++) { backwards[i] |= 128; }
            body.AddRange(entry);
            body.AddRange(backwards);
        }
        var total = 6 + body.Count + 1;
        return [.. LittleEndian((uint)total, 4), .. LittleEndian((ulong)entries.Length, 2), .. body, 0xFF];
    }

    /// <summary>An intset: width (2, 4 or 8) and count, little-endian, then the members ascending.</summary>
    public static byte[] Intset(int width, params long[] members) =>
        [.. LittleEndian((uint)width, 4), .. LittleEndian((uint)members.Length, 4), .. members.SelectMany(m => LittleEndian((ulong)m, width))];

    /// <summary>
    /// A zipmap: the pair count, then per pair the field's length and bytes, the value's length, a count of unused
    /// bytes, the value and that many unused bytes; 0xFF. Lengths: 1 byte below 254, else 254 and 4 bytes.
    /// </summary>
    public static byte[] Zipmap(int unused, params (string Field, string Value)[] pairs)
    {
        var bytes = new List<byte> { (byte)Math.Min(pairs.Length, 254) };
        foreach (var (field, value) in pairs)
        {
            AddZipmapString(bytes, Encoding.UTF8.GetBytes(field), null);
            AddZipmapString(bytes, Encoding.UTF8.GetBytes(value), unused);
        }
        bytes.Add(0xFF);
        return [.. bytes];
    }

    private static void AddZipmapString(List<byte> bytes, byte[] text, int? unused)
    {
        if (text.Length < 254) { bytes.Add((byte)text.Length); }
        else { bytes.Add(254); bytes.AddRange(LittleEndian((uint)text.Length, 4)); }
        if (unused is { } free) { bytes.Add((byte)free); }
        bytes.AddRange(text);
        bytes.AddRange(new byte[unused ?? 0]);
    }

    private static byte[] LittleEndian(ulong value, int bytes) => Enumerable.Range(0, bytes).Select(i => (byte)(value >> (8 * i))).ToArray();

    private static byte[] BigEndian(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
