using System.Buffers;
using System.Buffers.Binary;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// FUNCTION DUMP's payload, as Redis 7.0's functionDumpCommand makes it: each library as its RDB function record
/// (opcode 245 and its code), then the RDB version and the CRC-64 of all that, as DUMP's payloads end.
/// </summary>
internal static class FunctionPayload
{
    public static byte[] Create(IEnumerable<byte[]> codes)
    {
        var payload = new ArrayBufferWriter<byte>();
        foreach (var code in codes) { RdbEncoder.WriteFunctionLibrary(payload, code); }
        BinaryPrimitives.WriteUInt16LittleEndian(payload.GetSpan(2), RdbFormat.Version);
        payload.Advance(2);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.GetSpan(8), Crc64.Update(0, payload.WrittenSpan));
        payload.Advance(8);
        return payload.WrittenSpan.ToArray();
    }

    /// <summary>The libraries' codes in <paramref name="payload"/>, or Redis's error.</summary>
    public static List<byte[]>? Read(ReadOnlySpan<byte> payload, out string? error)
    {
        error = null;
        if (!DumpPayload.TryOpen(payload, out var records))
        {
            error = "ERR DUMP payload version or checksum are wrong";
            return null;
        }
        var codes = new List<byte[]>();
        var reader = new RdbReader(new MemoryStream(records.ToArray()));
        try
        {
            while (reader.Offset < records.Length)
            {
                if (reader.ReadByte() != RdbOpcode.Function2)
                {
                    error = "ERR given type is not a function";
                    return null;
                }
                codes.Add(reader.ReadString());
            }
        }
        catch (RdbFormatException)
        {
            error = "ERR payload is corrupted";
            return null;
        }
        return codes;
    }
}
