using System.Buffers;
using System.Buffers.Binary;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// What DUMP returns and RESTORE takes (cluster.c's createDumpPayload, verifyDumpPayload): a value's type byte and
/// RDB serialization, the RDB version (2 bytes) and the CRC-64 of all that (8 bytes), both little-endian.
/// </summary>
internal static class DumpPayload
{
    private const int FooterSize = 10;

    public static byte[] Create(object value)
    {
        var payload = new ArrayBufferWriter<byte>();
        RdbEncoder.WriteValue(payload, value);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.GetSpan(2), RdbFormat.Version);
        payload.Advance(2);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.GetSpan(8), Crc64.Update(0, payload.WrittenSpan));
        payload.Advance(8);
        return payload.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The serialized value of <paramref name="payload"/> (type byte first), when its footer names a version this
    /// server reads and its checksum matches. A checksum of 0 is checked like any other: Redis 7.0 does (later
    /// versions skip it), while an RDB file's 0 does mean none was computed.
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (payload.Length < FooterSize) { return false; }
        var footer = payload[^FooterSize..];
        if (BinaryPrimitives.ReadUInt16LittleEndian(footer) > RdbFormat.Version) { return false; }
        if (BinaryPrimitives.ReadUInt64LittleEndian(footer[2..]) != Crc64.Update(0, payload[..^8])) { return false; }
        value = payload[..^FooterSize];
        return true;
    }
}
