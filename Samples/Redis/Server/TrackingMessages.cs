using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// Sends what the keys changed on this thread mean to the clients caching them (Redis's trackingInvalidateKey,
/// trackingBroadcastInvalidationMessages and trackingInvalidateKeysOnFlush): to the client that made the change at once,
/// after its reply (it runs here, and skips it with NOLOOP); to any other through its loop's queue, so the message comes
/// after what was posted there before it (a blocked client's reply to the command that made the change). Runs after
/// each command and eviction while a client tracks, after the expiry cycle, and before a loop sends (the changes made
/// outside a command: a posted serve of blocked clients, a migration's deletions).
/// </summary>
internal static class TrackingMessages
{
    public static void Send(RedisServer server, Session? current)
    {
        if (KeyTracking.TakeChanges() is not { } changes) { return; }
        foreach (var change in changes)
        {
            if (change.Key is null)
            {
                // A flush: every tracking client, BCAST ones included, is told all its keys are gone.
                var all = new Invalidation(null, Broadcast: false);
                foreach (var session in server.Clients.Values)
                {
                    if ((session.Tracking & TrackingModes.On) != 0) { To(server, session.Id, current, all); }
                }
            }
            else if (change.Clients is { } clients)
            {
                var message = new Invalidation([change.Key], Broadcast: false);
                foreach (var id in clients) { To(server, id, current, message); }
            }
        }
        if (server.Keyspace.Tracking.PrefixCount == 0) { return; }
        foreach (var (keys, clients) in server.Keyspace.Tracking.Broadcasts(changes))
        {
            var message = new Invalidation([.. keys], Broadcast: true);
            foreach (var id in clients) { To(server, id, current, message); }
        }
    }

    /// <summary>Sends, before <paramref name="loop"/> sends, what changed there outside a command; once per loop.</summary>
    public static void SendBeforeSends(EventLoop loop, RedisServer server) => loop.GetState(l =>
    {
        l.BeforeSends(() => { if (KeyTracking.ChangesWaiting) { Send(server, current: null); } });
        return new BeforeSendsHook();
    });

    private sealed class BeforeSendsHook;

    private static void To(RedisServer server, long id, Session? current, Invalidation message)
    {
        if (current?.Id == id)
        {
            current.Invalidated(id, message, changedHere: true);
            return;
        }
        if (server.Clients.TryGetValue(id, out var target)) { target.PostToLoop(() => target.Invalidated(id, message, changedHere: false)); }
    }
}
