using System.Buffers;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// What a log of propagated commands writes around them, as Redis 7.0's propagatePendingCommands and feedAppendOnlyFile
/// do: a SELECT whenever the database differs from the previous command's, and a transaction's (EXEC's, a script's)
/// commands inside MULTI ... EXEC once there are two of them; one alone is atomic and goes as it is. So a transaction's
/// first command is held here until a second shows whether MULTI goes before it (with the SELECT of its database ahead
/// of the MULTI). The replication stream keeps one, under its lock; the append-only file frames the same way, each loop
/// its records (<see cref="AofLoopBuffer"/>) and the merge the stream they go into.
/// </summary>
internal sealed class CommandFraming
{
    private readonly ArrayBufferWriter<byte> _first = new();
    private int _selectedDb = -1, _firstDb = -1; // _firstDb: the held command's database, -1 when none is held
    private bool _inTransaction, _multiWritten;

    /// <summary>
    /// Where a command of <paramref name="db"/> is to be written: <paramref name="output"/>, after a SELECT when the
    /// database changed (and MULTI and the held first command when this is a transaction's second), or, for a
    /// transaction's first command, the buffer that holds it.
    /// </summary>
    public IBufferWriter<byte> BeforeCommand(IBufferWriter<byte> output, int db)
    {
        if (_inTransaction && !_multiWritten)
        {
            if (_firstDb < 0)
            {
                _firstDb = db;
                return _first;
            }
            Select(output, _firstDb);
            AofCommandWriter.Multi(output);
            _multiWritten = true;
            WriteFirst(output);
        }
        Select(output, db);
        return output;
    }

    public void BeginTransaction() => (_inTransaction, _multiWritten) = (true, false);

    /// <summary>The transaction is done: EXEC after its commands, or its one command on its own.</summary>
    public void EndTransaction(IBufferWriter<byte> output)
    {
        _inTransaction = false;
        if (_multiWritten) { AofCommandWriter.Exec(output); }
        else if (_firstDb >= 0)
        {
            Select(output, _firstDb);
            WriteFirst(output);
        }
    }

    /// <summary>The next command starts with a SELECT (a new incr file, a replica's full sync).</summary>
    public void SelectAgain() => _selectedDb = -1;

    private void Select(IBufferWriter<byte> output, int db)
    {
        if (db == _selectedDb) { return; }
        AofCommandWriter.Select(output, db);
        _selectedDb = db;
    }

    private void WriteFirst(IBufferWriter<byte> output)
    {
        output.Write(_first.WrittenSpan);
        _first.ResetWrittenCount();
        _firstDb = -1;
    }
}
