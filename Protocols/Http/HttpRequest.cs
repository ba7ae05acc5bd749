using System.Net;

namespace Loop.Protocols.Http;

/// <summary>
/// A parsed request, as a view over the received bytes: valid only during the call that handles it. Nothing in
/// it is decoded or copied (the path is not percent-decoded); a chunked body is already de-chunked.
/// </summary>
public readonly ref struct HttpRequest
{
    private readonly ReadOnlySpan<byte> _head;
    private readonly HttpRequestParser _parsed;
    private readonly Connection? _connection;

    internal HttpRequest(ReadOnlySpan<byte> head, HttpRequestParser parsed, ReadOnlySpan<byte> body, Connection? connection)
    {
        _head = head;
        _parsed = parsed;
        Body = body;
        _connection = connection;
    }

    /// <summary>The method, case-sensitive as sent, e.g. <c>GET</c>.</summary>
    public ReadOnlySpan<byte> Method => _head[_parsed.Method];

    /// <summary>The request target as sent: path and query, an absolute URI, or <c>*</c>.</summary>
    public ReadOnlySpan<byte> Target => _head[_parsed.Target];

    /// <summary>The target's path (<c>/</c> for an absolute URI without one), without the query.</summary>
    public ReadOnlySpan<byte> Path
    {
        get
        {
            var path = _head[_parsed.Path];
            return path.IsEmpty ? "/"u8 : path;
        }
    }

    /// <summary>What follows the <c>?</c> of the target, empty when there is none.</summary>
    public ReadOnlySpan<byte> Query => _head[_parsed.Query];

    /// <summary>The request's protocol version.</summary>
    public HttpProtocolVersion Version => _parsed.Version;

    /// <summary>The header fields, in the order received.</summary>
    public HttpHeaders Headers => new(_head, _parsed.Fields);

    /// <summary>The body (decoded when chunked); empty when there is none.</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>The client's address (the connection's peer: a proxy's, behind one).</summary>
    public EndPoint? RemoteEndPoint => _connection?.RemoteEndPoint;
}
