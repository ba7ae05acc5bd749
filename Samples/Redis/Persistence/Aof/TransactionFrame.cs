using System.Buffers;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// A transaction (EXEC's commands, a script's effects) on its way into a log of commands as one piece, framed as Redis
/// 7.0's propagatePendingCommands frames it: its commands one after another, a SELECT wherever the database changes,
/// and EXEC after them once there are two or more; one command alone is atomic and goes as it is. What goes ahead of
/// the piece (the SELECT of its first command's database, and MULTI) depends on the stream it joins, so whoever adds it
/// to one writes that (<see cref="AofCommandWriter.BeforePiece"/>): the append-only file's merge, the replication
/// stream. A transaction thus reaches a stream whole or not at all.
/// </summary>
internal struct TransactionFrame()
{
    private int _start = -1, _commands, _db, _currentDb;

    public readonly bool IsOpen => _start >= 0;

    /// <summary>Whether the transaction is open and has a command.</summary>
    public readonly bool HasCommands => _start >= 0 && _commands > 0;

    /// <summary>Opens the transaction, its commands to follow from <paramref name="position"/> of their buffer (if none is open).</summary>
    public void Begin(int position)
    {
        if (_start < 0) { (_start, _commands) = (position, 0); }
    }

    /// <summary>A command of <paramref name="db"/> follows in <paramref name="output"/>: a SELECT first when the database changed.</summary>
    public void BeforeCommand(IBufferWriter<byte> output, int db)
    {
        if (_commands++ == 0) { _db = db; }
        else if (db != _currentDb) { AofCommandWriter.Select(output, db); }
        _currentDb = db;
    }

    /// <summary>Closes it, with EXEC after two commands or more; null when it logged nothing.</summary>
    public TransactionPiece? End(IBufferWriter<byte> output)
    {
        var (start, commands) = (_start, _commands);
        _start = -1;
        if (start < 0 || commands == 0) { return null; }
        if (commands > 1) { AofCommandWriter.Exec(output); }
        return new TransactionPiece(start, _db, _currentDb, Multi: commands > 1);
    }
}

/// <summary>
/// A closed transaction: where its bytes start, the database its first command runs in and the one it leaves selected,
/// and whether it goes inside MULTI (its EXEC is among its bytes).
/// </summary>
internal readonly record struct TransactionPiece(int Start, int Db, int ExitDb, bool Multi);
