using System.Buffers;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// The keyspace as it was when the snapshot began, written as an RDB file (or as commands, see <see cref="SnapshotFormat"/>)
/// while the loops go on. Beginning marks
/// every partition of every non-empty database (under the exclusive hold: O(partitions), no key copied). Until the
/// saver reaches a partition (in file order, holding its stripe), a command about to touch one of its keys copies that
/// key's entry here first, once; the saver then writes those copies and the partition's untouched keys. So no fork and
/// no copy of the keyspace: commands pay for the keys they touch, and only those are held twice, as bytes.
/// </summary>
internal sealed class Snapshot : IKeyspaceSnapshot
{
    private readonly long _startedMs;
    private readonly byte[][] _libraries;
    private readonly (Database Db, long Keys, long Expires)[] _databases;
    private readonly PartitionCopy?[][] _copies;
    private volatile bool _abandoned;

    /// <summary>
    /// Begins a snapshot of <paramref name="keyspace"/> (none of its keys when not <paramref name="includesKeys"/>: a
    /// replica's filter) and the function <paramref name="libraries"/>' code, to be written in <paramref name="format"/>.
    /// Exclusive.
    /// </summary>
    public Snapshot(Keyspace keyspace, SnapshotFormat format, byte[][] libraries, bool includesKeys = true)
    {
        _startedMs = Clock.NowMs;
        Format = format;
        _libraries = libraries;
        _databases = keyspace.Databases.Where(db => includesKeys && db.Count > 0).Select(db => (db, (long)db.Count, (long)db.ExpiresCount)).ToArray();
        _copies = new PartitionCopy?[keyspace.Databases.Length][];
        foreach (var (db, _, _) in _databases)
        {
            _copies[db.Index] = new PartitionCopy?[KeyspaceLock.StripeCount];
            db.BeginSnapshot(this);
        }
    }

    public SnapshotFormat Format { get; }

    /// <summary>Keys in the snapshot (with those that expire before it is written).</summary>
    public long Keys => _databases.Sum(d => d.Keys);

    public void CaptureKey(Database db, int partition, ReadOnlySpan<byte> key)
    {
        if (_abandoned) { return; }
        var copy = _copies[db.Index][partition] ??= new PartitionCopy();
        if (!copy.Done.Add(key)) { return; }
        if (db.EntryOf(partition, key) is { } entry) { Write(copy.Entries, key, entry.Value, entry.ExpireAtMs); }
    }

    public void CaptureRest(Database db, int partition)
    {
        if (_abandoned) { return; }
        var copy = _copies[db.Index][partition] ??= new PartitionCopy();
        WriteRest(db, partition, copy.Done.Set, copy.Entries);
    }

    /// <summary>
    /// Writes the file to <paramref name="file"/>: header, each database's partitions in order (the keys commands
    /// copied, then the rest, holding the partition's stripe while reading it), EOF and checksum. Within an exclusive
    /// hold the stripes are already held, which is SAVE.
    /// </summary>
    public void WriteTo(KeyspaceLock keyspaceLock, DurableFile file) => WriteTo(keyspaceLock, file.Append);

    /// <summary>The same file, handed to <paramref name="output"/> piece by piece (a full sync's RDB, for a replica).</summary>
    public void WriteTo(KeyspaceLock keyspaceLock, Action<ReadOnlySpan<byte>> output)
    {
        var crc = 0UL;
        var scratch = new ArrayBufferWriter<byte>();
        void Append(ReadOnlySpan<byte> bytes)
        {
            crc = Crc64.Update(crc, bytes);
            output(bytes);
        }
        void AppendScratch()
        {
            Append(scratch.WrittenSpan);
            scratch.ResetWrittenCount();
        }

        Format.WriteHeader(scratch, _startedMs / 1000);
        foreach (var code in _libraries) { Format.WriteFunctionLibrary(scratch, code); }
        AppendScratch();
        foreach (var (db, keys, expires) in _databases)
        {
            Format.WriteSelectDb(scratch, db.Index, keys, expires);
            AppendScratch();
            var copies = _copies[db.Index];
            for (var partition = 0; partition < copies.Length; partition++)
            {
                using (keyspaceLock.Shared(partition))
                {
                    // Still marked: no command copied the whole partition, so the saver writes what they did not.
                    if (db.Unmark(partition)) { WriteRest(db, partition, copies[partition]?.Done.Set, scratch); }
                }
                if (copies[partition] is { } copy) { Append(copy.Entries.WrittenSpan); }
                AppendScratch();
                copies[partition] = null;
            }
        }
        Format.WriteEnd(scratch, crc);
        output(scratch.WrittenSpan);
    }

    /// <summary>After a failed write: unmarks the partitions not yet written, so commands stop copying keys.</summary>
    public void Abandon(KeyspaceLock keyspaceLock)
    {
        _abandoned = true;
        foreach (var (db, _, _) in _databases)
        {
            for (var partition = 0; partition < KeyspaceLock.StripeCount; partition++)
            {
                using (keyspaceLock.Shared(partition)) { db.Unmark(partition); }
                _copies[db.Index][partition] = null;
            }
        }
    }

    // The partition's keys not already copied (or noted absent) by a command.
    private void WriteRest(Database db, int partition, HashSet<byte[]>? done, ArrayBufferWriter<byte> output)
    {
        foreach (var (key, value, deadline) in db.EntriesOf(partition))
        {
            if (done is null || !done.Contains(key)) { Write(output, key, value, deadline); }
        }
    }

    private void Write(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> key, object value, long? deadline)
    {
        if (deadline <= _startedMs) { return; } // expired at the snapshot's instant: not in it
        Format.WriteEntry(output, key, value, deadline);
    }

    /// <summary>What commands copied of one partition ahead of the saver.</summary>
    private sealed class PartitionCopy
    {
        /// <summary>Keys copied, or absent when first touched (created later: not in the snapshot).</summary>
        public readonly KeySet Done = new();

        public readonly ArrayBufferWriter<byte> Entries = new();
    }

    /// <summary>A set of keys added from spans without allocating for those already in it.</summary>
    private sealed class KeySet
    {
        public readonly HashSet<byte[]> Set = new(ByteArrayComparer.Instance);
        private readonly HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;

        public KeySet() => _bySpan = Set.GetAlternateLookup<ReadOnlySpan<byte>>();

        public bool Add(ReadOnlySpan<byte> key) => _bySpan.Add(key);
    }
}
