using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Loop.IntegrationTests.Redis;

/// <summary>An error reply (<c>-WRONGTYPE ...</c>), told apart from a string reply.</summary>
internal sealed record RespError(string Message)
{
    public static readonly RespError WrongType = new("WRONGTYPE Operation against a key holding the wrong kind of value");
}

/// <summary>
/// A tiny RESP client over a raw socket: sends each command as a multibulk array and reads replies as values:
/// a string (simple, bulk or double), a long (integer), a <see cref="RespError"/>, null (RESP2 or RESP3 null), or
/// an <c>object?[]</c> (array, set, or a map's keys and values in turn). Every send and read gives up after
/// <see cref="OperationTimeout"/>, so a silent server fails the test instead of hanging it.
/// </summary>
internal sealed class RespClient : IDisposable
{
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    public static async Task<RespClient> ConnectAsync(IPEndPoint endPoint)
    {
        var client = new RespClient();
        using var timeout = new CancellationTokenSource(OperationTimeout);
        await client._socket.ConnectAsync(endPoint, timeout.Token);
        return client;
    }

    /// <summary>Sends one command and reads its reply.</summary>
    public async Task<object?> CallAsync(params string[] arguments)
    {
        await SendAsync(arguments);
        return await ReadAsync();
    }

    /// <summary>Sends one command without waiting for its reply (pipelining, blocking commands).</summary>
    public async Task SendAsync(params string[] arguments)
    {
        var text = new StringBuilder($"*{arguments.Length}\r\n");
        foreach (var argument in arguments) { text.Append($"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n"); }
        using var timeout = new CancellationTokenSource(OperationTimeout);
        var data = Encoding.UTF8.GetBytes(text.ToString()).AsMemory();
        while (!data.IsEmpty) { data = data[await _socket.SendAsync(data, SocketFlags.None, timeout.Token)..]; }
    }

    /// <summary>The next reply.</summary>
    public async Task<object?> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(OperationTimeout);
        return await ReadValueAsync(timeout.Token);
    }

    public void Dispose() => _socket.Dispose();

    private async Task<object?> ReadValueAsync(CancellationToken cancel)
    {
        var line = await ReadLineAsync(cancel);
        var body = line[1..];
        switch (line[0])
        {
            case '+' or ',': return body;
            case '-': return new RespError(body);
            case ':': return long.Parse(body);
            case '_': return null;
            case '$' when body == "-1": return null;
            case '*' when body == "-1": return null;
            case '$':
                var length = int.Parse(body);
                while (_end - _start < length + 2) { await FillAsync(cancel); }
                var text = Encoding.UTF8.GetString(_buffer, _start, length);
                _start += length + 2;
                return text;
            case '*' or '~' or '%' or '>':
                var items = new object?[int.Parse(body) * (line[0] == '%' ? 2 : 1)];
                for (var i = 0; i < items.Length; i++) { items[i] = await ReadValueAsync(cancel); }
                return items;
            default: throw new InvalidDataException($"Unexpected reply line: {line}");
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancel)
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0) { await FillAsync(cancel); }
        var line = Encoding.UTF8.GetString(_buffer, _start, end);
        _start += end + 2;
        return line;
    }

    private async Task FillAsync(CancellationToken cancel)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) { Array.Resize(ref _buffer, _buffer.Length * 2); }
        var received = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancel);
        if (received == 0) { throw new EndOfStreamException("The server closed the connection before a whole reply."); }
        _end += received;
    }
}
