using System.Buffers;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// The keyspace as it was when the snapshot began, written as an RDB file while the loops go on. Beginning marks
/// every partition of every non-empty database (under the exclusive hold: O(partitions), no key copied). Afterwards
/// each partition is serialized once, by the first of the saver (in file order) and a command about to read or change
/// it (which serializes it then, holding its stripe, and keeps the bytes here until the saver reaches them). So no
/// fork and no copy of the keyspace: at most the partitions touched ahead of the saver are held twice, as bytes.
/// </summary>
internal sealed class Snapshot : IKeyspaceSnapshot
{
    private readonly long _startedMs;
    private readonly (Database Db, long Keys, long Expires)[] _databases;
    private readonly byte[]?[][] _captured;
    private volatile bool _abandoned;

    /// <summary>Begins a snapshot of <paramref name="keyspace"/>. Exclusive.</summary>
    public Snapshot(Keyspace keyspace)
    {
        _startedMs = Clock.NowMs;
        _databases = keyspace.Databases.Where(db => db.Count > 0).Select(db => (db, (long)db.Count, (long)db.ExpiresCount)).ToArray();
        _captured = new byte[]?[keyspace.Databases.Length][];
        foreach (var (db, _, _) in _databases)
        {
            _captured[db.Index] = new byte[]?[KeyspaceLock.StripeCount];
            db.BeginSnapshot(this);
        }
    }

    /// <summary>Keys in the snapshot (with those that expire before it is written).</summary>
    public long Keys => _databases.Sum(d => d.Keys);

    public void Capture(Database db, int partition)
    {
        if (_abandoned) { return; }
        var output = new ArrayBufferWriter<byte>();
        Serialize(db, partition, output);
        _captured[db.Index][partition] = output.WrittenSpan.ToArray();
    }

    private void Serialize(Database db, int partition, ArrayBufferWriter<byte> output)
    {
        foreach (var (key, value, deadline) in db.EntriesOf(partition))
        {
            if (deadline <= _startedMs) { continue; } // expired at the snapshot's instant: not in it
            RdbEncoder.WriteEntry(output, key, value, deadline);
        }
    }

    /// <summary>
    /// Writes the RDB file to <paramref name="file"/>: header, each database's partitions in order (serializing those
    /// no command reached first, holding each one's stripe meanwhile), EOF and checksum. Within an exclusive hold the
    /// stripes are already held, which is SAVE.
    /// </summary>
    public void WriteTo(KeyspaceLock keyspaceLock, DurableFile file)
    {
        var crc = 0UL;
        var scratch = new ArrayBufferWriter<byte>();
        void Append(ReadOnlySpan<byte> bytes)
        {
            crc = Crc64.Update(crc, bytes);
            file.Append(bytes);
        }
        void AppendScratch()
        {
            Append(scratch.WrittenSpan);
            scratch.ResetWrittenCount();
        }

        RdbEncoder.WriteHeader(scratch, _startedMs / 1000);
        AppendScratch();
        foreach (var (db, keys, expires) in _databases)
        {
            RdbEncoder.WriteSelectDb(scratch, db.Index, keys, expires);
            AppendScratch();
            var captured = _captured[db.Index];
            for (var partition = 0; partition < captured.Length; partition++)
            {
                // Serialized straight into the scratch buffer unless a command captured it first: no copy to keep.
                using (keyspaceLock.Shared(partition))
                {
                    if (db.Unmark(partition)) { Serialize(db, partition, scratch); }
                }
                if (captured[partition] is { } early) { Append(early); } else { AppendScratch(); }
                captured[partition] = null;
            }
        }
        RdbEncoder.WriteEnd(scratch, crc);
        file.Append(scratch.WrittenSpan);
    }

    /// <summary>After a failed write: unmarks the partitions not yet captured, so commands stop capturing them.</summary>
    public void Abandon(KeyspaceLock keyspaceLock)
    {
        _abandoned = true;
        foreach (var (db, _, _) in _databases)
        {
            var captured = _captured[db.Index];
            for (var partition = 0; partition < captured.Length; partition++)
            {
                using (keyspaceLock.Shared(partition)) { db.Unmark(partition); }
                captured[partition] = null;
            }
        }
    }
}
