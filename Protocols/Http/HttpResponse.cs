using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Loop.Protocols.Http;

/// <summary>
/// The response to the request being handled, written as a body writer (<see cref="IBufferWriter{T}"/>). Status,
/// headers and body are collected during the handler call and sent when it returns, with <c>Server</c>,
/// <c>Date</c>, <c>Content-Length</c> and <c>Connection</c> composed for this request; a HEAD request gets the
/// same head without the body. <see cref="UseChunkedEncoding"/> sends the head at once and the body in chunks as
/// it is written. Valid only during the call that handles the request.
/// </summary>
public sealed class HttpResponse : IBufferWriter<byte>
{
    // Chunked mode sends a chunk whenever this much body is waiting.
    private const int ChunkSize = 16 * 1024;
    private readonly ArrayBufferWriter<byte> _headers = new(256);
    private readonly ArrayBufferWriter<byte> _body = new(4096);
    private readonly HttpDate _date;
    private Connection _connection = null!;
    private HttpOptions _options = null!;
    private HttpConnectionHandler? _handler;
    private HttpProtocolVersion _version;
    private bool _isHead, _keepAlive, _chunked;
    private int _statusCode;

    internal HttpResponse(HttpDate date) => _date = date;

    /// <summary>The loop answering the request: its per-loop state (<see cref="EventLoop.GetState{T}"/>) is free to use.</summary>
    public EventLoop Loop => _connection.Loop;

