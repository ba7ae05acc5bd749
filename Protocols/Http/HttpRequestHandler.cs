namespace Loop.Protocols.Http;

/// <summary>
/// Answers one request by filling in <paramref name="response"/>. It runs on the connection's loop thread, so it
/// must not block; the response is sent when it returns. An exception becomes a 500 and closes the connection.
/// </summary>
public delegate void HttpRequestHandler(HttpRequest request, HttpResponse response);
