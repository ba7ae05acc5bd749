using Microsoft.Extensions.ObjectPool;

namespace Loop.Protocols.Resp;

/// <summary>
/// The RESP state machine of one connection: parses requests as bytes arrive and hands each complete
/// command to <see cref="Execute"/>, which writes its reply with <see cref="Writer"/>. Framing errors are
/// answered with <c>-ERR Protocol error: ...</c> and the connection is closed, as Redis does.
/// A command may block the connection (BLPOP): commands that arrive meanwhile wait, in order, in a
/// backlog until <see cref="Unblock"/>.
/// </summary>
public abstract class RespConnectionHandler(RespLimits limits) : IConnectionHandler, IResettable
{
    private RespArgument[] _arguments = new RespArgument[16];
    private RespParseProgress _progress;
    private byte[] _scratch = new byte[256];
    private byte[] _backlog = [];
    private int _backlogLength;

    /// <summary>Writes replies to this handler's connection.</summary>
    protected RespWriter Writer { get; } = new(null!);

    /// <summary>The connection this handler serves (set on open).</summary>
    protected Connection Connection { get; private set; } = null!;

    /// <summary>True while a blocking command waits; further commands are held back.</summary>
    protected bool IsBlocked { get; set; }

    /// <inheritdoc/>
    public virtual void OnOpen(Connection connection)
    {
        Connection = connection;
        Writer.Output = connection;
    }

    /// <inheritdoc/>
    public virtual void OnClose(Connection connection) { }

    /// <summary>Runs one command; the arguments are valid only during the call.</summary>
    protected abstract void Execute(RespCommand command);

    /// <inheritdoc/>
    public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
    {
        if (IsBlocked || _backlogLength > 0)
        {
            Hold(data);
            if (!IsBlocked) { RunBacklog(); }
            return data.Length;
        }
        var consumed = Run(data);
        if (IsBlocked)
        {
            Hold(data[consumed..]);
            return data.Length;
        }
        return consumed;
    }

    /// <summary>Ends a block and runs the commands that arrived meanwhile. Loop thread only.</summary>
    protected void Unblock()
    {
        IsBlocked = false;
        RunBacklog();
    }

    /// <inheritdoc/>
    public virtual bool TryReset()
    {
        IsBlocked = false;
        _backlogLength = 0;
        _progress = default;
        Writer.Protocol = 2;
        Connection = null!;
        return true;
    }

    private int Run(ReadOnlySpan<byte> data)
    {
        var offset = 0;
        while (offset < data.Length && !IsBlocked && !Connection.IsClosing)
        {
            var status = RespParser.TryParse(data[offset..], limits, ref _progress, ref _arguments, ref _scratch, out var count, out var used, out var error);
            if (status == RespParseStatus.Incomplete) { break; }
            if (status == RespParseStatus.Error)
            {
                Writer.Error($"ERR {error}");
                Connection.Close();
                return data.Length;
            }
            if (count > 0) { Execute(new RespCommand(data[offset..], _scratch, _arguments.AsSpan(0, count))); }
            offset += used;
        }
        return offset;
    }

    private void RunBacklog()
    {
        var consumed = Run(_backlog.AsSpan(0, _backlogLength));
        _backlog.AsSpan(consumed, _backlogLength - consumed).CopyTo(_backlog);
        _backlogLength -= consumed;
    }

    private void Hold(ReadOnlySpan<byte> data)
    {
        if (_backlogLength + data.Length > _backlog.Length)
        {
            System.Array.Resize(ref _backlog, Math.Max(_backlogLength + data.Length, _backlog.Length * 2));
        }
        data.CopyTo(_backlog.AsSpan(_backlogLength));
        _backlogLength += data.Length;
    }
}