    /// <summary>The status code, 200 unless set; 200 to 999, set before the head is sent.</summary>
    public int StatusCode
    {
        get => _statusCode;
        set
        {
            ThrowIfHeadSent();
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 200);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 999);
            _statusCode = value;
        }
    }

    /// <summary>True once <see cref="Defer"/> was called: the handler's return does not send the response.</summary>
    internal bool Deferred { get; private set; }

    /// <summary>True once the head went out (chunked mode): status and headers can no longer change.</summary>
    internal bool HeadSent { get; private set; }

    internal bool KeepAlive => _keepAlive;

    /// <summary>
    /// Adds a header field line. Framing and connection fields (<c>Content-Length</c>, <c>Transfer-Encoding</c>,
    /// <c>Connection</c>) are the protocol's and are refused, as are names that are not tokens and values with
    /// control characters.
    /// </summary>
    public void AddHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        ThrowIfHeadSent();
        if (!HttpSyntax.IsToken(name) || value.IndexOfAny(HttpSyntax.NotInFieldValue) >= 0)
        {
            throw new ArgumentException("A header name must be a token and its value free of control characters.");
        }
        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8) || Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8)
            || Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            throw new ArgumentException("Content-Length, Transfer-Encoding and Connection are set by the protocol.", nameof(name));
        }
        var line = _headers.GetSpan(name.Length + value.Length + 4);
        name.CopyTo(line);
        ": "u8.CopyTo(line[name.Length..]);
        value.CopyTo(line[(name.Length + 2)..]);
        "\r\n"u8.CopyTo(line[(name.Length + 2 + value.Length)..]);
        _headers.Advance(name.Length + value.Length + 4);
    }

    /// <summary>Adds a header field line given as ASCII strings; see <see cref="AddHeader(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.</summary>
    public void AddHeader(string name, string value)
    {
        if (!Ascii.IsValid(name) || !Ascii.IsValid(value)) { throw new ArgumentException("Header names and values must be ASCII."); }
        Span<byte> bytes = name.Length + value.Length <= 512 ? stackalloc byte[name.Length + value.Length] : new byte[name.Length + value.Length];
        Encoding.ASCII.GetBytes(name, bytes);
        Encoding.ASCII.GetBytes(value, bytes[name.Length..]);
        AddHeader(bytes[..name.Length], bytes[name.Length..]);
    }

    /// <summary>
    /// Sends the head now with <c>Transfer-Encoding: chunked</c>; the body then goes out in chunks as it is
    /// written. For an HTTP/1.0 client, which knows no chunks, the body is collected and sent with a length instead.
    /// </summary>
    public void UseChunkedEncoding()
    {
        if (_chunked || _version == HttpProtocolVersion.Http10) { return; }
        WriteHead(contentLength: -1, chunked: true);
        _chunked = true;
    }

    /// <summary>
    /// Leaves the response unsent when the handler returns, to be written later through the returned
    /// <see cref="HttpDeferredResponse"/> (once work elsewhere is done). What was written to this response so far is
    /// discarded. Not with chunked encoding.
    /// </summary>
    public HttpDeferredResponse Defer()
    {
        ThrowIfHeadSent();
        if (Deferred || _handler is null) { throw new InvalidOperationException("This response cannot be deferred (again)."); }
        Deferred = true;
        return _handler.Defer();
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0) => _body.GetSpan(sizeHint);

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0) => _body.GetMemory(sizeHint);

    /// <inheritdoc/>
    public void Advance(int count)
    {
        _body.Advance(count);
        if (_chunked && _body.WrittenCount >= ChunkSize) { WriteChunk(); }
    }

    /// <summary>Appends <paramref name="data"/> to the body.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        data.CopyTo(_body.GetSpan(data.Length));
        Advance(data.Length);
    }

    /// <summary>Starts the response to one request: 200, no headers, no body yet.</summary>
    internal void Begin(Connection connection, HttpOptions options, HttpProtocolVersion version, bool isHead, bool keepAlive,
        HttpConnectionHandler? handler = null)
    {
        _connection = connection;
        _handler = handler;
        Deferred = false;
        _options = options;
        _version = version;
        _isHead = isHead;
        _keepAlive = keepAlive;
        _statusCode = 200;
        _chunked = HeadSent = false;
        _headers.ResetWrittenCount();
        _body.ResetWrittenCount();
    }

    /// <summary>Sends what the handler left: the whole response, or the last chunk.</summary>
    internal void Complete()
    {
        if (_chunked)
        {
            WriteChunk();
            if (!_isHead) { _connection.Write("0\r\n\r\n"u8); }
            return;
        }
        // 204 and 304 carry neither a body nor its length.
        var bodyless = _statusCode is 204 or 304;
        if (bodyless && _body.WrittenCount > 0) { throw new InvalidOperationException($"A {_statusCode} response has no body."); }
        WriteHead(bodyless ? -1 : _body.WrittenCount, chunked: false);
        if (!_isHead) { _connection.Write(_body.WrittenSpan); }
    }

    /// <summary>Answers with <paramref name="status"/>, no body, and closes the connection after.</summary>
    internal void Refuse(Connection connection, HttpOptions options, int status)
    {
        Begin(connection, options, HttpProtocolVersion.Http11, isHead: false, keepAlive: false);
        _statusCode = status;
        Complete();
        connection.Close(status switch { 408 => CloseReason.Timeout, >= 500 => CloseReason.HandlerError, _ => CloseReason.ProtocolError });
    }

    private void WriteHead(long contentLength, bool chunked)
    {
        var reason = HttpStatus.ReasonPhrase(_statusCode);
        var server = _options.ServerHeaderLine;
        var headers = _headers.WrittenSpan;
        var span = _connection.GetSpan(64 + reason.Length + server.Length + _date.HeaderLine.Length + headers.Length + 64);
        var n = Put(span, 0, "HTTP/1.1 "u8);
        Utf8Formatter.TryFormat(_statusCode, span[n..], out var written);
        n = Put(span, n + written, " "u8);
        n = Put(span, n, reason);
        n = Put(span, n, "\r\n"u8);
        n = Put(span, n, server);
        n = Put(span, n, _date.HeaderLine);
        n = Put(span, n, headers);
        if (chunked) { n = Put(span, n, "Transfer-Encoding: chunked\r\n"u8); }
        else if (contentLength >= 0)
        {
            n = Put(span, n, "Content-Length: "u8);
            Utf8Formatter.TryFormat(contentLength, span[n..], out written);
            n = Put(span, n + written, "\r\n"u8);
        }
        if (!_keepAlive) { n = Put(span, n, "Connection: close\r\n"u8); }
        else if (_version == HttpProtocolVersion.Http10) { n = Put(span, n, "Connection: keep-alive\r\n"u8); }
        n = Put(span, n, "\r\n"u8);
        _connection.Advance(n);
        HeadSent = true;
    }

    private void WriteChunk()
    {
        if (_body.WrittenCount == 0) { return; }
        if (!_isHead)
        {
            var size = _connection.GetSpan(16);
            Utf8Formatter.TryFormat(_body.WrittenCount, size, out var written, new StandardFormat('x'));
            _connection.Advance(Put(size, written, "\r\n"u8));
            _connection.Write(_body.WrittenSpan);
            _connection.Write("\r\n"u8);
        }
        _body.ResetWrittenCount();
    }

    private static int Put(Span<byte> span, int offset, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[offset..]);
        return offset + bytes.Length;
    }

    private void ThrowIfHeadSent()
    {
        if (HeadSent) { throw new InvalidOperationException("The head was already sent (chunked encoding); status and headers are final."); }
    }
}
