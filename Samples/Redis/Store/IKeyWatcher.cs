namespace Loop.Samples.Redis.Store;

/// <summary>Whoever WATCHes a key, as the store sees it: told when the key changes, from whichever loop changed it.</summary>
internal interface IKeyWatcher
{
    /// <summary>The key changed (or its database was flushed). Called by the changing thread, under the keyspace lock.</summary>
    void KeyChanged();
}
