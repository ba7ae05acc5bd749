namespace Loop.Samples.Redis.Store;

/// <summary>
/// The server's half of client-side caching (Redis's tracking.c): which clients may hold which keys, and which key
/// prefixes clients in BCAST mode listen to. The table of keys is split by keyspace stripe and guarded by the same holds
/// as the keys themselves: a read remembers its keys under their stripes, a change forgets them under its own, so no
/// loop waits for another here. A change is gathered on the thread that made it (<see cref="TakeChanges"/>) and sent
/// by whoever runs there next: the session that made it once its reply is written, or the loop before it sends.
/// Off (no client tracking), a change costs the one field read of <see cref="Active"/>.
/// </summary>
internal sealed class KeyTracking
{
    // Per stripe: key -> ids of the clients that read it since it last changed. Clients are not forgotten when they
    // leave (as in Redis): an id is dropped when its key changes, or when the table is over tracking-table-max-keys.
    private readonly Dictionary<byte[], HashSet<long>>?[] _stripes = new Dictionary<byte[], HashSet<long>>?[KeyspaceLock.StripeCount];
    private readonly Lock _prefixGate = new();
    private readonly Dictionary<byte[], HashSet<long>> _prefixes = new(ByteArrayComparer.Instance); // prefix -> BCAST clients
    private int _clients, _limitRounds, _prefixCount;
    private long _keys, _items;

    [ThreadStatic] private static List<TrackedChange>? t_changes;

    /// <summary>True while a client tracks keys: only then are reads remembered and changes gathered.</summary>
    public bool Active => Volatile.Read(ref _clients) > 0;

    /// <summary>Clients with tracking on (INFO's tracking_clients).</summary>
    public int Clients => Volatile.Read(ref _clients);

    /// <summary>Keys in the table (tracking_total_keys), and client ids across them (tracking_total_items).</summary>
    public (long Keys, long Items) Size => (Interlocked.Read(ref _keys), Interlocked.Read(ref _items));

    /// <summary>Prefixes BCAST clients listen to (tracking_total_prefixes).</summary>
    public int PrefixCount => Volatile.Read(ref _prefixCount);

    public void ClientStarted() => Interlocked.Increment(ref _clients);

    public void ClientStopped() => Interlocked.Decrement(ref _clients);

    /// <summary>The client <paramref name="clientId"/> may now cache <paramref name="key"/>. Holding the key's stripe.</summary>
    public void Remember(ReadOnlySpan<byte> key, long clientId)
    {
        var table = _stripes[KeyspaceLock.StripeOf(key)] ??= new Dictionary<byte[], HashSet<long>>(ByteArrayComparer.Instance);
        var lookup = table.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (!lookup.TryGetValue(key, out var ids))
        {
            lookup[key] = ids = [];
            Interlocked.Increment(ref _keys);
        }
        if (ids.Add(clientId)) { Interlocked.Increment(ref _items); }
    }

    /// <summary>
    /// <paramref name="key"/> changed: the clients that read it are forgotten and, with the key for BCAST clients, gathered
    /// for this thread's next <see cref="TakeChanges"/>. Holding the key's stripe.
    /// </summary>
    public void Changed(ReadOnlySpan<byte> key)
    {
        var ids = Forget(key);
        var broadcast = PrefixCount > 0;
        if (ids is null && !broadcast) { return; }
        (t_changes ??= []).Add(new TrackedChange(key.ToArray(), ids, broadcast));
    }

    /// <summary>
    /// Every database was flushed (or one: Redis tells clients all the same): the table is emptied, and the clients
    /// tracking now are to be told that all keys are invalid. Exclusive.
    /// </summary>
    public void Flushed()
    {
        if (Interlocked.Exchange(ref _keys, 0) > 0)
        {
            Array.Clear(_stripes);
            Interlocked.Exchange(ref _items, 0);
        }
        if (Active) { (t_changes ??= []).Add(new TrackedChange(null, null, Broadcast: false)); }
    }

    /// <summary>Whether changes made on this thread wait for <see cref="TakeChanges"/>.</summary>
    public static bool ChangesWaiting => t_changes is not null;

    /// <summary>What changed on this thread since the last call, or null when nothing did.</summary>
    public static List<TrackedChange>? TakeChanges()
    {
        var changes = t_changes;
        if (changes is null) { return null; }
        t_changes = null;
        return changes;
    }

