using System.Net;
using Loop.Protocols.Http;
using Loop.Samples.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loop.IntegrationTests.Http;

/// <summary>Starts HTTP servers for the tests (the sample's routes unless told otherwise) and clients for them.</summary>
internal static class HttpTestServer
{
    public static Server Start(Backend backend, HttpOptions? options = null, HttpRouter? router = null, ILoggerFactory? log = null)
    {
        HttpRequestHandler application = (router ?? SampleRoutes.Create()).Handle;
        var logger = (log ?? NullLoggerFactory.Instance).CreateLogger("Loop.Http");
        var serverOptions = new ServerOptions { Backend = backend, LoopCount = 1, LoggerFactory = log ?? NullLoggerFactory.Instance };
        return Server.Start(serverOptions, () => new HttpConnectionHandler(application, options, logger));
    }

    public static HttpClient Client(Server server, int maxConnections = int.MaxValue) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = maxConnections, UseProxy = false })
        {
            BaseAddress = new Uri($"http://{server.EndPoint}"),
            Timeout = TimeSpan.FromSeconds(10),
            DefaultRequestVersion = System.Net.HttpVersion.Version11,
        };
}
