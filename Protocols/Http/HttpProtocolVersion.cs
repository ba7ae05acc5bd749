namespace Loop.Protocols.Http;

/// <summary>The HTTP versions a request may carry.</summary>
public enum HttpProtocolVersion : byte
{
    /// <summary>HTTP/1.0: the connection closes after the response unless the client asked for keep-alive.</summary>
    Http10,

    /// <summary>HTTP/1.1: keep-alive unless either side says <c>Connection: close</c>.</summary>
    Http11,
}
