using System.Buffers;
using System.Text.Json.Serialization;
using Loop.Samples.Http.Database;

// The peer for Benchmarks/http.sh and http-db.sh: a minimal ASP.NET Core app (Kestrel, minimal APIs, default
// settings) answering the same TechEmpower routes as Samples/Http, the database ones (with --database
// CONNECTION-STRING) on the sample's own Npgsql code. Usage: kestrel-peer --urls http://127.0.0.1:PORT [--database ...]
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PeerJsonContext.Default));

var app = builder.Build();
app.MapGet("/plaintext", () => Results.Text("Hello, World!"u8, "text/plain"));
app.MapGet("/json", () => new JsonMessage { Message = "Hello, World!" });
if (builder.Configuration["database"] is { Length: > 0 } connectionString)
{
    var database = await WorldDatabase.OpenAsync(connectionString);
    var cache = new WorldCache(await database.LoadAllWorldsAsync());
    app.MapGet("/db", () => database.LoadWorldAsync(WorldDatabase.RandomId()));
    app.MapGet("/queries", (string? queries) => database.LoadWorldsAsync(WorldDatabase.RandomIds(Count(queries))));
    app.MapGet("/updates", (string? queries) => database.UpdateWorldsAsync(WorldDatabase.DistinctRandomIds(Count(queries)), WorldDatabase.RandomId));
    app.MapGet("/cached-queries", (string? count) => cache.Random(Count(count)));
    app.MapGet("/fortunes", async (HttpContext context) =>
    {
        var page = new ArrayBufferWriter<byte>(2048);
        FortunesPage.Write(page, await database.LoadFortunesPageAsync());
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.ContentLength = page.WrittenCount;
        await context.Response.BodyWriter.WriteAsync(page.WrittenMemory);
    });
}
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"listening on {string.Join(", ", app.Urls)}"));
app.Run();

// TechEmpower's rule: 1 to 500, and 1 for anything else.
static int Count(string? value) => int.TryParse(value, out var count) ? Math.Clamp(count, 1, WorldDatabase.MaxQueries) : 1;

/// <summary>The json test's message, a new one per request as in the Loop sample.</summary>
internal struct JsonMessage
{
    public string Message { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsonMessage))]
[JsonSerializable(typeof(World))]
[JsonSerializable(typeof(World[]))]
internal sealed partial class PeerJsonContext : JsonSerializerContext;
