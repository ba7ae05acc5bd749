using Loop;
using Loop.Protocols.Http;
using Loop.Samples;
using Loop.Samples.Http;
using Microsoft.Extensions.Logging;

// TechEmpower-style HTTP/1.1 server: /plaintext, /json, and the routes in SampleRoutes.
const string usage = "loop-http " + SampleHost.CommonUsage;

var options = new ServerOptions { Port = 8080 };
try
{
    SampleHost.ParseCommon(args, options, usage);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
HttpRequestHandler application = SampleRoutes.Create().Handle;
var http = new HttpOptions();
// The factory runs once a loop needs a new handler, after RunAsync has set up logging.
return await SampleHost.RunAsync(options, () => new HttpConnectionHandler(application, http, options.LoggerFactory.CreateLogger("Loop.Http")));
