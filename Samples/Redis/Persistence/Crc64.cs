using System.Buffers.Binary;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Redis's CRC-64 (crc64.c): the Jones polynomial, reflected input and output, no final xor, 0 to start
/// ("123456789" gives 0xe9c6d914c4b8d9ca). It checks RDB files and DUMP payloads. Slicing-by-8, so a file of
/// gigabytes costs about a second per gigabyte or less.
/// </summary>
internal static class Crc64
{
    // 0xad93d23594c935a9 with its bits reversed: the table works least significant bit first.
    private const ulong ReflectedPolynomial = 0x95ac9329ac4bc9b5;

    private static readonly ulong[][] Tables = BuildTables();

    /// <summary>The CRC of what came before (<paramref name="crc"/>) followed by <paramref name="data"/>.</summary>
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        var (t0, t1, t2, t3, t4, t5, t6, t7) = (Tables[0], Tables[1], Tables[2], Tables[3], Tables[4], Tables[5], Tables[6], Tables[7]);
        while (data.Length >= 8)
        {
            crc ^= BinaryPrimitives.ReadUInt64LittleEndian(data);
            crc = t7[crc & 0xff] ^ t6[(crc >> 8) & 0xff] ^ t5[(crc >> 16) & 0xff] ^ t4[(crc >> 24) & 0xff]
                ^ t3[(crc >> 32) & 0xff] ^ t2[(crc >> 40) & 0xff] ^ t1[(crc >> 48) & 0xff] ^ t0[crc >> 56];
            data = data[8..];
        }
        foreach (var b in data) { crc = t0[(crc ^ b) & 0xff] ^ (crc >> 8); }
        return crc;
    }

    // Table k gives the effect of a byte followed by k zero bytes.
    private static ulong[][] BuildTables()
    {
        var tables = new ulong[8][];
        for (var k = 0; k < 8; k++) { tables[k] = new ulong[256]; }
        for (var i = 0; i < 256; i++)
        {
            var crc = (ulong)i;
            for (var bit = 0; bit < 8; bit++) { crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1; }
            tables[0][i] = crc;
        }
        for (var i = 0; i < 256; i++)
        {
            for (var k = 1; k < 8; k++) { tables[k][i] = (tables[k - 1][i] >> 8) ^ tables[0][tables[k - 1][i] & 0xff]; }
        }
        return tables;
    }
}
