namespace Loop.Samples.Redis.Store;

// SWAPDB: two databases exchange their keys. The Database objects stay where they are, with their index, their
// watchers and their blocked clients (a client stays in the database it selected); only the partitions move.
internal sealed partial class Database
{
    /// <summary>
    /// Exchanges this database's keys and deadlines with <paramref name="other"/>'s. Watchers of a key that exists on
    /// either side are told, as Redis's touchAllWatchedKeysInDb tells them; keys clients wait on that now hold something
    /// are signalled ready. A snapshot still waiting for partitions of either database captures them first, so it stays
    /// the keyspace of its instant. Exclusive.
    /// </summary>
    public void SwapWith(Database other)
    {
        if (other == this) { return; }
        for (var i = 0; i < _partitions.Length; i++)
        {
            Preserved(i);
            other.Preserved(i);
        }
        TouchWatchers(other);
        other.TouchWatchers(this);
        (_partitions, other._partitions) = (other._partitions, _partitions);
        SignalWaitedKeys();
        other.SignalWaitedKeys();
    }

    // Before a swap or a flush (no replacement): a watched key changes if it is here (even expired and not yet collected)
    // or live in the database taking this one's place, as Redis's touchAllWatchedKeysInDb. Its exceptions: a key that was
    // already expired when watched is unchanged unless a live one replaces it (the watcher decides: only the session knows
    // what WATCH saw), and a key absent here (replaced by nothing, or by an expired one) is unchanged.
    private void TouchWatchers(Database? replacement)
    {
        lock (_watchGate)
        {
            foreach (var (key, watchers) in _watchers)
            {
                if (replacement?.IsLive(key) == true) { foreach (var watcher in watchers) { watcher.KeyChanged(); } }
                else if (IsLive(key)) { foreach (var watcher in watchers) { watcher.KeyChanged(); } }
                else if (PartitionOf(key).Data.ContainsKey(key)) { foreach (var watcher in watchers) { watcher.ExpiredKeyReplaced(this, key); } }
            }
        }
    }

    // Present and not past its deadline; nothing is deleted.
    private bool IsLive(byte[] key)
    {
        var partition = PartitionOf(key);
        return partition.Data.ContainsKey(key) && !(partition.Expires.TryGetValue(key, out var deadline) && deadline <= Clock.NowMs);
    }

    // After the swap, every key clients wait on: one that exists here now may serve them (Redis's scanDatabaseForReadyKeys),
    // one that went tells a stream group's readers (scanDatabaseForDeletedKeys); a pop finds nothing to take there.
    private void SignalWaitedKeys()
    {
        foreach (var key in _blocked.Keys) { SignalReady(key); }
    }
}
