using Loop.Samples.Redis.Commands;

namespace Loop.Samples.Redis.Server;

// The session's side of BLPOP, BRPOP, BLMOVE and BRPOPLPUSH: waiting, timing out, being served.
internal sealed partial class Session
{
    // The wait in progress, or null. Loop thread only.
    private BlockedClient? _blocked;

    /// <summary>
    /// Waits on <paramref name="client"/>'s keys until a push serves it or <paramref name="timeout"/> (null:
    /// forever) passes; later commands of this connection wait too. Caller holds the keyspace lock, on the loop thread.
    /// </summary>
    public void BlockOn(BlockedClient client, TimeSpan? timeout)
    {
        _blocked = client;
        client.Db.Block(client);
        Block();
        if (timeout is { } delay) { client.Timeout = Client.Loop.Schedule(delay, () => TimeOut(client)); }
    }

    /// <summary>
    /// Writes the reply of a served wait, posted to this session's loop by whoever served it: the element
    /// (already popped, and moved for BLMOVE), or null when BLMOVE's destination held another type. A
    /// session that closed meanwhile cannot take the element, so it goes back to its list.
    /// </summary>
    public void DeliverBlocked(BlockedClient client, byte[] key, byte[]? element)
    {
        if (_blocked != client || Client.IsClosing)
        {
            if (element is not null && client.Destination is null)
            {
                lock (server.Keyspace) { client.Db.Return(key, client.From, element); }
            }
            return;
        }
        EndWait(client);
        if (element is null) { Reply.Error(Args.WrongType); }
        else if (client.Destination is not null) { Reply.Bulk(element); }
        else
        {
            Reply.Array(2);
            Reply.Bulk(key);
            Reply.Bulk(element);
        }
        Resume();
    }

    partial void CancelBlocking()
    {
        if (_blocked is not { } client) { return; }
        lock (server.Keyspace)
        {
            if (client.Waiting) { client.Db.Unblock(client); }
        }
        EndWait(client);
    }

    private void TimeOut(BlockedClient client)
    {
        lock (server.Keyspace)
        {
            // Already served: the element and its reply are on their way.
            if (!client.Waiting) { return; }
            client.Db.Unblock(client);
        }
        EndWait(client);
        Reply.NullArray();
        Resume();
    }

    private void EndWait(BlockedClient client)
    {
        _blocked = null;
        client.Timeout?.Cancel();
    }
}
