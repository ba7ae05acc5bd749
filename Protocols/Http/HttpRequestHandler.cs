namespace Loop.Protocols.Http;

/// <summary>
/// Answers one request by filling in <paramref name="response"/>. It runs on the connection's loop thread, so it
/// must not block; the response is sent when it returns, unless it called <see cref="HttpResponse.Defer"/> to answer
/// later, from work elsewhere. An exception becomes a 500 and closes the connection.
/// </summary>
public delegate void HttpRequestHandler(HttpRequest request, HttpResponse response);
