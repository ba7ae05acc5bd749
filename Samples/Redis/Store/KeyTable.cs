using System.Runtime.CompilerServices;

namespace Loop.Samples.Redis.Store;

/// <summary>
/// A hash table from byte-string keys to <typeparamref name="TValue"/> that, besides lookups, answers what
/// Redis asks of its keyspace in time proportional to the answer: SCAN in O(COUNT) per call, a random key in
/// O(1), and a sample of keys in O(sample) (<see cref="RandomSlot"/>, then <see cref="KeyAt"/> and
/// <see cref="ValueAt"/> on neighbouring slots). A <see cref="Dictionary{TKey,TValue}"/> answers those only by
/// enumerating.
/// </summary>
/// <remarks>
/// <para>
/// Chained hashing, laid out like <see cref="Dictionary{TKey,TValue}"/> (a power-of-two bucket array and one
/// entry array, ~36 bytes a key with the access field eviction reads), except that the entries are dense: slots 0 to <see cref="Count"/> − 1 each
/// hold a key, with no free list. Remove moves the last entry into the hole and fixes the one link that
/// pointed to it, so any slot below Count is a key and a slot number can serve as a SCAN cursor.
/// </para>
/// <para>
/// The table grows (doubles) when an insert finds it full, a load factor of at most 1, and shrinks (halves)
/// once fewer than an eighth of its slots are used, so memory follows the key count both ways. Resizing
/// copies the entries in slot order and only rebuilds the chains: no key changes slot, so a SCAN in progress
/// keeps the guarantee <see cref="ScanSlots"/> explains (every key present from a scan's start to its end is
/// returned at least once) however the table grows or shrinks between calls.
/// </para>
/// <para>
/// Keys are hashed by <see cref="ByteArrayComparer"/>; lookups take the received bytes as a span and
/// allocate nothing. Not thread-safe: the caller holds the lock of the stripe the table belongs to.
/// </para>
/// </remarks>
internal sealed class KeyTable<TValue>
{
    /// <summary>The smallest allocated table; the table does not shrink below it.</summary>
    public const int MinCapacity = 16;

    // An empty table allocates nothing: a one-bucket array that is never written (lookups find 0 = empty
    // there, and the first insert allocates real buckets) stands in, shared by all empty tables.
    private static readonly int[] s_noBuckets = new int[1];

    // Links, in _buckets and Entry.Next alike, are a slot + 1 with 0 for none: removal rewrites whichever
    // link pointed to an entry through one ref, be it a bucket head or a predecessor's Next.
    private int[] _buckets = s_noBuckets;
    private Entry[] _entries = [];
    private int _count;
    // Changed by adds, removes, clears and resizes (not by overwrites), so that enumeration notices them.
    private int _version;

    private struct Entry
    {
        public int Hash;
        public int Next;
        public byte[] Key;
        public TValue Value;
        // The key's use, for eviction (KeyAccess): Redis's 24 bits of lru, 8 bytes more per entry with the padding.
        public uint Access;
    }

    /// <summary>Keys held; slots 0 to Count − 1 each hold one.</summary>
    public int Count => _count;

    /// <summary>Slots allocated (0 for a table that has never held a key or was cleared).</summary>
    public int Capacity => _entries.Length;

    public bool ContainsKey(ReadOnlySpan<byte> key) => FindSlot(key, Hash(key)) >= 0;

    public bool TryGetValue(ReadOnlySpan<byte> key, out TValue value)
    {
        var slot = FindSlot(key, Hash(key));
        if (slot < 0)
        {
            value = default!;
            return false;
        }
        value = _entries[slot].Value;
        return true;
    }

    /// <summary>
    /// The stored value of <paramref name="key"/> by reference, to update it in place, or a null ref when the
    /// key is absent (test with <see cref="Unsafe.IsNullRef{T}"/>). Valid until the next
    /// add, remove or clear.
    /// </summary>
    public ref TValue GetValueRefOrNullRef(ReadOnlySpan<byte> key)
    {
        var slot = FindSlot(key, Hash(key));
        if (slot < 0) { return ref Unsafe.NullRef<TValue>(); }
        return ref _entries[slot].Value;
    }

    /// <summary>
    /// Stores <paramref name="value"/> at <paramref name="key"/>, copying the key only when it is new (which starts with
    /// <paramref name="access"/>); true when it was.
    /// </summary>
    public bool Set(ReadOnlySpan<byte> key, TValue value, uint access = 0)
    {
        var hash = Hash(key);
        var slot = FindSlot(key, hash);
        if (slot >= 0) { _entries[slot].Value = value; return false; }
        Add(key.ToArray(), hash, value, access);
        return true;
    }

    /// <summary>The slot holding <paramref name="key"/>, or -1.</summary>
    public int SlotOf(ReadOnlySpan<byte> key) => FindSlot(key, Hash(key));

    /// <summary>
    /// Stores <paramref name="value"/> at <paramref name="key"/>, keeping the array itself when the key is new
    /// (one taken from another table, as MOVE does), which must not be modified afterwards. An existing key
    /// keeps its stored array.
    /// </summary>
    public void Set(byte[] key, TValue value, uint access = 0)
    {
        var hash = Hash(key);
        var slot = FindSlot(key, hash);
        if (slot >= 0) { _entries[slot].Value = value; }
        else { Add(key, hash, value, access); }
    }

    public bool Remove(ReadOnlySpan<byte> key) => Remove(key, out _, out _);

