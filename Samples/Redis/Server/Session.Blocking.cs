namespace Loop.Samples.Redis.Server;

// The session's side of the blocking pops (BLPOP, BLMOVE, BZPOPMIN, BLMPOP, BZMPOP...): waiting, timing out, being served.
internal sealed partial class Session
{
    // The wait in progress, or null. Loop thread only.
    private BlockedClient? _blocked;

    /// <summary>
    /// Waits on <paramref name="client"/>'s keys until a write serves it or <paramref name="timeout"/> (null:
    /// forever) passes; later commands of this connection wait too. Caller holds the keyspace exclusively, on the loop thread.
    /// </summary>
    public void BlockOn(BlockedClient client, TimeSpan? timeout)
    {
        _blocked = client;
        client.Db.Block(client);
        Block();
        if (timeout is { } delay) { client.Timeout = Client.Loop.Schedule(delay, () => TimeOut(client)); }
    }

    /// <summary>
    /// Writes the reply of a served wait, posted to this session's loop by whoever served it once the pop was logged:
    /// what was already popped from <paramref name="key"/> (see <see cref="IBlockingPop.Take"/>). A session that closed
    /// meanwhile cannot take it, so it goes back; so does one whose pop the append-only file failed to take (<paramref
    /// name="logged"/> false), closed unanswered as a write's client is.
    /// </summary>
    public void DeliverBlocked(BlockedClient client, byte[] key, object? taken, bool logged)
    {
        if (!logged) { Connection?.Abort(CloseReason.Local); }
        if (_blocked != client || Client.IsClosing)
        {
            if (taken is not null)
            {
                using (server.Keyspace.Lock.Exclusive()) { client.Db.Return(client, key, taken); }
            }
            return;
        }
        EndWait(client);
        client.Pop.Reply(Reply, key, taken);
        Resume();
    }

    partial void CancelBlocking()
    {
        if (_blocked is not { } client) { return; }
        using (server.Keyspace.Lock.Exclusive())
        {
            if (client.Waiting) { client.Db.Unblock(client); }
        }
        EndWait(client);
    }

    private void TimeOut(BlockedClient client)
    {
        using (server.Keyspace.Lock.Exclusive())
        {
            // Already served: the element and its reply are on their way.
            if (!client.Waiting) { return; }
            client.Db.Unblock(client);
        }
        EndWaitUnserved(client, error: null);
    }

    // Ends a wait no write served: the timeout's reply, or an error (CLIENT UNBLOCK ERROR).
    private void EndWaitUnserved(BlockedClient client, string? error)
    {
        EndWait(client);
        if (error is null) { Reply.NullArray(); } else { Reply.Error(error); }
        Resume();
    }

    private void EndWait(BlockedClient client)
    {
        _blocked = null;
        client.Timeout?.Cancel();
    }
}