    /// <summary>
    /// Over <paramref name="maxKeys"/> keys (0: no limit), forgets keys as if they changed (their clients are told, BCAST
    /// clients are not) until the table is back at the limit, or up to 100 keys more each call that finds it still over,
    /// as Redis's trackingLimitUsedSlots. Exclusive.
    /// </summary>
    public void Limit(long maxKeys)
    {
        if (maxKeys == 0 || Interlocked.Read(ref _keys) <= maxKeys)
        {
            _limitRounds = 0;
            return;
        }
        var effort = 100 * ++_limitRounds;
        var stripe = Random.Shared.Next(KeyspaceLock.StripeCount);
        for (var visited = 0; visited < KeyspaceLock.StripeCount && effort > 0; visited++, stripe = (stripe + 1) % KeyspaceLock.StripeCount)
        {
            if (_stripes[stripe] is not { } table) { continue; }
            while (table.Count > 0 && effort-- > 0)
            {
                var key = table.Keys.First();
                (t_changes ??= []).Add(new TrackedChange(key, Forget(key), Broadcast: false));
                if (Interlocked.Read(ref _keys) <= maxKeys)
                {
                    _limitRounds = 0;
                    return;
                }
            }
        }
    }

    // Drops the key from the table; the ids of its clients, or null when none had read it.
    private HashSet<long>? Forget(ReadOnlySpan<byte> key)
    {
        if (_stripes[KeyspaceLock.StripeOf(key)] is not { } table ||
            !table.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(key, out _, out var ids))
        {
            return null;
        }
        Interlocked.Decrement(ref _keys);
        Interlocked.Add(ref _items, -ids.Count);
        return ids;
    }

    /// <summary>
    /// Why <paramref name="prefixes"/> cannot be added for a client already listening to <paramref name="existing"/>
    /// (two prefixes where one starts the other would both match a key), or null.
    /// </summary>
    public static string? PrefixOverlap(IReadOnlyList<byte[]> prefixes, IReadOnlyCollection<byte[]> existing)
    {
        for (var i = 0; i < prefixes.Count; i++)
        {
            foreach (var old in existing)
            {
                if (Overlap(prefixes[i], old)) { return $"ERR Prefix '{Text(prefixes[i])}' overlaps with an existing prefix '{Text(old)}'. Prefixes for a single client must not overlap."; }
            }
            for (var j = i + 1; j < prefixes.Count; j++)
            {
                if (Overlap(prefixes[i], prefixes[j])) { return $"ERR Prefix '{Text(prefixes[i])}' overlaps with another provided prefix '{Text(prefixes[j])}'. Prefixes for a single client must not overlap."; }
            }
        }
        return null;

        static bool Overlap(byte[] a, byte[] b) => a.AsSpan(0, Math.Min(a.Length, b.Length)).SequenceEqual(b.AsSpan(0, Math.Min(a.Length, b.Length)));
        static string Text(byte[] bytes) => Commands.Args.Text(bytes);
    }

    /// <summary>The BCAST client <paramref name="clientId"/> listens to <paramref name="prefix"/>.</summary>
    public void Listen(byte[] prefix, long clientId)
    {
        lock (_prefixGate)
        {
            if (!_prefixes.TryGetValue(prefix, out var clients)) { _prefixes[prefix] = clients = []; }
            clients.Add(clientId);
            Volatile.Write(ref _prefixCount, _prefixes.Count);
        }
    }

    /// <summary>The client <paramref name="clientId"/> no longer listens to <paramref name="prefix"/>.</summary>
    public void StopListening(byte[] prefix, long clientId)
    {
        lock (_prefixGate)
        {
            if (_prefixes.TryGetValue(prefix, out var clients) && clients.Remove(clientId) && clients.Count == 0) { _prefixes.Remove(prefix); }
            Volatile.Write(ref _prefixCount, _prefixes.Count);
        }
    }

    /// <summary>
    /// The changed keys each prefix matches, with the clients listening to it: what one round of BCAST messages sends,
    /// a message per prefix as Redis's trackingBroadcastInvalidationMessages, prefixes and keys in its radix trees' order.
    /// </summary>
    public List<(SortedSet<byte[]> Keys, long[] Clients)> Broadcasts(List<TrackedChange> changes)
    {
        var broadcasts = new List<(SortedSet<byte[]> Keys, long[] Clients)>();
        lock (_prefixGate)
        {
            foreach (var (prefix, clients) in _prefixes.OrderBy(p => p.Key, ByteArrayComparer.Instance))
            {
                SortedSet<byte[]>? keys = null;
                foreach (var change in changes)
                {
                    if (change is { Broadcast: true, Key: { } key } && key.AsSpan().StartsWith(prefix)) { (keys ??= new(ByteArrayComparer.Instance)).Add(key); }
                }
                if (keys is not null) { broadcasts.Add((keys, [.. clients])); }
            }
        }
        return broadcasts;
    }
}

/// <summary>
/// A key that changed (null: every key, a flush), the clients that had read it (or null), and whether BCAST clients
/// hear of it (not when the table let it go for room).
/// </summary>
internal sealed record TrackedChange(byte[]? Key, HashSet<long>? Clients, bool Broadcast);
