using System.Text;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Reads RDB files of versions 1 to 10 (Redis 2.x to 7.0) and DUMP payloads: the header, the opcodes between keys
/// (databases, expiry, LRU and LFU hints, AUX fields, function libraries), each key's value in any encoding those
/// versions wrote, and the CRC-64 at the end. Anything it cannot load (module data, streams, a newer version) or any
/// corruption or truncation is an <see cref="RdbFormatException"/> with the offset; nothing is loaded silently in part.
/// </summary>
internal static partial class RdbDecoder
{
    private static ReadOnlySpan<byte> Signature => "REDIS"u8;

    /// <summary>
    /// Reads a whole RDB file from <paramref name="input"/> (buffered: files of gigabytes are never held whole) and
    /// hands each key to <paramref name="sink"/> as it is read. Returns how many bytes the file took, its checksum
    /// included: in an append-only file, commands may follow (the reader buffers past them, so the caller seeks back).
    /// Throws <see cref="RdbFormatException"/> when the file cannot be loaded, after the keys before the problem were
    /// handed over: a caller that must not keep a partial load discards them.
    /// </summary>
    public static long Load(Stream input, IRdbSink sink)
    {
        var reader = new RdbReader(input);
        var version = ReadHeader(reader);
        var db = 0;
        long? expireAt = null;
        while (true)
        {
            var offset = reader.Offset;
            var type = reader.ReadByte();
            switch (type)
            {
                case RdbOpcode.Eof:
                    if (version >= 5) { VerifyChecksum(reader); }
                    return reader.Offset;
                case RdbOpcode.SelectDb:
                    var index = reader.ReadLength();
                    db = index <= int.MaxValue ? (int)index : throw new RdbFormatException($"database {index} is out of range", offset);
                    break;
                case RdbOpcode.ResizeDb:
                    reader.ReadLength();
                    reader.ReadLength();
                    break;
                case RdbOpcode.ExpireTimeMs:
                    expireAt = (long)reader.ReadUInt64LittleEndian();
                    break;
                case RdbOpcode.ExpireTime:
                    expireAt = (int)reader.ReadUInt32LittleEndian() * 1000L;
                    break;
                case RdbOpcode.Idle:
                    reader.ReadLength();
                    break;
                case RdbOpcode.Freq:
                    reader.ReadByte();
                    break;
                case RdbOpcode.Aux:
                    reader.ReadString();
                    reader.ReadString();
                    break;
                case RdbOpcode.Function2:
                    sink.Library(reader.ReadString());
                    break;
                case RdbOpcode.FunctionPreGa:
                    SkipPreGaFunction(reader);
                    sink.Skipped($"a function library (7.0 release candidate format) at byte offset {offset}: this server has no functions");
                    break;
                case RdbOpcode.ModuleAux:
                    throw new RdbFormatException("module data (MODULE_AUX) is not supported", offset);
                default:
                    var key = reader.ReadString();
                    if (ReadKeyValue(reader, type, db, key) is { } value) { sink.Entry(db, key, value, expireAt); }
                    else { sink.Skipped($"the empty key {Name(key)} of database {db} at byte offset {offset}"); }
                    expireAt = null;
                    break;
            }
        }
    }

    // The value of a key, an error naming the key: an operator can then find it in the source.
    private static object? ReadKeyValue(RdbReader reader, byte type, int db, byte[] key)
    {
        try
        {
            return ReadValue(reader, type);
        }
        catch (RdbFormatException e)
        {
            throw new RdbFormatException($"key {Name(key)} of database {db}: {e.Reason}", e.Offset);
        }
    }

    // A key as a message shows it: quoted, and cut short when long.
    private static string Name(byte[] key) =>
        key.Length <= 100 ? $"'{Encoding.UTF8.GetString(key)}'" : $"'{Encoding.UTF8.GetString(key, 0, 100)}...' ({key.Length} bytes)";

    private static int ReadHeader(RdbReader reader)
    {
        var header = reader.Read(9);
        if (!header.StartsWith(Signature)) { throw new RdbFormatException("not an RDB file: it does not start with REDIS", 0); }
        var digits = header[Signature.Length..];
        var version = 0;
        foreach (var digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'9') { throw new RdbFormatException($"the RDB version '{Encoding.ASCII.GetString(digits)}' is not a number", 5); }
            version = version * 10 + (digit - '0');
        }
        if (version < 1) { throw new RdbFormatException($"RDB version {version} does not exist", 5); }
        if (version > RdbFormat.Version) { throw new RdbFormatException($"RDB version {version} is newer than this server reads (1 to {RdbFormat.Version})", 5); }
        return version;
    }

    // Since version 5 the EOF opcode is followed by the CRC-64 of everything before it, that byte included; 0 means
    // the writer had checksums off.
    private static void VerifyChecksum(RdbReader reader)
    {
        var offset = reader.Offset;
        var computed = reader.Checksum;
        var stored = reader.ReadUInt64LittleEndian();
        if (stored != 0 && stored != computed)
        {
            throw new RdbFormatException($"checksum mismatch: the file says 0x{stored:x16}, its content gives 0x{computed:x16}", offset);
        }
    }

    // Redis 7.0 release candidates wrote a library as name, engine, an optional description and the code.
    private static void SkipPreGaFunction(RdbReader reader)
    {
        reader.ReadString();
        reader.ReadString();
        if (reader.ReadLength() != 0) { reader.ReadString(); }
        reader.ReadString();
    }
}
