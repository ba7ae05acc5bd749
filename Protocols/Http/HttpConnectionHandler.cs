using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.ObjectPool;

namespace Loop.Protocols.Http;

/// <summary>
/// HTTP/1.1 server protocol for one connection. It reads requests (head, then body by Content-Length or chunked),
/// hands each to the application and writes its response, for every complete request in the received bytes in
/// order (pipelining), so that a batch of requests is answered in one send. A request that breaks RFC 9112 is
/// answered with its 4xx/5xx status and the connection closed; a client too slow is answered 408. A response the
/// application deferred (<see cref="HttpResponse.Defer"/>) holds back the requests behind it until it is complete.
/// </summary>
public sealed class HttpConnectionHandler : IConnectionHandler, IResettable
{
    private readonly HttpRequestHandler _application;
    private readonly HttpOptions _options;
    private readonly ILogger _logger;
    private readonly HttpRequestReader _reader;
    private HttpLoopState? _loop;
    private Connection _connection = null!;
    private long _deadline;
    private Wait _waiting;

    // The deferred response, if one is awaited: which one (a stale completion is dropped) and how to frame it.
    private bool _deferred, _deferredIsHead, _deferredKeepAlive;
    private int _generation;
    private HttpProtocolVersion _deferredVersion;

    /// <summary>A handler that answers requests with <paramref name="application"/> (often <see cref="HttpRouter.Handle"/>).</summary>
    public HttpConnectionHandler(HttpRequestHandler application, HttpOptions? options = null, ILogger? logger = null)
    {
        _application = application ?? throw new ArgumentNullException(nameof(application));
        _options = options ?? new HttpOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _reader = new HttpRequestReader(_options);
    }

    /// <summary>This connection's place in its loop's list of HTTP connections (for the timeout sweep).</summary>
    internal int LoopSlot { get; set; }

    /// <inheritdoc/>
    public void OnOpen(Connection connection)
    {
        _connection = connection;
        _loop ??= connection.Loop.GetState(static loop => new HttpLoopState(loop));
        _loop.Add(this);
        Expect(Wait.NextRequest, Stopwatch.GetTimestamp());
    }

    /// <inheritdoc/>
    public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
    {
        // Requests behind a deferred response stay unread (and count against the input limit) until it is sent.
        if (_deferred) { return 0; }
        var consumed = 0;
        var reading = true;
        while (reading && !_deferred && !connection.IsClosing)
        {
            var rest = data[consumed..];
            var step = _reader.Read(rest, out var used);
            consumed += used;
            switch (step)
            {
                case ReadStep.Continue: connection.Write("HTTP/1.1 100 Continue\r\n\r\n"u8); break;
                case ReadStep.Request: Answer(_reader.Request(rest, connection)); break;
                case ReadStep.Invalid: Refuse(_reader.ErrorStatus); break;
                case ReadStep.NeedMore: reading = false; break;
            }
        }
        if (connection.IsClosing) { return data.Length; }
        if (_deferred) { return consumed; }

        var now = Stopwatch.GetTimestamp();
        if (_reader.InBody) { Expect(Wait.Body, now); }
        else if (consumed == data.Length) { Expect(Wait.NextRequest, now); }
        else if (_waiting != Wait.Head) { Expect(Wait.Head, now); }
        return consumed;
    }

    /// <inheritdoc/>
    public void OnClose(Connection connection, CloseReason reason) => _loop!.Remove(this);

    /// <inheritdoc/>
    public bool TryReset()
    {
        _reader.EndRequest();
        _deferred = false;
        _connection = null!;
        return true;
    }

    /// <summary>Called by the loop's tick: ends the connection if what it waits for did not come in time.</summary>
    internal void CheckTimeout(long now)
    {
        // The application, not the client, is slow while a deferred response is awaited.
        if (_connection.IsClosing || _deferred || now < _deadline) { return; }
        if (_waiting == Wait.NextRequest) { _connection.Close(CloseReason.Timeout); }
        else { Refuse(408); }
    }

    /// <summary>Called by <see cref="HttpResponse.Defer"/> while the application answers a request.</summary>
    internal HttpDeferredResponse Defer()
    {
        _deferred = true;
        return new HttpDeferredResponse(this, _connection.Token, ++_generation);
    }

    /// <summary>A deferred response's completion, on the loop thread, while the connection is still this client's.</summary>
    internal void Resume<TState>(int generation, Action<HttpResponse, TState> write, TState state)
    {
        if (!_deferred || generation != _generation) { return; }
        _deferred = false;
        var response = _loop!.Response;
        response.Begin(_connection, _options, _deferredVersion, _deferredIsHead, _deferredKeepAlive);
        try
        {
            write(response, state);
            response.Complete();
        }
        catch (Exception e) { Fail(response, e); }
        EndResponse(response);
        Expect(Wait.NextRequest, Stopwatch.GetTimestamp());
        _connection.RedeliverInput();
    }

    private void Answer(HttpRequest request)
    {
        var response = _loop!.Response;
        response.Begin(_connection, _options, request.Version, request.Method.SequenceEqual("HEAD"u8), _reader.Head.KeepAlive, this);
        try
        {
            _application(request, response);
            if (response.Deferred)
            {
                _deferredVersion = request.Version;
                _deferredIsHead = request.Method.SequenceEqual("HEAD"u8);
                _deferredKeepAlive = _reader.Head.KeepAlive;
                _reader.EndRequest();
                return;
            }
            response.Complete();
        }
        catch (Exception e)
        {
            // A handler that deferred and then threw answers now; its completion, if any, is dropped.
            _deferred = false;
            Fail(response, e);
        }
        EndResponse(response);
        _reader.EndRequest();
    }

    private void Fail(HttpResponse response, Exception e)
    {
        _logger.LogError(e, "HTTP request handler failed on connection {Id}", _connection.Id);
        if (response.HeadSent) { _connection.Close(CloseReason.HandlerError); }
        else { response.Refuse(_connection, _options, 500); }
    }

    private void EndResponse(HttpResponse response)
    {
        if (!response.KeepAlive) { _connection.Close(); }
        _waiting = Wait.NextRequest;
    }

    private void Refuse(int status)
    {
        _loop!.Response.Refuse(_connection, _options, status);
        _reader.EndRequest();
    }

    private void Expect(Wait what, long now)
    {
        _waiting = what;
        var timeout = what == Wait.Head ? _options.RequestHeadersTimeout : _options.IdleTimeout;
        _deadline = now + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>What the connection waits for, which decides its deadline and what happens past it.</summary>
    private enum Wait : byte
    {
        /// <summary>The first byte of a request, for <see cref="HttpOptions.IdleTimeout"/>; then a silent close.</summary>
        NextRequest,

        /// <summary>The rest of a head, for <see cref="HttpOptions.RequestHeadersTimeout"/> from its first byte; then 408.</summary>
        Head,

        /// <summary>More of a body, for <see cref="HttpOptions.IdleTimeout"/> since the last bytes; then 408.</summary>
        Body,
    }
}
