namespace Loop.Samples.Redis.Store;

/// <summary>Whoever WATCHes a key, as the store sees it: told when the key changes, from whichever loop changed it.</summary>
internal interface IKeyWatcher
{
    /// <summary>The key changed (or was there when its database was flushed). Called by the changing thread, under the keyspace lock.</summary>
    void KeyChanged();

    /// <summary>
    /// SWAPDB replaced <paramref name="key"/> of <paramref name="db"/>, present there but expired, with no live key (or a
    /// flush removed it): a
    /// change only for a watcher that saw it live at WATCH (Redis's touchAllWatchedKeysInDb). Under the keyspace lock.
    /// </summary>
    void ExpiredKeyReplaced(Database db, ReadOnlySpan<byte> key);
}
