using Microsoft.Extensions.ObjectPool;

namespace Loop.Protocols.Resp;

/// <summary>
/// The RESP state machine of one connection: parses requests as bytes arrive and hands each complete
/// command to <see cref="Execute"/>, which writes its reply with <see cref="Writer"/>. Framing errors are
/// answered with <c>-ERR Protocol error: ...</c> and the connection is closed, as Redis does.
/// A command may block the connection (BLPOP): commands that arrive meanwhile stay unconsumed, in order, in the
/// loop's input carry (bounded by <see cref="ServerOptions.MaxUnconsumedBytes"/>, Redis's query-buffer limit) until
/// <see cref="Unblock"/> has them presented again.
/// </summary>
public abstract class RespConnectionHandler(RespLimits limits) : IConnectionHandler, IResettable
{
    private const int ArgumentsKept = 1024;

    private RespArgument[] _arguments = new RespArgument[16];
    private RespParseProgress _progress;
    private byte[] _scratch = new byte[256];
    private bool _postponed;

    /// <summary>Writes replies to this handler's connection.</summary>
    protected RespWriter Writer { get; } = new(null!);

    /// <summary>The connection this handler serves (set on open).</summary>
    protected Connection Connection { get; private set; } = null!;

    /// <summary>
    /// While a batch's commands run, its size (what Redis's query buffer holds then, the running command's bytes
    /// among them); 0 between batches.
    /// </summary>
    protected int BatchBytes { get; private set; }

    /// <summary>True while a blocking command waits; further commands are held back.</summary>
    protected bool IsBlocked { get; set; }

    /// <inheritdoc/>
    public virtual void OnOpen(Connection connection)
    {
        Connection = connection;
        Writer.Output = connection;
    }

    /// <inheritdoc/>
    public virtual void OnClose(Connection connection, CloseReason reason) { }

    /// <summary>Runs one command; the arguments are valid only during the call.</summary>
    protected abstract void Execute(RespCommand command);

    /// <inheritdoc/>
    public int OnReceive(Connection connection, ReadOnlySpan<byte> data) => IsBlocked ? 0 : Run(data);

    /// <summary>
    /// Called from <see cref="Execute"/>: leaves the command unconsumed and blocks, so it runs again, first of the
    /// commands held back, once <see cref="Unblock"/> is called (a server pausing its clients).
    /// </summary>
    protected void Postpone()
    {
        IsBlocked = true;
        _postponed = true;
    }

    /// <summary>Ends a block; the commands that arrived meanwhile run after this batch. Loop thread only.</summary>
    protected void Unblock()
    {
        IsBlocked = false;
        Connection.RedeliverInput();
    }

    /// <inheritdoc/>
    public virtual bool TryReset()
    {
        IsBlocked = _postponed = false;
        _progress = default;
        // One command of a million arguments should not pin its 12 MB argument array to a pooled handler.
        if (_arguments.Length > ArgumentsKept) { _arguments = new RespArgument[16]; }
        Writer.Protocol = 2;
        Connection = null!;
        return true;
    }

    /// <summary>After the commands of one received batch have run (also when one threw): a place to release what they shared.</summary>
    protected virtual void OnBatchDone() { }

    private int Run(ReadOnlySpan<byte> data)
    {
        BatchBytes = data.Length;
        try { return RunCommands(data); }
        finally
        {
            BatchBytes = 0;
            OnBatchDone();
        }
    }

    private int RunCommands(ReadOnlySpan<byte> data)
    {
        var offset = 0;
        while (offset < data.Length && !IsBlocked && !Connection.IsClosing)
        {
            var status = RespParser.TryParse(data[offset..], limits, ref _progress, ref _arguments, ref _scratch, out var count, out var used, out var error);
            if (status == RespParseStatus.Incomplete) { break; }
            if (status == RespParseStatus.Error)
            {
                Writer.Error($"ERR {error}");
                Connection.Close(CloseReason.ProtocolError);
                return data.Length;
            }
            if (count > 0) { Execute(new RespCommand(data[offset..], _scratch, _arguments.AsSpan(0, count))); }
            if (_postponed)
            {
                _postponed = false;
                break;
            }
            offset += used;
        }
        return offset;
    }
}
