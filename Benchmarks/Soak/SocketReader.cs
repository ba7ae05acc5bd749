using System.Net.Sockets;

namespace Loop.Benchmarks.Soak;

/// <summary>
/// Buffered reads of a legitimate client's replies: whole CRLF-terminated lines and exact byte counts. The server
/// closing the connection is an <see cref="EndOfStreamException"/>; a bare LF or a line over 64 KiB is
/// <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class SocketReader(Socket socket)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>The next line, without its CRLF.</summary>
    public async ValueTask<byte[]> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var lf = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = _buffer.AsSpan(_start, lf);
                _start += lf + 1;
                if (line.IsEmpty || line[^1] != '\r') { throw new InvalidDataException("a line ends in a bare LF"); }
                return line[..^1].ToArray();
            }
            await FillAsync(ct);
        }
    }

    public async ValueTask<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
    {
        var bytes = new byte[count];
        for (var copied = 0; copied < count;)
        {
            if (_start == _end) { await FillAsync(ct); }
            var n = Math.Min(count - copied, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(bytes.AsSpan(copied));
            _start += n;
            copied += n;
        }
        return bytes;
    }

    private async ValueTask FillAsync(CancellationToken ct)
    {
        if (_start == _end) { _start = _end = 0; }
        if (_end == _buffer.Length)
        {
            if (_start == 0) { throw new InvalidDataException($"a line is longer than {_buffer.Length} bytes"); }
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        var received = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, ct);
        if (received == 0) { throw new EndOfStreamException("the server closed the connection"); }
        _end += received;
    }
}
