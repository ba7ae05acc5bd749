using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// A session waiting in a blocking pop (BLPOP, BLMOVE, BLMPOP, BZPOPMIN, BZMPOP and their kin) for one of its keys
/// to hold what <see cref="Pop"/> takes.
/// </summary>
internal sealed class BlockedClient(Session session, Database db, byte[][] keys, IBlockingPop pop)
{
    public Session Session { get; } = session;

    /// <summary>The session's loop, where its reply must be written.</summary>
    public EventLoop Loop { get; } = session.Client.Loop;

    public Database Db { get; } = db;
    public byte[][] Keys { get; } = keys;
    public IBlockingPop Pop { get; } = pop;

    /// <summary>True while registered on its keys. Read and written under the keyspace lock.</summary>
    public bool Waiting { get; set; }

    /// <summary>The timeout, when not blocking forever. Loop thread only.</summary>
    public LoopTimer? Timeout { get; set; }
}
