using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// A raw RESP connection for tests of the wire itself: sends bytes exactly as given and reads back one whole
/// reply at a time as its exact text, RESP2 or RESP3. Text is Latin-1, one char per byte. Every operation is
/// cancelled once <see cref="OperationTimeout"/> has passed since it began, so a silent server fails the test (a long
/// script of prompt replies, as the differential tests send, does not, however loaded the machine).
/// </summary>
internal sealed class RespSocket : IDisposable
{
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(20);

    private readonly Socket _socket;
    private readonly CancellationTokenSource _timeout = new(OperationTimeout);
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    private RespSocket(Socket socket) => _socket = socket;

    // The token of an operation starting now: the timeout starts over (once it has passed, it stays passed).
    private CancellationToken Deadline
    {
        get
        {
            _timeout.CancelAfter(OperationTimeout);
            return _timeout.Token;
        }
    }

    /// <summary>Connects; <paramref name="receiveBufferBytes"/> shrinks the socket's receive buffer (a slow reader).</summary>
    public static async Task<RespSocket> ConnectAsync(IPEndPoint endPoint, int? receiveBufferBytes = null)
    {
        var client = new RespSocket(new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
        if (receiveBufferBytes is { } bytes) { client._socket.ReceiveBufferSize = bytes; }
        try
        {
            await client._socket.ConnectAsync(endPoint, client.Deadline);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>A command as a multibulk array: <c>*2\r\n$3\r\nGET\r\n$1\r\nk\r\n</c>.</summary>
    public static string Encode(params string[] arguments)
    {
        var text = new StringBuilder($"*{arguments.Length}\r\n");
        foreach (var argument in arguments) { text.Append($"${argument.Length}\r\n{argument}\r\n"); }
        return text.ToString();
    }

    public async Task SendAsync(string raw)
    {
        var data = Encoding.Latin1.GetBytes(raw).AsMemory();
        while (!data.IsEmpty) { data = data[await _socket.SendAsync(data, SocketFlags.None, Deadline)..]; }
    }

    /// <summary>Sends one multibulk command and returns its reply.</summary>
    public async Task<string> CommandAsync(params string[] arguments)
    {
        await SendAsync(Encode(arguments));
        return await ReadReplyAsync();
    }

    /// <summary>Sends one inline command (a line, CRLF added) and returns its reply.</summary>
    public async Task<string> InlineAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>The next whole reply, nested elements included, exactly as the server wrote it.</summary>
    public async Task<string> ReadReplyAsync()
    {
        var reply = new StringBuilder();
        await ReadValueAsync(reply);
        return reply.ToString();
    }

    /// <summary>Everything the server sends until it closes the connection.</summary>
    public async Task<string> ReadToEndAsync()
    {
        while (await FillAsync()) { }
        var rest = Encoding.Latin1.GetString(_buffer, _start, _end - _start);
        _start = _end;
        return rest;
    }

    /// <summary>This end's address: the server's CLIENT LIST names it.</summary>
    public EndPoint LocalEndPoint => _socket.LocalEndPoint!;

    /// <summary>Discards what the server sends until it closes the connection, by end of stream or by reset: one operation.</summary>
    public async Task DrainUntilClosedAsync()
    {
        var scratch = new byte[64 * 1024];
        var deadline = Deadline;
        try { while (await _socket.ReceiveAsync(scratch, deadline) > 0) { } }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _timeout.Dispose();
    }

    private async Task ReadValueAsync(StringBuilder reply)
    {
        var line = await ReadLineAsync();
        reply.Append(line).Append("\r\n");
        switch (line[0])
        {
            case '$' or '=' or '!' when line != "$-1":
                reply.Append(await ReadExactlyAsync(int.Parse(line.AsSpan(1)) + 2));
                break;
            case '*' or '~' or '>' or '%' or '|' when line != "*-1":
                var count = int.Parse(line.AsSpan(1)) * (line[0] is '%' or '|' ? 2 : 1);
                for (var i = 0; i < count; i++) { await ReadValueAsync(reply); }
                if (line[0] == '|') { await ReadValueAsync(reply); } // the reply the attributes describe
                break;
        }
    }

    /// <summary>The next line, without its CRLF (a replica reads the sync's headers so).</summary>
    public async Task<string> ReadLineAsync()
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
        {
            if (!await FillAsync()) { throw new EndOfStreamException("The server closed the connection before a whole reply."); }
        }
        var line = Encoding.Latin1.GetString(_buffer, _start, end);
        _start += end + 2;
        return line;
    }

    /// <summary>The next <paramref name="count"/> bytes, whatever they are (an RDB has no CRLF after it).</summary>
    public async Task<string> ReadExactlyAsync(int count)
    {
        while (_end - _start < count)
        {
            if (!await FillAsync()) { throw new EndOfStreamException("The server closed the connection before a whole reply."); }
        }
        var text = Encoding.Latin1.GetString(_buffer, _start, count);
        _start += count;
        return text;
    }

    // Receives more bytes after those not yet read; false at end of stream.
    private async Task<bool> FillAsync()
    {
        if (_end == _buffer.Length)
        {
            if (_start == 0) { Array.Resize(ref _buffer, _buffer.Length * 2); }
            else
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
        }
        var received = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, Deadline);
        _end += received;
        return received > 0;
    }
}
