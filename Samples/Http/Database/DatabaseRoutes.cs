using Loop.Protocols.Http;
using Microsoft.Extensions.Logging;

namespace Loop.Samples.Http.Database;

/// <summary>
/// TechEmpower's database tests: <c>/db</c>, <c>/queries?queries=N</c>, <c>/fortunes</c>, <c>/updates?queries=N</c>
/// and <c>/cached-queries?count=N</c>. Each defers its response, runs the query on Npgsql without blocking the loop,
/// and writes the response back on the loop when the rows are in. A failed query is answered 500 and logged at
/// most once a second; the pool reconnects by itself once the database is back.
/// </summary>
public sealed class DatabaseRoutes(WorldDatabase database, WorldCache cache, Lazy<ILogger> logger)
{
    private long _lastFailureLogged = long.MinValue / 2;

    /// <summary>Adds the routes to <paramref name="router"/>.</summary>
    public HttpRouter MapTo(HttpRouter router) => router
        .MapGet("/db", (_, response) => Answer(response.Defer(), database.LoadWorldAsync(WorldDatabase.RandomId()), WriteWorld))
        .MapGet("/queries", (request, response) =>
            Answer(response.Defer(), database.LoadWorldsAsync(WorldDatabase.RandomIds(QueryCount.Parse(request.Query, "queries"u8))), WriteWorlds))
        .MapGet("/updates", (request, response) =>
            Answer(response.Defer(), database.UpdateWorldsAsync(WorldDatabase.DistinctRandomIds(QueryCount.Parse(request.Query, "queries"u8)), WorldDatabase.RandomId), WriteWorlds))
        .MapGet("/fortunes", (_, response) => Answer(response.Defer(), database.LoadFortunesPageAsync(), WriteFortunes))
        .MapGet("/cached-queries", (request, response) => WriteWorlds(response, cache.Random(QueryCount.Parse(request.Query, "count"u8))));

    private void Answer<T>(HttpDeferredResponse later, Task<T> query, Action<HttpResponse, T> write) => _ = CompleteAsync(later, query, write);

    // Never throws: whatever the query comes to, the deferred response is completed.
    private async Task CompleteAsync<T>(HttpDeferredResponse later, Task<T> query, Action<HttpResponse, T> write)
    {
        try { later.Complete(write, await query); }
        catch (Exception e)
        {
            LogFailure(e);
            later.Complete(static (response, _) =>
            {
                response.StatusCode = 500;
                response.AddHeader("Content-Type"u8, "text/plain"u8);
                response.Write("Database unavailable"u8);
            }, 0);
        }
    }

    private void LogFailure(Exception e)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastFailureLogged);
        if (now - last < 1000 || Interlocked.CompareExchange(ref _lastFailureLogged, now, last) != last) { return; }
        if (WorldDatabase.IsUnavailable(e))
        {
            logger.Value.LogError("Database {Database} unavailable, answering 500 (logged at most once a second): {Message}", database.Describe, e.Message);
        }
        else { logger.Value.LogError(e, "Database query failed, answering 500 (logged at most once a second)"); }
    }

    private static void WriteWorld(HttpResponse response, World world)
    {
        response.AddHeader("Content-Type"u8, "application/json"u8);
        var json = JsonWriterState.For(response);
        WriteWorld(json, world);
        json.Flush();
    }

    private static void WriteWorlds(HttpResponse response, World[] worlds)
    {
        response.AddHeader("Content-Type"u8, "application/json"u8);
        var json = JsonWriterState.For(response);
        json.WriteStartArray();
        foreach (var world in worlds) { WriteWorld(json, world); }
        json.WriteEndArray();
        json.Flush();
    }

    private static void WriteWorld(System.Text.Json.Utf8JsonWriter json, World world)
    {
        json.WriteStartObject();
        json.WriteNumber("id"u8, world.Id);
        json.WriteNumber("randomNumber"u8, world.RandomNumber);
        json.WriteEndObject();
    }

    private static void WriteFortunes(HttpResponse response, List<Fortune> fortunes)
    {
        response.AddHeader("Content-Type"u8, "text/html; charset=utf-8"u8);
        FortunesPage.Write(response, fortunes);
    }
}
