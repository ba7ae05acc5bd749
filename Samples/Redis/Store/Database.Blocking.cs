using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Store;

// Clients blocked on keys (BLPOP and co.), first come first served per key as Redis serves them, and
// the keys that changed while someone waited on them. Everything here runs under the keyspace lock.
internal sealed partial class Database
{
    private readonly Dictionary<byte[], List<BlockedClient>> _blocked = new(ByteArrayComparer.Instance);
    private readonly List<byte[]> _readyKeys = new();
    private bool _servePosted;

    /// <summary>Clients waiting in this database (INFO's blocked_clients adds them up).</summary>
    public int BlockedClients { get; private set; }

    public void Block(BlockedClient client)
    {
        foreach (var key in client.Keys)
        {
            if (!_blocked.TryGetValue(key, out var clients)) { _blocked[key] = clients = new List<BlockedClient>(); }
            if (!clients.Contains(client)) { clients.Add(client); }
        }
        client.Waiting = true;
        BlockedClients++;
    }

    public void Unblock(BlockedClient client)
    {
        foreach (var key in client.Keys)
        {
            if (_blocked.TryGetValue(key, out var clients) && clients.Remove(client) && clients.Count == 0) { _blocked.Remove(key); }
        }
        client.Waiting = false;
        BlockedClients--;
    }

    /// <summary>
    /// Serves the clients blocked on keys that changed, oldest first, while those keys hold list elements:
    /// pops (and for BLMOVE pushes) for them here, under the lock, then posts each reply to its loop.
    /// A move into a destination others wait on makes it ready in turn, so chains of BLMOVE resolve here too.
    /// </summary>
    public void ServeBlocked()
    {
        while (_readyKeys.Count > 0)
        {
            var key = _readyKeys[0];
            _readyKeys.RemoveAt(0);
            while (_blocked.TryGetValue(key, out var clients) && Get(key) is RedisList list)
            {
                var client = clients[0];
                Unblock(client);
                Serve(client, key, list);
            }
        }
    }

    /// <summary>Puts back an element whose client left before its reply was written, and serves whoever waits for it.</summary>
    public void Return(byte[] key, ListEnd end, byte[] element)
    {
        var value = Get(key);
        if (value is not (null or RedisList)) { return; } // The key became another type meanwhile: no list to return it to.
        if (value is not RedisList list) { Set(key, list = new RedisList()); }
        list.Push(end, element);
        Touch(key);
        ServeBlocked();
    }

    private void Serve(BlockedClient client, byte[] key, RedisList list)
    {
        var destination = client.Destination is null ? null : Get(client.Destination);
        if (destination is not (null or RedisList))
        {
            client.Loop.Post(() => client.Session.DeliverBlocked(client, key, null));
            return;
        }
        var element = list.Pop(client.From);
        if (client.Destination is not null)
        {
            if (destination is null) { Set(client.Destination, destination = new RedisList()); }
            ((RedisList)destination).Push(client.To, element);
            Touch(client.Destination);
        }
        if (list.IsEmpty) { Remove(key); } else { Touch(key); }
        client.Loop.Post(() => client.Session.DeliverBlocked(client, key, element));
    }

    /// <summary>
    /// Called by <see cref="Touch"/>: a change to a key clients wait on may let them be served. List commands
    /// serve right after their change; a serve posted for after the current command catches the others
    /// (RENAME, MOVE, pushes inside EXEC, which Redis serves once the whole transaction ran).
    /// </summary>
    private void SignalReady(ReadOnlySpan<byte> key)
    {
        if (_blocked.Count == 0 || !_blocked.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out var clients)) { return; }
        if (!IsReady(key)) { _readyKeys.Add(key.ToArray()); }
        if (_servePosted) { return; }
        _servePosted = true;
        PostServe(clients[0]);
    }

    // Apart from SignalReady so that its closure is allocated only when posting, not on every Touch.
    private void PostServe(BlockedClient first)
    {
        var keyspace = first.Session.Server.Keyspace;
        first.Loop.Post(() =>
        {
            lock (keyspace)
            {
                _servePosted = false;
                ServeBlocked();
            }
        });
    }

    private bool IsReady(ReadOnlySpan<byte> key)
    {
        foreach (var ready in _readyKeys) { if (key.SequenceEqual(ready)) { return true; } }
        return false;
    }
}
