using Loop.Protocols.Resp;

namespace Loop.Samples.Redis.Store;

/// <summary>
/// Where the keyspace's changes are written as the commands that make them: the append-only file, the replication
/// stream, or both (<see cref="CommandLogPair"/>). A change the store makes on its own, such as a blocked client's pop
/// served by another client's push, is logged by whoever makes it, in the order it happens: the caller holds the keys
/// involved. Positions are the log's own, and what the calling thread's replies wait on: the replication stream's offset
/// (bytes appended since it began), the number of the thread's records in the append-only file (<see cref="AofLog"/>).
/// </summary>
internal interface ICommandLog
{
    /// <summary>Where the log ends, as the calling thread sees it.</summary>
    long Appended { get; }

    /// <summary>
    /// Logs a command of database <paramref name="db"/>: its arguments, the name first; returns where the log ends (a
    /// transaction's command counted as logged, though the transaction still shows how it goes out).
    /// </summary>
    long Append(int db, params ReadOnlySpan<byte[]> arguments);

    /// <summary>Logs a command of database <paramref name="db"/> as it was received; returns as the other.</summary>
    long Append(int db, RespCommand command);

    /// <summary>EXEC (or a script) starts: what it logs goes in MULTI and EXEC once there are two commands. Exclusive.</summary>
    void BeginTransaction();

    /// <summary>EXEC is done; returns where the log ends.</summary>
    long EndTransaction();
}

/// <summary>Two logs fed the same commands (the append-only file first: its positions are the ones returned, which replies wait on).</summary>
internal sealed class CommandLogPair(ICommandLog first, ICommandLog second) : ICommandLog
{
    public long Appended => first.Appended;

    public long Append(int db, params ReadOnlySpan<byte[]> arguments)
    {
        second.Append(db, arguments);
        return first.Append(db, arguments);
    }

    public long Append(int db, RespCommand command)
    {
        second.Append(db, command);
        return first.Append(db, command);
    }

    public void BeginTransaction()
    {
        first.BeginTransaction();
        second.BeginTransaction();
    }

    public long EndTransaction()
    {
        second.EndTransaction();
        return first.EndTransaction();
    }
}
