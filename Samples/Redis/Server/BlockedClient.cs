using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// A session waiting in BLPOP, BRPOP, BLMOVE or BRPOPLPUSH for one of its keys to hold a list element.
/// It pops from <see cref="From"/>; with a <see cref="Destination"/> it moves the element there.
/// </summary>
internal sealed class BlockedClient(Session session, Database db, byte[][] keys, ListEnd from, byte[]? destination, ListEnd to)
{
    public Session Session { get; } = session;

    /// <summary>The session's loop, where its reply must be written.</summary>
    public EventLoop Loop { get; } = session.Client.Loop;

    public Database Db { get; } = db;
    public byte[][] Keys { get; } = keys;
    public ListEnd From { get; } = from;
    public byte[]? Destination { get; } = destination;
    public ListEnd To { get; } = to;

    /// <summary>True while registered on its keys. Read and written under the keyspace lock.</summary>
    public bool Waiting { get; set; }

    /// <summary>The timeout, when not blocking forever. Loop thread only.</summary>
    public LoopTimer? Timeout { get; set; }
}
