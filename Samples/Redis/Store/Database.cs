namespace Loop.Samples.Redis.Store;

/// <summary>
/// One of the numbered databases: keys to values, keys to expiry deadlines, and the sessions watching
/// keys. Keys and deadlines live in one partition per keyspace stripe (see <see cref="KeyspaceLock"/>): a caller
/// holds the stripe of every key it touches (shared), or the whole keyspace (exclusive) for everything else here.
/// Expired keys are removed when touched and by the active cycle.
/// </summary>
internal sealed partial class Database
{
    // Exchanged whole with another database's by SWAPDB (Database.Swap.cs).
    private Partition[] _partitions = Enumerable.Range(0, KeyspaceLock.StripeCount).Select(_ => new Partition()).ToArray();
    private readonly KeyspaceEvents _events;
    private readonly KeyTracking _tracking;

    public Database(int index, KeyspaceEvents events, KeyTracking tracking)
    {
        Index = index;
        _events = events;
        _tracking = tracking;
        _watchersBySpan = _watchers.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Index { get; }

    /// <summary>
    /// A keyspace notification: <paramref name="key"/> changed as <paramref name="name"/> says (Redis's event name),
    /// published when its class is enabled. Off, it costs one field read and a well-predicted branch.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Notify(EventClass type, ReadOnlySpan<byte> name, ReadOnlySpan<byte> key)
    {
        if ((_events.Enabled & type) != 0) { _events.Publish(name, key, Index); }
    }

    /// <summary>Keys count their accesses (an LFU maxmemory-policy) rather than remember their last (<see cref="KeyAccess"/>).</summary>
    public bool CountsFrequency { get; set; }

    /// <summary>Where changes are logged (the append-only file, the replicas), or null. Set by <see cref="Keyspace"/>.</summary>
    public ICommandLog? Log { get; set; }

    /// <summary>
    /// While the keyspace loads an append-only file: no key expires, and a deadline already past is kept, as Redis
    /// loads (the file's later commands were made while the key lived; its deletion is in the file if it happened).
    /// </summary>
    public bool ExpiryPaused { get; set; }

    /// <summary>
    /// While true (clients paused), a key past its deadline reads as gone but is not deleted, as Redis's expireIfNeeded
    /// keeps it then: no DEL to propagate while writes wait. Set by <see cref="Keyspace"/>.
    /// </summary>
    public Func<bool> ExpiryDeferred { get; set; } = static () => false;

    /// <summary>
    /// Changes made by this thread, ever: a command changed something when this moved while it ran, as Redis's dirty
    /// counter tells (what is logged and what is not). Per thread, so that no loop writes a shared counter.
    /// </summary>
    public static long ChangesOnThisThread => t_changes;

    [ThreadStatic] private static long t_changes;

    // How an expired or evicted key's deletion is logged.
    private static readonly byte[] DelCommand = "DEL"u8.ToArray();

    /// <summary>
    /// This thread's read lookups (<see cref="Read"/>) that found their key and that did not, since the last call: Redis's
    /// keyspace_hits and keyspace_misses, which each loop adds to its own counters after a batch.
    /// </summary>
    public static (long Hits, long Misses) TakeReadsOnThisThread()
    {
        var reads = (t_hits, t_misses);
        t_hits = t_misses = 0;
        return reads;
    }

    [ThreadStatic] private static long t_hits, t_misses;

    /// <summary>Keys held, including expired ones not yet collected (as DBSIZE counts). Exclusive.</summary>
    public int Count => _partitions.Sum(p => p.Data.Count);

    /// <summary>Keys with a deadline. Exclusive.</summary>
    public int ExpiresCount => _partitions.Sum(p => p.Expires.Count);

    /// <summary>Every key. Exclusive.</summary>
    public IEnumerable<byte[]> Keys
    {
        get
        {
            foreach (var partition in _partitions)
            {
                for (var slot = 0; slot < partition.Data.Count; slot++) { yield return partition.Data.KeyAt(slot); }
            }
        }
    }

    /// <summary>
    /// SCAN: adds keys from <paramref name="cursor"/> on to <paramref name="found"/>, about <paramref name="count"/>,
    /// and returns the next cursor (0: done). The cursor's low 10 bits are the partition, the rest that partition's
    /// table cursor, so a call costs O(count) plus the empty partitions it passes, and inherits the table's promise:
    /// a key present for the whole scan is returned. Exclusive.
    /// </summary>
    public ulong Scan(ulong cursor, int count, List<byte[]> found)
    {
        var partition = (int)(cursor % KeyspaceLock.StripeCount);
        var within = cursor / KeyspaceLock.StripeCount;
        while (found.Count < count)
        {
            within = _partitions[partition].Data.Scan(within, count - found.Count, found);
            if (within != 0) { break; }
            if (++partition == KeyspaceLock.StripeCount) { return 0; }
        }
        return within * KeyspaceLock.StripeCount + (ulong)partition;
    }

    /// <summary>
    /// The live value of <paramref name="key"/>, or null (an expired key is deleted and counted here): a write's lookup
    /// (lookupKeyWrite), which notifies no miss; reads use <see cref="Read"/>. The key's use is recorded for eviction
    /// unless <paramref name="touch"/> is false (Redis's LOOKUP_NOTOUCH).
    /// </summary>
    public object? Get(ReadOnlySpan<byte> key, bool touch = true)
    {
        var partition = PartitionOf(key);
        var slot = partition.Data.SlotOf(key);
        if (slot < 0) { return null; }
        if (partition.Expires.Count > 0 && partition.Expires.TryGetValue(key, out var deadline) && deadline <= Clock.NowMs && !ExpiryPaused)
        {
            if (!ExpiryDeferred()) { Expire(partition, key); }
            return null;
        }
        if (touch) { KeyAccess.Touch(ref partition.Data.AccessAt(slot), CountsFrequency); }
        return partition.Data.ValueAt(slot);
    }

    /// <summary>
    /// A read's lookup (Redis's lookupKeyRead): <see cref="Get"/>, counted as a hit or a miss, and a miss notified as
    /// <c>keymiss</c> (unless <paramref name="notifyMiss"/> is false: Redis's LOOKUP_NONOTIFY). A hit costs one count
    /// more; a miss with keymiss off, one field read.
    /// </summary>
    public object? Read(ReadOnlySpan<byte> key, bool notifyMiss = true, bool touch = true)
    {
        var value = Get(key, touch);
        if (value is not null) { t_hits++; return value; }
        t_misses++;
        if (notifyMiss) { Notify(EventClass.KeyMiss, "keymiss"u8, key); }
        return null;
    }

    /// <summary>
    /// Whether <paramref name="key"/> is stored and its deadline has not passed, deleting nothing (Redis's keyIsExpired):
    /// what KEYS lists and WATCH remembers, where Redis expires no key.
    /// </summary>
    public bool IsLive(ReadOnlySpan<byte> key)
    {
        var partition = PartitionOf(key);
        if (!partition.Data.TryGetValue(key, out _)) { return false; }
        return ExpiryPaused || !partition.Expires.TryGetValue(key, out var deadline) || deadline > Clock.NowMs;
    }

    /// <summary>What <paramref name="key"/> recorded of its use (<see cref="KeyAccess"/>), or 0 when it is not stored.</summary>
    public uint AccessOf(ReadOnlySpan<byte> key)
    {
        var data = PartitionOf(key).Data;
        var slot = data.SlotOf(key);
        return slot < 0 ? 0 : data.AccessAt(slot);
    }

    /// <summary>Records <paramref name="access"/> as the use of <paramref name="key"/>, when stored (RESTORE's IDLETIME and FREQ).</summary>
    public void SetAccess(ReadOnlySpan<byte> key, uint access)
    {
        var data = PartitionOf(key).Data;
        if (data.SlotOf(key) is var slot and >= 0) { data.AccessAt(slot) = access; }
    }

    /// <summary>The value stored at <paramref name="key"/>, expired or not, deleting nothing: Redis's dictFind (MEMORY USAGE, DEBUG OBJECT).</summary>
    public object? Peek(ReadOnlySpan<byte> key) => PartitionOf(key).Data.TryGetValue(key, out var value) ? value : null;

    // Deletes a key whose deadline passed, and logs the deletion as Redis propagates it: the log's later commands
    // see the key gone when loaded, which happens with expiry paused. Watchers are told, but the deletion is not the
    // command's change (Redis's dirty stays): a command that found its key expired and then failed is not logged.
    private void Expire(Partition partition, ReadOnlySpan<byte> key)
    {
        Log?.Append(Index, DelCommand, key.ToArray());
        var changes = t_changes;
        Remove(key);
        t_changes = changes;
        partition.ExpiredKeys++;
        Notify(EventClass.Expired, "expired"u8, key);
    }

    // A key about to be overwritten is expired first if its deadline passed, as Redis's lookupKeyWrite finds it gone:
    // the overwrite then adds a new key.
    private void ExpireIfDue(Partition partition, ReadOnlySpan<byte> key)
    {
        if (partition.Expires.TryGetValue(key, out var deadline) && deadline <= Clock.NowMs && !ExpiryPaused) { Expire(partition, key); }
    }

    /// <summary>Keys deleted because their TTL passed, lazily or by the active cycle. Exclusive.</summary>
    public long ExpiredKeys => _partitions.Sum(p => p.ExpiredKeys);

    /// <summary>CONFIG RESETSTAT.</summary>
    public void ResetExpiredKeys()
    {
        foreach (var partition in _partitions) { partition.ExpiredKeys = 0; }
    }

    /// <summary>Stores <paramref name="value"/>; the key's TTL is cleared unless <paramref name="keepTtl"/>.</summary>
    public void Set(ReadOnlySpan<byte> key, object value, bool keepTtl = false)
    {
        var partition = PartitionOf(key);
        if (partition.Expires.Count > 0) { ExpireIfDue(partition, key); }
        if (partition.Data.Set(key, value, KeyAccess.New(CountsFrequency))) { Notify(EventClass.New, "new"u8, key); }
        if (!keepTtl && partition.Expires.Count > 0) { partition.Expires.Remove(key); }
        Touch(key);
    }

    /// <summary>A key read from a file (its array kept), stored as Redis's dbAddRDBLoad stores it: notifying no one.</summary>
    public void Load(byte[] key, object value)
    {
        var partition = PartitionOf(key);
        partition.Data.Set(key, value, KeyAccess.New(CountsFrequency));
        if (partition.Expires.Count > 0) { partition.Expires.Remove(key); }
        Touch(key);
    }

    /// <summary>SET's fast path: overwrites a string of the same length in place, so steady-state SETs allocate nothing.</summary>
    public void SetString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var partition = PartitionOf(key);
        if (partition.Expires.Count > 0) { ExpireIfDue(partition, key); }
        var slot = partition.Data.SlotOf(key);
        if (slot >= 0 && partition.Data.ValueAt(slot) is byte[] bytes && bytes.Length == value.Length)
        {
            value.CopyTo(bytes);
            KeyAccess.Touch(ref partition.Data.AccessAt(slot), CountsFrequency);
            if (partition.Expires.Count > 0) { partition.Expires.Remove(key); }
            Touch(key);
            return;
        }
        Set(key, value.ToArray());
    }

