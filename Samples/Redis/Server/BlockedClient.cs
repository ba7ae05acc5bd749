using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// A session waiting in a blocking pop (BLPOP, BLMOVE, BLMPOP, BZPOPMIN, BZMPOP and their kin) or stream read (XREAD,
/// XREADGROUP) for one of its keys to hold what <see cref="Pop"/> takes; the store sees it as an <see cref="IKeyWaiter"/>.
/// </summary>
internal sealed class BlockedClient(Session session, Database db, byte[][] keys, IBlockingPop pop) : IKeyWaiter
{
    public Session Session { get; } = session;

    /// <summary>The session's loop, where its reply must be written.</summary>
    public EventLoop Loop { get; } = session.Client.Loop;

    public Database Db { get; } = db;
    public IReadOnlyList<byte[]> Keys { get; } = keys;
    public IBlockingPop Pop { get; } = pop;

    /// <summary>True while registered on its keys. Read and written holding the keyspace exclusively.</summary>
    public bool Waiting { get; set; }

    /// <summary>The timeout, when not blocking forever. Loop thread only.</summary>
    public LoopTimer? Timeout { get; set; }

    public bool TakesFrom(ReadOnlySpan<byte> key, object? value) => Pop.Serves(key, value);

    // Null only reaches a stream reader, whose Serves accepts a key gone; a pop is served only from its type.
    public object? Take(Database db, ReadOnlySpan<byte> key, object? value) => Pop.Take(db, key, value!);

    public void PutBack(Database db, byte[] key, object taken) => Pop.Return(db, key, taken);

    /// <summary>
    /// Called where the write that served it ran, which logged the pop: the reply is written on the client's loop once
    /// the log has the pop, as that write's own reply waits (or the client is closed and the pop undone if it failed).
    /// </summary>
    public void Served(byte[] key, object? taken)
    {
        void Deliver(bool logged) => Loop.Post(() => Session.DeliverBlocked(this, key, taken, logged));
        if (HeldReplies.OnThisLoop is { } held) { held.AfterLogged(Deliver); } else { Deliver(logged: true); }
    }

    public void ScheduleServe(Action serve) => Loop.Post(() =>
    {
        using (Session.Server.Keyspace.Lock.Exclusive()) { serve(); }
    });
}
