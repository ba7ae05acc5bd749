using Loop;
using Loop.Protocols.Http;
using Loop.Samples;
using Loop.Samples.Http;
using Loop.Samples.Http.Database;
using Microsoft.Extensions.Logging;

// TechEmpower-style HTTP/1.1 server: /plaintext, /json, the routes in SampleRoutes, and with a database
// (--database or Loop:Database, an Npgsql connection string) /db, /queries, /fortunes, /updates and /cached-queries.
const string usage = "loop-http " + SampleHost.CommonUsage + " [--database \"Host=...;Database=hello_world;Username=...;Password=...\"]";

var options = new ServerOptions { Port = 8080 };
string? connectionString = null;
try
{
    SampleHost.ParseCommon(args, options, usage, (flag, value) =>
    {
        if (flag != "--database") { return -1; }
        connectionString = value ?? throw SampleHost.UsageError("--database needs a connection string", usage);
        return 1;
    });
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
connectionString ??= SampleHost.Setting("Loop:Database");

DatabaseRoutes? databaseRoutes = null;
if (!string.IsNullOrEmpty(connectionString))
{
    try
    {
        var database = await WorldDatabase.OpenAsync(connectionString);
        var cache = new WorldCache(await database.LoadAllWorldsAsync());
        databaseRoutes = new DatabaseRoutes(database, cache, new Lazy<ILogger>(() => options.LoggerFactory.CreateLogger("Loop.Http.Database")));
    }
    catch (DatabaseUnavailableException e)
    {
        Console.Error.WriteLine($"error: {e.Message} (Loop:Database / --database)");
        return 1;
    }
}
HttpRequestHandler application = SampleRoutes.Create(databaseRoutes).Handle;
var http = new HttpOptions();
// The factory runs once a loop needs a new handler, after RunAsync has set up logging.
return await SampleHost.RunAsync(options, () => new HttpConnectionHandler(application, http, options.LoggerFactory.CreateLogger("Loop.Http")));