    public bool Remove(ReadOnlySpan<byte> key)
    {
        var partition = PartitionOf(key);
        if (!partition.Data.Remove(key)) { return false; }
        if (partition.Expires.Count > 0) { partition.Expires.Remove(key); }
        Touch(key);
        return true;
    }

    /// <summary>
    /// After an in-place change, notified as <paramref name="name"/>: an emptied collection's key is then deleted (and
    /// notified as <c>del</c>), as in Redis; otherwise watchers learn of the change.
    /// </summary>
    public void Changed(ReadOnlySpan<byte> key, IRedisCollection collection, EventClass type, ReadOnlySpan<byte> name)
    {
        Notify(type, name, key);
        if (!collection.IsEmpty) { Touch(key); return; }
        Remove(key);
        Notify(EventClass.Generic, "del"u8, key);
    }

    /// <summary>
    /// A STORE command's <paramref name="result"/>: stored at <paramref name="key"/> and notified as <paramref name="name"/>,
    /// or, when empty, the destination deleted (notified as <c>del</c> when there was one), as Redis does.
    /// </summary>
    public void Store(ReadOnlySpan<byte> key, IRedisCollection result, EventClass type, ReadOnlySpan<byte> name)
    {
        if (result.IsEmpty) { Delete(key); return; }
        Set(key, result);
        Notify(type, name, key);
    }

