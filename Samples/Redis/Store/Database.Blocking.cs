namespace Loop.Samples.Redis.Store;

// Clients blocked on keys (BLPOP, BZPOPMIN and co.), first come first served per key as Redis serves them, and
// the keys that changed while someone waited on them. Changed only holding the keyspace exclusively; a shared holder
// only asks HasWaiters.
internal sealed partial class Database
{
    private readonly Dictionary<byte[], List<IKeyWaiter>> _blocked = new(ByteArrayComparer.Instance);
    private readonly List<byte[]> _readyKeys = new();
    private bool _servePosted;

    /// <summary>Clients waiting in this database (INFO's blocked_clients adds them up).</summary>
    public int BlockedClients { get; private set; }

    /// <summary>True when clients wait on <paramref name="key"/>: a write to it must hold the keyspace exclusively to serve them.</summary>
    public bool HasWaiters(ReadOnlySpan<byte> key) =>
        _blocked.Count > 0 && _blocked.GetAlternateLookup<ReadOnlySpan<byte>>().ContainsKey(key);

    public void Block(IKeyWaiter client)
    {
        foreach (var key in client.Keys)
        {
            if (!_blocked.TryGetValue(key, out var clients)) { _blocked[key] = clients = new List<IKeyWaiter>(); }
            if (!clients.Contains(client)) { clients.Add(client); }
        }
        client.Waiting = true;
        BlockedClients++;
    }

    public void Unblock(IKeyWaiter client)
    {
        foreach (var key in client.Keys)
        {
            if (_blocked.TryGetValue(key, out var clients) && clients.Remove(client) && clients.Count == 0) { _blocked.Remove(key); }
        }
        client.Waiting = false;
        BlockedClients--;
    }

    /// <summary>
    /// Serves the clients blocked on keys that changed, oldest first among those waiting for the key's type, while
    /// one can be served (a pop: the key holds its type; a stream reader: new entries, or for a group reader the error
    /// of a key or group gone): pops for them here, under the lock, then posts each reply to its loop. A BLMOVE into
    /// a destination others wait on makes it ready in turn, so chains of moves resolve here too.
    /// </summary>
    public void ServeBlocked()
    {
        while (_readyKeys.Count > 0)
        {
            var key = _readyKeys[0];
            _readyKeys.RemoveAt(0);
            while (_blocked.TryGetValue(key, out var clients) && Get(key) is var value && FirstTakingFrom(clients, key, value) is { } client)
            {
                Unblock(client);
                client.Served(key, client.Take(this, key, value));
            }
        }
    }

    /// <summary>Puts back what was popped for a client that left before its reply was written, and serves whoever waits for it.</summary>
    public void Return(IKeyWaiter client, byte[] key, object taken)
    {
        client.PutBack(this, key, taken);
        ServeBlocked();
    }

    // A key may have waiters for different types (BLPOP and BZPOPMIN on one key): only those for its type are served.
    private static IKeyWaiter? FirstTakingFrom(List<IKeyWaiter> clients, ReadOnlySpan<byte> key, object? value)
    {
        foreach (var client in clients) { if (client.TakesFrom(key, value)) { return client; } }
        return null;
    }

    /// <summary>
    /// Called by <see cref="Touch"/>: a change to a key clients wait on may let them be served. The session serves
    /// them right after the write (Session.Handle, once the write is logged); a serve posted for after the current
    /// command catches the rest (writes inside EXEC, which Redis serves once the whole transaction ran). Called alone
    /// for a change watchers do not see (XGROUP DESTROY: its readers are told).
    /// </summary>
    public void SignalReady(ReadOnlySpan<byte> key)
    {
        if (_blocked.Count == 0 || !_blocked.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out var clients)) { return; }
        if (!IsReady(key)) { _readyKeys.Add(key.ToArray()); }
        if (_servePosted) { return; }
        _servePosted = true;
        PostServe(clients[0]);
    }

    // Apart from SignalReady so that its closure is allocated only when posting, not on every Touch.
    private void PostServe(IKeyWaiter first) => first.ScheduleServe(() =>
    {
        _servePosted = false;
        ServeBlocked();
    });

    private bool IsReady(ReadOnlySpan<byte> key)
    {
        foreach (var ready in _readyKeys) { if (key.SequenceEqual(ready)) { return true; } }
        return false;
    }
}
