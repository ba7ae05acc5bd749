using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Loop.IntegrationTests.Http;

/// <summary>A response as read off the wire: status, header lines, body (de-chunked) and the exact bytes.</summary>
internal sealed record RawResponse(int Status, List<KeyValuePair<string, string>> Headers, byte[] Body, byte[] Raw)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A client on a plain socket, for what HttpClient will not do: pipelining, malformed requests, partial sends.
/// Every receive is bounded by a timeout.
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket = new(SocketType.Stream, ProtocolType.Tcp);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;

    public static async Task<RawHttpConnection> Open(EndPoint endPoint)
    {
        var connection = new RawHttpConnection();
        await connection._socket.ConnectAsync(endPoint).WaitAsync(ReceiveTimeout);
        return connection;
    }

    public Task Send(string text) => Send(Encoding.Latin1.GetBytes(text));

    public async Task Send(byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(ReceiveTimeout);
        await _socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
    }

    /// <summary>Reads one response; a response to HEAD has a length but no body.</summary>
    public async Task<RawResponse> ReadResponse(bool toHead = false)
    {
        var raw = new MemoryStream();
        var statusLine = await ReadLine(raw);
        var status = int.Parse(statusLine.Split(' ')[1]);
        var headers = new List<KeyValuePair<string, string>>();
        for (var line = await ReadLine(raw); line.Length > 0; line = await ReadLine(raw))
        {
            var colon = line.IndexOf(':');
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }
        var response = new RawResponse(status, headers, [], []);
        var body = new MemoryStream();
        if (toHead || status is 100 or 204 or 304) { }
        else if (response.Header("Transfer-Encoding") == "chunked")
        {
            for (var size = Convert.ToInt32(await ReadLine(raw), 16); size > 0; size = Convert.ToInt32(await ReadLine(raw), 16))
            {
                body.Write(await ReadBytes(size, raw));
                await ReadLine(raw);
            }
            await ReadLine(raw);
        }
        else
        {
            body.Write(await ReadBytes(int.Parse(response.Header("Content-Length") ?? "0"), raw));
        }
        return response with { Body = body.ToArray(), Raw = raw.ToArray() };
    }

    /// <summary>True when the server closes the connection without sending anything more.</summary>
    public async Task<bool> ClosedByServer()
    {
        if (_end > _start) { return false; }
        return await Receive() == 0;
    }

    private async Task<string> ReadLine(MemoryStream raw)
    {
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var line = Encoding.Latin1.GetString(_buffer, _start, lf - _start).TrimEnd('\r');
                raw.Write(_buffer, _start, lf + 1 - _start);
                _start = lf + 1;
                return line;
            }
            if (await Receive() == 0) { throw new IOException("The server closed the connection in the middle of a response."); }
        }
    }

    private async Task<byte[]> ReadBytes(int count, MemoryStream raw)
    {
        var bytes = new byte[count];
        for (var read = 0; read < count;)
        {
            if (_end == _start && await Receive() == 0) { throw new IOException("The server closed the connection in the middle of a body."); }
            var n = Math.Min(count - read, _end - _start);
            Array.Copy(_buffer, _start, bytes, read, n);
            _start += n;
            read += n;
        }
        raw.Write(bytes);
        return bytes;
    }

    private async Task<int> Receive()
    {
        if (_start == _end) { _start = _end = 0; }
        if (_end == _buffer.Length)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            (_start, _end) = (0, _end - _start);
        }
        using var timeout = new CancellationTokenSource(ReceiveTimeout);
        int n;
        try { n = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, timeout.Token); }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { n = 0; }
        _end += n;
        return n;
    }

    /// <summary>This end's address as the IPv4 server sees it (the socket is dual-mode: IPv4-mapped here).</summary>
    public IPEndPoint LocalEndPoint
    {
        get
        {
            var local = (IPEndPoint)_socket.LocalEndPoint!;
            return new IPEndPoint(local.Address.MapToIPv4(), local.Port);
        }
    }

    public void Dispose() => _socket.Dispose();
}
