using System.Buffers;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// What a <see cref="Snapshot"/> writes: an RDB file (dump.rdb, and an append-only file's base by default), or the
/// commands that rebuild the keyspace (the base when aof-use-rdb-preamble is no). Chosen when the snapshot begins,
/// since commands copy the keys they touch in this form.
/// </summary>
internal abstract class SnapshotFormat
{
    public static readonly SnapshotFormat Rdb = new RdbFormatWriter();
    public static readonly SnapshotFormat Commands = new CommandsFormatWriter();

    public abstract void WriteHeader(IBufferWriter<byte> output, long unixSeconds);

    /// <summary>A function library's code, before the keys, as Redis writes them.</summary>
    public abstract void WriteFunctionLibrary(IBufferWriter<byte> output, byte[] code);

    public abstract void WriteSelectDb(IBufferWriter<byte> output, int db, long keys, long expires);

    public abstract void WriteEntry(IBufferWriter<byte> output, ReadOnlySpan<byte> key, object value, long? expireAtUnixMs);

    /// <summary>Ends the file; <paramref name="crcOfEverythingBefore"/> is the CRC-64 of every byte before.</summary>
    public abstract void WriteEnd(IBufferWriter<byte> output, ulong crcOfEverythingBefore);

    private sealed class RdbFormatWriter : SnapshotFormat
    {
        public override void WriteHeader(IBufferWriter<byte> output, long unixSeconds) => RdbEncoder.WriteHeader(output, unixSeconds);

        public override void WriteFunctionLibrary(IBufferWriter<byte> output, byte[] code) => RdbEncoder.WriteFunctionLibrary(output, code);

        public override void WriteSelectDb(IBufferWriter<byte> output, int db, long keys, long expires) =>
            RdbEncoder.WriteSelectDb(output, db, keys, expires);

        public override void WriteEntry(IBufferWriter<byte> output, ReadOnlySpan<byte> key, object value, long? expireAtUnixMs) =>
            RdbEncoder.WriteEntry(output, key, value, expireAtUnixMs);

        public override void WriteEnd(IBufferWriter<byte> output, ulong crcOfEverythingBefore) => RdbEncoder.WriteEnd(output, crcOfEverythingBefore);
    }

    private sealed class CommandsFormatWriter : SnapshotFormat
    {
        public override void WriteHeader(IBufferWriter<byte> output, long unixSeconds) { }

        // FUNCTION LOAD of each library, as Redis's rewriteFunctions begins the file.
        public override void WriteFunctionLibrary(IBufferWriter<byte> output, byte[] code)
        {
            AofCommandWriter.Header(output, 3);
            AofCommandWriter.Bulk(output, "FUNCTION"u8);
            AofCommandWriter.Bulk(output, "LOAD"u8);
            AofCommandWriter.Bulk(output, code);
        }

        public override void WriteSelectDb(IBufferWriter<byte> output, int db, long keys, long expires) => AofCommandWriter.Select(output, db);

        public override void WriteEntry(IBufferWriter<byte> output, ReadOnlySpan<byte> key, object value, long? expireAtUnixMs) =>
            AofRewriteCommands.WriteKey(output, key, value, expireAtUnixMs);

        public override void WriteEnd(IBufferWriter<byte> output, ulong crcOfEverythingBefore) { }
    }
}
