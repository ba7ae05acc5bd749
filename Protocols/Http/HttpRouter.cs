using System.Text;

namespace Loop.Protocols.Http;

/// <summary>
/// Routes requests by exact path and method. An unknown path is answered 404; a known path with another method
/// 405 with <c>Allow</c>. HEAD runs the GET route without sending its body, and OPTIONS answers 204 with
/// <c>Allow</c> (and <c>OPTIONS *</c> 204) unless mapped. Paths compare as sent, not percent-decoded.
/// </summary>
public sealed class HttpRouter
{
    private readonly List<PathRoutes> _paths = [];

    /// <summary>Runs <paramref name="handler"/> for <paramref name="method"/> requests to <paramref name="path"/>.</summary>
    public HttpRouter Map(string method, string path, HttpRequestHandler handler)
    {
        if (!HttpSyntax.IsToken(Encoding.ASCII.GetBytes(method))) { throw new ArgumentException("A method is a token, e.g. GET.", nameof(method)); }
        if (!path.StartsWith('/')) { throw new ArgumentException("A path starts with '/'.", nameof(path)); }
        ArgumentNullException.ThrowIfNull(handler);
        var pathBytes = Encoding.ASCII.GetBytes(path);
        var routes = _paths.Find(p => p.Path.AsSpan().SequenceEqual(pathBytes));
        if (routes is null) { _paths.Add(routes = new PathRoutes(pathBytes)); }
        routes.Add(Encoding.ASCII.GetBytes(method), handler);
        return this;
    }

    /// <summary>Maps a GET route (which also answers HEAD).</summary>
    public HttpRouter MapGet(string path, HttpRequestHandler handler) => Map("GET", path, handler);

    /// <summary>Maps a POST route.</summary>
    public HttpRouter MapPost(string path, HttpRequestHandler handler) => Map("POST", path, handler);

    /// <summary>Answers <paramref name="request"/> from the routes: usable as the server's <see cref="HttpRequestHandler"/>.</summary>
    public void Handle(HttpRequest request, HttpResponse response)
    {
        var method = request.Method;
        if (request.Path.SequenceEqual("*"u8))
        {
            response.StatusCode = 204;
            return;
        }
        var routes = Find(request.Path);
        if (routes is null)
        {
            response.StatusCode = 404;
            return;
        }
        var handler = routes.Find(method) ?? (method.SequenceEqual("HEAD"u8) ? routes.Find("GET"u8) : null);
        if (handler is not null)
        {
            handler(request, response);
            return;
        }
        response.StatusCode = method.SequenceEqual("OPTIONS"u8) ? 204 : 405;
        response.AddHeader("Allow"u8, routes.Allow);
    }

    private PathRoutes? Find(ReadOnlySpan<byte> path)
    {
        foreach (var routes in _paths)
        {
            if (path.SequenceEqual(routes.Path)) { return routes; }
        }
        return null;
    }

    /// <summary>The routes of one path, and its <c>Allow</c> value.</summary>
    private sealed class PathRoutes(byte[] path)
    {
        private readonly List<(byte[] Method, HttpRequestHandler Handler)> _routes = [];

        public byte[] Path { get; } = path;

        public byte[] Allow { get; private set; } = [];

        public void Add(byte[] method, HttpRequestHandler handler)
        {
            _routes.RemoveAll(r => r.Method.AsSpan().SequenceEqual(method));
            _routes.Add((method, handler));
            var methods = _routes.Select(r => Encoding.ASCII.GetString(r.Method)).ToList();
            if (methods.Contains("GET") && !methods.Contains("HEAD")) { methods.Add("HEAD"); }
            if (!methods.Contains("OPTIONS")) { methods.Add("OPTIONS"); }
            Allow = Encoding.ASCII.GetBytes(string.Join(", ", methods));
        }

        public HttpRequestHandler? Find(ReadOnlySpan<byte> method)
        {
            foreach (var (m, handler) in _routes)
            {
                if (method.SequenceEqual(m)) { return handler; }
            }
            return null;
        }
    }
}