    /// <summary>Deletes <paramref name="key"/> when it is live, notified as <c>del</c> (DEL, a STORE command with an empty result); false when there was none.</summary>
    public bool Delete(ReadOnlySpan<byte> key)
    {
        if (Get(key) is null) { return false; }
        Remove(key);
        Notify(EventClass.Generic, "del"u8, key);
        return true;
    }

    /// <summary>The <typeparamref name="T"/> at <paramref name="key"/>, stored new when absent; null when the key holds another type.</summary>
    public T? GetOrCreate<T>(ReadOnlySpan<byte> key) where T : class, IRedisCollection, new()
    {
        var value = Get(key);
        if (value is null) { Set(key, value = new T()); }
        return value as T;
    }

    /// <summary>The Unix-ms deadline of a live key, or null when it has none.</summary>
    public long? ExpireAt(ReadOnlySpan<byte> key) => PartitionOf(key).Expires.TryGetValue(key, out var deadline) ? deadline : null;

    /// <summary>Sets a deadline on an existing key; a deadline in the past deletes it (false).</summary>
    public bool SetExpireAt(ReadOnlySpan<byte> key, long unixMs)
    {
        if (unixMs <= Clock.NowMs && !ExpiryPaused)
        {
            Remove(key);
            return false;
        }
        PartitionOf(key).Expires.Set(key, unixMs);
        Touch(key);
        return true;
    }

