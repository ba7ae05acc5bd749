using System.Buffers;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// What a log of propagated commands writes around them, as Redis's feedAppendOnlyFile and replicationFeedSlaves do: a
/// SELECT whenever the database differs from the previous command's, and an EXEC's commands inside MULTI ... EXEC (MULTI
/// only once one of them is logged). The append-only file and the replication stream each keep one, under their own lock.
/// </summary>
internal sealed class CommandFraming
{
    private static readonly byte[] Multi = "MULTI"u8.ToArray(), Exec = "EXEC"u8.ToArray();

    private int _selectedDb = -1;
    private bool _inTransaction, _multiWritten;

    /// <summary>Before a command of <paramref name="db"/>: MULTI when it is an EXEC's first, SELECT when the database changed.</summary>
    public void BeforeCommand(IBufferWriter<byte> output, int db)
    {
        if (_inTransaction && !_multiWritten)
        {
            AofCommandWriter.Command(output, [Multi]);
            _multiWritten = true;
        }
        if (db == _selectedDb) { return; }
        AofCommandWriter.Select(output, db);
        _selectedDb = db;
    }

    public void BeginTransaction() => (_inTransaction, _multiWritten) = (true, false);

    /// <summary>EXEC is done: EXEC, when MULTI was written.</summary>
    public void EndTransaction(IBufferWriter<byte> output)
    {
        _inTransaction = false;
        if (_multiWritten) { AofCommandWriter.Command(output, [Exec]); }
    }

    /// <summary>The next command starts with a SELECT (a new incr file, a replica's full sync).</summary>
    public void SelectAgain() => _selectedDb = -1;
}
