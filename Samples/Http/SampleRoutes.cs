using System.Text.Json;
using Loop.Protocols.Http;
using Loop.Samples.Http.Database;

namespace Loop.Samples.Http;

/// <summary>The sample's routes: the TechEmpower tests (database ones in <see cref="DatabaseRoutes"/>), and what a user tries first.</summary>
public static class SampleRoutes
{
    /// <summary>A router with every route of the sample, and the database routes when there is a <paramref name="database"/>.</summary>
    public static HttpRouter Create(DatabaseRoutes? database = null)
    {
        // Paths are searched in order: plaintext and json first.
        var router = new HttpRouter()
            .MapGet("/plaintext", Plaintext)
            .MapGet("/json", Json)
            .MapGet("/", (_, response) => Text(response, "OK"u8))
            .MapPost("/", EchoBody)
            .MapGet("/echo", EchoHeaders)
            .MapPost("/echo", EchoHeaders);
        return database?.MapTo(router) ?? router;
    }

    private static void Plaintext(HttpRequest request, HttpResponse response) => Text(response, "Hello, World!"u8);

    // A new message per request, as the benchmark rules ask; a struct, so that costs no allocation.
    private static void Json(HttpRequest request, HttpResponse response)
    {
        response.AddHeader("Content-Type"u8, "application/json"u8);
        var writer = JsonWriterState.For(response);
        JsonSerializer.Serialize(writer, new JsonMessage { Message = "Hello, World!" }, SampleJsonContext.Default.JsonMessage);
    }

    // The body comes back as it came: with a length, or chunked if it was sent chunked.
    private static void EchoBody(HttpRequest request, HttpResponse response)
    {
        response.AddHeader("Content-Type"u8, request.Headers.TryGetValue("Content-Type"u8, out var type) ? type : "application/octet-stream"u8);
        if (request.Headers.Contains("Transfer-Encoding"u8)) { response.UseChunkedEncoding(); }
        response.Write(request.Body);
    }

    private static void EchoHeaders(HttpRequest request, HttpResponse response)
    {
        response.AddHeader("Content-Type"u8, "text/plain"u8);
        foreach (var header in request.Headers)
        {
            response.Write(header.Name);
            response.Write(": "u8);
            response.Write(header.Value);
            response.Write("\n"u8);
        }
    }

    private static void Text(HttpResponse response, ReadOnlySpan<byte> text)
    {
        response.AddHeader("Content-Type"u8, "text/plain"u8);
        response.Write(text);
    }
}