    /// <summary>Removes <paramref name="key"/>, handing back the stored key array and value.</summary>
    public bool Remove(ReadOnlySpan<byte> key, out byte[] storedKey, out TValue value)
    {
        var hash = Hash(key);
        var entries = _entries;
        ref var link = ref _buckets[hash & (_buckets.Length - 1)];
        while (link != 0)
        {
            ref var entry = ref entries[link - 1];
            if (entry.Hash == hash && key.SequenceEqual(entry.Key))
            {
                storedKey = entry.Key;
                value = entry.Value;
                var slot = link - 1;
                link = entry.Next;
                FillHole(slot);
                return true;
            }
            link = ref entry.Next;
        }
        storedKey = null!;
        value = default!;
        return false;
    }

    /// <summary>Removes every key and gives the memory back.</summary>
    public void Clear()
    {
        _buckets = s_noBuckets;
        _entries = [];
        _count = 0;
        _version++;
    }

    /// <summary>The stored key in <paramref name="slot"/>, which must be below <see cref="Count"/> (not to be modified).</summary>
    public byte[] KeyAt(int slot) => EntryAt(slot).Key;

    /// <summary>The value in <paramref name="slot"/>, which must be below <see cref="Count"/>.</summary>
    public TValue ValueAt(int slot) => EntryAt(slot).Value;

    /// <summary>The use of the key in <paramref name="slot"/> (see <see cref="KeyAccess"/>), to read or update.</summary>
    public ref uint AccessAt(int slot) => ref EntryAt(slot).Access;

    /// <summary>A slot picked uniformly at random, or -1 when the table is empty.</summary>
    public int RandomSlot() => _count == 0 ? -1 : Random.Shared.Next(_count);

    /// <summary>
    /// Adds the keys of the next <paramref name="count"/> slots (at least 1) below <paramref name="cursor"/> to
    /// <paramref name="found"/>, walking down from the top slot as <see cref="ScanSlots.Window"/> defines;
    /// returns the next cursor, 0 once complete. Unlike <see cref="ScanSlots.Scan{T}"/>, a small table is not
    /// answered whole: that mimics Redis's small collections, which the keyspace never is, and a keyspace
    /// split into many tables should answer about COUNT keys per call, not one whole table per call.
    /// </summary>
    public ulong Scan(ulong cursor, int count, List<byte[]> found)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var (from, to) = ScanSlots.Window(cursor, _count, count);
        for (var slot = to - 1; slot >= from; slot--) { found.Add(_entries[slot].Key); }
        return (ulong)from;
    }

    /// <summary>Every key and value, in slot order, without allocating. The table must not change meanwhile (overwrites aside).</summary>
    public Enumerator GetEnumerator() => new(this);

    private static int Hash(ReadOnlySpan<byte> key) => ByteArrayComparer.Instance.GetHashCode(key);

    private int FindSlot(ReadOnlySpan<byte> key, int hash)
    {
        var entries = _entries;
        var buckets = _buckets;
        for (var slot = buckets[hash & (buckets.Length - 1)] - 1; (uint)slot < (uint)entries.Length; slot = entries[slot].Next - 1)
        {
            ref var entry = ref entries[slot];
            if (entry.Hash == hash && key.SequenceEqual(entry.Key)) { return slot; }
        }
        return -1;
    }

    private ref Entry EntryAt(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)_count, nameof(slot));
        return ref _entries[slot];
    }

    private void Add(byte[] key, int hash, TValue value, uint access)
    {
        if (_count == _entries.Length) { Resize(Math.Max(_entries.Length * 2, MinCapacity)); }
        ref var bucket = ref _buckets[hash & (_buckets.Length - 1)];
        _entries[_count] = new Entry { Hash = hash, Next = bucket, Key = key, Value = value, Access = access };
        _count++;
        bucket = _count;
        _version++;
    }

    // After slot was unlinked: moves the last entry into it, repoints the link that led to the last entry, and
    // shrinks the table once it is mostly empty.
    private void FillHole(int slot)
    {
        var last = _count - 1;
        if (slot != last)
        {
            ref var moved = ref _entries[last];
            ref var link = ref _buckets[moved.Hash & (_buckets.Length - 1)];
            while (link != last + 1) { link = ref _entries[link - 1].Next; }
            link = slot + 1;
            _entries[slot] = moved;
        }
        // Cleared so that the key and value are not kept alive by a slot past Count.
        _entries[last] = default;
        _count = last;
        _version++;
        if (_entries.Length > MinCapacity && _count < _entries.Length / 8) { Resize(_entries.Length / 2); }
    }

    // Copies the entries to arrays of the new size in the same slots and rebuilds the chains from them.
    private void Resize(int capacity)
    {
        var entries = new Entry[capacity];
        Array.Copy(_entries, entries, _count);
        var buckets = new int[capacity];
        for (var slot = 0; slot < _count; slot++)
        {
            ref var bucket = ref buckets[entries[slot].Hash & (capacity - 1)];
            entries[slot].Next = bucket;
            bucket = slot + 1;
        }
        _entries = entries;
        _buckets = buckets;
        _version++;
    }

    /// <summary>Walks the slots in order; throws if the table is added to, removed from or cleared meanwhile.</summary>
    public struct Enumerator
    {
        private readonly KeyTable<TValue> _table;
        private readonly int _version;
        private int _slot;

        internal Enumerator(KeyTable<TValue> table)
        {
            _table = table;
            _version = table._version;
            _slot = -1;
        }

        public readonly (byte[] Key, TValue Value) Current
        {
            get
            {
                ref var entry = ref _table._entries[_slot];
                return (entry.Key, entry.Value);
            }
        }

        public bool MoveNext()
        {
            if (_version != _table._version) { throw new InvalidOperationException("The table changed during enumeration."); }
            return ++_slot < _table._count;
        }
    }
}
