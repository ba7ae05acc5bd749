namespace Loop.Samples.Redis.Store;

// WATCH: whoever watches a key is told of any change to it, from any loop. Watches are added under the exclusive hold
// (WATCH sees the key as it is), but removed under the table's own gate only, so that a client ends its transaction (EXEC
// refused, DISCARD, leaving) without waiting for the keyspace, which a script may hold on another loop for long.
internal sealed partial class Database
{
    private readonly Dictionary<byte[], List<IKeyWatcher>> _watchers = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], List<IKeyWatcher>>.AlternateLookup<ReadOnlySpan<byte>> _watchersBySpan;
    private readonly Lock _watchGate = new();

    /// <summary>Exclusive.</summary>
    public void Watch(ReadOnlySpan<byte> key, IKeyWatcher watcher)
    {
        lock (_watchGate)
        {
            if (!_watchersBySpan.TryGetValue(key, out var watchers)) { _watchersBySpan[key] = watchers = new List<IKeyWatcher>(); }
            if (!watchers.Contains(watcher)) { watchers.Add(watcher); }
        }
    }

    /// <summary>Any thread, holding nothing: once it returns, <paramref name="watcher"/> hears of no change to the key.</summary>
    public void Unwatch(ReadOnlySpan<byte> key, IKeyWatcher watcher)
    {
        lock (_watchGate)
        {
            if (_watchersBySpan.TryGetValue(key, out var watchers) && watchers.Remove(watcher) && watchers.Count == 0)
            {
                _watchersBySpan.Remove(key);
            }
        }
    }

    /// <summary>
    /// Marks the key changed (Redis's signalModifiedKey): its watchers' next EXEC fails, clients blocked on it may be
    /// served, and clients caching it are told. Commands that modify a collection in place call this.
    /// </summary>
    public void Touch(ReadOnlySpan<byte> key)
    {
        t_changes++;
        SignalReady(key);
        if (_tracking.Active) { _tracking.Changed(key); }
        if (_watchers.Count == 0) { return; } // a table with none grows only under the exclusive hold: not now
        lock (_watchGate)
        {
            if (!_watchersBySpan.TryGetValue(key, out var watchers)) { return; }
            foreach (var watcher in watchers) { watcher.KeyChanged(); }
        }
    }

    /// <summary>
    /// A change watchers do not see (Redis moves its dirty counter without signalModifiedKey: a stream's groups, its
    /// last ID): counted, so the command is logged.
    /// </summary>
    public static void CountChange() => t_changes++;
}