    /// <summary>
    /// Sets a deadline on an existing key, one already past included: the key then stays until a lookup or the expiry
    /// cycle finds it, as SET's EX, PX, EXAT and PXAT leave it in Redis 7.0.
    /// </summary>
    public void SetDeadline(ReadOnlySpan<byte> key, long unixMs)
    {
        PartitionOf(key).Expires.Set(key, unixMs);
        Touch(key);
    }

    public bool Persist(ReadOnlySpan<byte> key)
    {
        if (!PartitionOf(key).Expires.Remove(key)) { return false; }
        Touch(key);
        return true;
    }

    /// <summary>FLUSHDB. Exclusive.</summary>
    public void Clear()
    {
        TouchWatchers(replacement: null);
        CountChange();
        for (var i = 0; i < _partitions.Length; i++)
        {
            var partition = Preserved(i);
            partition.Data.Clear();
            partition.Expires.Clear();
        }
        // Stream group readers learn their key went, as Redis's signalFlushedDb tells them.
        foreach (var key in _blocked.Keys) { SignalReady(key); }
    }

    /// <summary>
    /// A live key picked at random, or null when empty: a random slot of the first non-empty partition from a random
    /// one, O(1) expected once keys outnumber partitions (and O(partitions) at worst). Exclusive.
    /// </summary>
    public byte[]? RandomKey()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var start = Random.Shared.Next(_partitions.Length);
            for (var i = 0; i < _partitions.Length; i++)
            {
                var data = _partitions[(start + i) % _partitions.Length].Data;
                if (data.Count == 0) { continue; }
                var key = data.KeyAt(data.RandomSlot());
                if (Get(key) is not null) { return key; }
                break;
            }
        }
        return null;
    }

    /// <summary>
    /// Redis's active expiry: samples keys with a deadline and deletes the expired ones, again while more
    /// than a quarter of a sample had expired. Returns how many were deleted.
    /// </summary>
    public int ExpireSample(int sampleSize)
    {
        var deleted = 0;
        var (ttlSum, ttlSamples, withDeadline) = (0L, 0L, 0L);
        foreach (var partition in _partitions)
        {
            var expires = partition.Expires;
            withDeadline += expires.Count;
            for (var round = 0; round < 16 && expires.Count > 0; round++)
            {
                // Random slots of the table of deadlines: O(sample), whatever the number of keys.
                var now = Clock.NowMs;
                var sample = Math.Min(sampleSize, expires.Count);
                var expired = 0;
                for (var i = 0; i < sample && expires.Count > 0; i++)
                {
                    var slot = expires.RandomSlot();
                    if (expires.ValueAt(slot) - now is var ttl and > 0)
                    {
                        (ttlSum, ttlSamples) = (ttlSum + ttl, ttlSamples + 1);
                        continue;
                    }
                    Expire(partition, expires.KeyAt(slot));
                    expired++;
                }
                deleted += expired;
                if (expired * 4 <= sample) { break; }
            }
        }
        // Redis's running average: the new samples weigh 2%, what it estimated before 98%; no deadline left, none.
        if (withDeadline == 0) { AverageTtlMs = 0; }
        else if (ttlSamples > 0 && ttlSum / ttlSamples is var average)
        {
            var before = AverageTtlMs == 0 ? average : AverageTtlMs;
            AverageTtlMs = before / 50 * 49 + average / 50;
        }
        return deleted;
    }

    /// <summary>INFO keyspace's avg_ttl: the active expiry's running estimate of the keys' remaining TTL, in ms.</summary>
    public long AverageTtlMs { get; private set; }

    /// <summary>Marks every partition for <paramref name="snapshot"/>, which copies each key before it next changes. Exclusive.</summary>
    public void BeginSnapshot(IKeyspaceSnapshot snapshot)
    {
        foreach (var partition in _partitions) { partition.Snapshot = snapshot; }
    }

    /// <summary>
    /// Unmarks partition <paramref name="index"/>: true when it was still marked, so the caller, holding its stripe,
    /// copies what the snapshot has not (the saver's turn).
    /// </summary>
    public bool Unmark(int index)
    {
        var partition = _partitions[index];
        if (partition.Snapshot is null) { return false; }
        partition.Snapshot = null;
        return true;
    }

    /// <summary>Partition <paramref name="index"/>'s keys, values and deadlines. Holding its stripe, the table unchanged meanwhile.</summary>
    public IEnumerable<(byte[] Key, object Value, long? ExpireAtMs)> EntriesOf(int index)
    {
        var partition = _partitions[index];
        foreach (var (key, value) in partition.Data)
        {
            yield return (key, value, partition.Expires.Count > 0 && partition.Expires.TryGetValue(key, out var deadline) ? deadline : null);
        }
    }

    /// <summary>The stored value and deadline of <paramref name="key"/> as they are (expired or not), or null. Holding its stripe.</summary>
    public (object Value, long? ExpireAtMs)? EntryOf(int index, ReadOnlySpan<byte> key)
    {
        var partition = _partitions[index];
        if (!partition.Data.TryGetValue(key, out var value)) { return null; }
        return (value, partition.Expires.Count > 0 && partition.Expires.TryGetValue(key, out var deadline) ? deadline : null);
    }

    // Every access to a key comes through here: a snapshot still copying its partition copies the key first.
    private Partition PartitionOf(ReadOnlySpan<byte> key)
    {
        var index = KeyspaceLock.StripeOf(key);
        var partition = _partitions[index];
        partition.Snapshot?.CaptureKey(this, index, key);
        return partition;
    }

    // Before a change to a whole partition (FLUSHDB): a snapshot still copying it copies the rest now.
    private Partition Preserved(int index)
    {
        var partition = _partitions[index];
        if (partition.Snapshot is { } snapshot)
        {
            partition.Snapshot = null;
            snapshot.CaptureRest(this, index);
        }
        return partition;
    }

    /// <summary>This database's keys in one stripe: touched only by the holder of that stripe.</summary>
    private sealed class Partition
    {
        /// <summary>The snapshot that has not copied all of this partition yet.</summary>
        public IKeyspaceSnapshot? Snapshot;

        public readonly KeyTable<object> Data = new();

        /// <summary>Deadlines (Unix ms) of the keys that have one: sampled by the expiry cycle.</summary>
        public readonly KeyTable<long> Expires = new();

        public long ExpiredKeys;
    }
}
