using System.Text.Json.Serialization;

// The peer for Benchmarks/http.sh: a minimal ASP.NET Core app (Kestrel, minimal APIs, default settings)
// answering the same TechEmpower routes as Samples/Http. Usage: kestrel-peer --urls http://127.0.0.1:PORT
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PeerJsonContext.Default));

var app = builder.Build();
app.MapGet("/plaintext", () => Results.Text("Hello, World!"u8, "text/plain"));
app.MapGet("/json", () => new JsonMessage { Message = "Hello, World!" });
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"listening on {string.Join(", ", app.Urls)}"));
app.Run();

/// <summary>The json test's message, a new one per request as in the Loop sample.</summary>
internal struct JsonMessage
{
    public string Message { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsonMessage))]
internal sealed partial class PeerJsonContext : JsonSerializerContext;
