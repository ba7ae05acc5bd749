using System.Text;
using System.Text.Json;
using Loop.IntegrationTests.Infrastructure;
using Npgsql;

namespace Loop.IntegrationTests.Http.Database;

/// <summary>TechEmpower's database routes against the real PostgreSQL: shapes, headers, clamping, escaping, writes.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DatabaseRouteTests
{
    [Theory]
    [MemberData(nameof(Postgres.Modes), MemberType = typeof(Postgres))]
    public async Task Db_answers_one_row_as_the_database_has_it(Backend backend, bool multiplexing)
    {
        await using var server = await Postgres.StartServerAsync(backend, multiplexing);
        using var connection = await RawHttpConnection.Open(server.Server.EndPoint);
        await connection.Send(Get("/db"));
        var response = await connection.ReadResponse();

        AssertHeaders(response, "application/json");
        var world = Worlds($"[{response.BodyText}]").Single();
        Assert.Equal((await Postgres.WorldAsync())[world.Id], world.RandomNumber);
        Assert.Matches("""^\{"id":\d+,"randomNumber":\d+\}$""", response.BodyText);
    }

    [Theory]
    [MemberData(nameof(Postgres.Modes), MemberType = typeof(Postgres))]
    public async Task Queries_answers_N_rows_with_N_clamped_to_1_to_500(Backend backend, bool multiplexing)
    {
        await using var server = await Postgres.StartServerAsync(backend, multiplexing);
        using var connection = await RawHttpConnection.Open(server.Server.EndPoint);
        var cases = new (string Query, int Rows)[] { ("?queries=20", 20), ("", 1), ("?queries=0", 1), ("?queries=-3", 1), ("?queries=abc", 1),
            ("?queries=", 1), ("?queries=501", 500), ("?queries=100000", 500), ("?other=1&queries=7", 7) };
        await connection.Send(string.Concat(cases.Select(c => Get("/queries" + c.Query))));
        var table = await Postgres.WorldAsync();
        foreach (var (query, rows) in cases)
        {
            var response = await connection.ReadResponse();
            AssertHeaders(response, "application/json");
            var worlds = Worlds(response.BodyText);
            Assert.True(rows == worlds.Length, $"/queries{query}: {worlds.Length} rows");
            Assert.All(worlds, w => Assert.Equal(table[w.Id], w.RandomNumber));
        }
    }

    [Theory]
    [MemberData(nameof(Postgres.Modes), MemberType = typeof(Postgres))]
    public async Task Fortunes_is_the_table_plus_one_sorted_and_escaped(Backend backend, bool multiplexing)
    {
        await using var server = await Postgres.StartServerAsync(backend, multiplexing);
        using var connection = await RawHttpConnection.Open(server.Server.EndPoint);
        await connection.Send(Get("/fortunes"));
        var response = await connection.ReadResponse();

        AssertHeaders(response, "text/html; charset=utf-8");
        var body = response.BodyText;
        Assert.StartsWith("<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>", body);
        Assert.EndsWith("</table></body></html>", body);
        Assert.Contains("<tr><td>11</td><td>&lt;script&gt;alert(&quot;This should not be displayed in a browser alert box.&quot;);&lt;/script&gt;</td></tr>", body);
        Assert.Contains("<tr><td>2</td><td>A computer scientist is someone who fixes things that aren&#39;t broken.</td></tr>", body);
        // The Japanese fortune as its UTF-8 bytes, not mangled or entity-encoded.
        var japanese = Encoding.UTF8.GetBytes("<tr><td>12</td><td>フレームワークのベンチマーク</td></tr>");
        Assert.True(response.Body.AsSpan().IndexOf(japanese) >= 0, "the Japanese fortune in UTF-8");
        Assert.DoesNotContain("<script>", body);

        // Every row of the table and the added one, in message order.
        var expected = new List<(int Id, string Message)> { (0, "Additional fortune added at request time.") };
        await using (var db = await Postgres.ConnectAsync())
        await using (var command = new NpgsqlCommand("SELECT id, message FROM fortune", db))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) { expected.Add((reader.GetInt32(0), reader.GetString(1))); }
        }
        expected.Sort((a, b) => string.CompareOrdinal(a.Message, b.Message));
        var rows = System.Text.RegularExpressions.Regex.Matches(body, "<tr><td>(\\d+)</td><td>(.*?)</td></tr>")
            .Select(m => (int.Parse(m.Groups[1].Value), System.Net.WebUtility.HtmlDecode(m.Groups[2].Value))).ToList();
        Assert.Equal(13, rows.Count);
        Assert.Equal(expected, rows);
    }

    [Theory]
    [MemberData(nameof(Postgres.Modes), MemberType = typeof(Postgres))]
    public async Task Updates_writes_new_random_numbers_that_another_connection_reads_back(Backend backend, bool multiplexing)
    {
        await using var server = await Postgres.StartServerAsync(backend, multiplexing);
        using var connection = await RawHttpConnection.Open(server.Server.EndPoint);
        var before = await Postgres.WorldAsync();
        await connection.Send(Get("/updates?queries=20") + Get("/updates?queries=0") + Get("/updates?queries=600"));
        var responses = new[] { await connection.ReadResponse(), await connection.ReadResponse(), await connection.ReadResponse() };
        var after = await Postgres.WorldAsync();

        foreach (var response in responses) { AssertHeaders(response, "application/json"); }
        var updated = responses.Select(r => Worlds(r.BodyText)).ToArray();
        Assert.Equal([20, 1, 500], updated.Select(u => u.Length));
        foreach (var worlds in updated)
        {
            Assert.Equal(worlds.Length, worlds.Select(w => w.Id).Distinct().Count());
            Assert.All(worlds, w => Assert.InRange(w.RandomNumber, 1, 10_000));
        }
        // What the last response says is what the table holds; rows no response names are untouched.
        var last = new Dictionary<int, int>();
        foreach (var world in updated.SelectMany(w => w)) { last[world.Id] = world.RandomNumber; }
        Assert.All(last, row => Assert.Equal(row.Value, after[row.Key]));
        Assert.All(before.Where(row => !last.ContainsKey(row.Key)), row => Assert.Equal(row.Value, after[row.Key]));
        // A new random number equals the old one once in 10,000: of 20, at most one may.
        Assert.True(updated[0].Count(w => before[w.Id] != after[w.Id]) >= 19, "the rows changed");
    }

    [Theory]
    [MemberData(nameof(Postgres.Modes), MemberType = typeof(Postgres))]
    public async Task Cached_queries_answers_N_rows_from_the_cache_with_N_clamped(Backend backend, bool multiplexing)
    {
        await using var server = await Postgres.StartServerAsync(backend, multiplexing);
        var table = await Postgres.WorldAsync();
        using var connection = await RawHttpConnection.Open(server.Server.EndPoint);
        await connection.Send(Get("/cached-queries?count=10") + Get("/cached-queries") + Get("/cached-queries?count=9999") + Get("/cached-queries?count=x"));

        foreach (var rows in new[] { 10, 1, 500, 1 })
        {
            var response = await connection.ReadResponse();
            AssertHeaders(response, "application/json");
            var worlds = Worlds(response.BodyText);
            Assert.Equal(rows, worlds.Length);
            Assert.All(worlds, w => Assert.Equal(table[w.Id], w.RandomNumber));
        }
    }

    [Theory]
    [MemberData(nameof(Postgres.Modes), MemberType = typeof(Postgres))]
    public async Task Pipelined_database_and_plain_requests_are_answered_in_order(Backend backend, bool multiplexing)
    {
        await using var server = await Postgres.StartServerAsync(backend, multiplexing);
        using var connection = await RawHttpConnection.Open(server.Server.EndPoint);
        var paths = new[] { "/db", "/plaintext", "/db", "/queries?queries=3", "/json", "/fortunes", "/plaintext", "/updates?queries=2", "/db", "/cached-queries?count=4" };
        var requests = new StringBuilder();
        for (var round = 0; round < 5; round++) { foreach (var path in paths) { requests.Append(Get(path)); } }
        await connection.Send(requests.ToString());

        for (var round = 0; round < 5; round++)
        {
            foreach (var path in paths)
            {
                var response = await connection.ReadResponse();
                Assert.Equal(200, response.Status);
                var body = response.BodyText;
                switch (path)
                {
                    case "/plaintext": Assert.Equal("Hello, World!", body); break;
                    case "/json": Assert.Equal("""{"message":"Hello, World!"}""", body); break;
                    case "/fortunes": Assert.StartsWith("<!DOCTYPE html>", body); break;
                    case "/db": Assert.Single(Worlds($"[{body}]")); break;
                    case "/queries?queries=3": Assert.Equal(3, Worlds(body).Length); break;
                    case "/updates?queries=2": Assert.Equal(2, Worlds(body).Length); break;
                    default: Assert.Equal(4, Worlds(body).Length); break;
                }
            }
        }
    }

    internal static string Get(string path) => $"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n";

    internal static (int Id, int RandomNumber)[] Worlds(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray().Select(w =>
        {
            Assert.Equal(["id", "randomNumber"], w.EnumerateObject().Select(p => p.Name));
            var world = (w.GetProperty("id").GetInt32(), w.GetProperty("randomNumber").GetInt32());
            Assert.InRange(world.Item1, 1, 10_000);
            return world;
        }).ToArray();
    }

    private static void AssertHeaders(RawResponse response, string contentType)
    {
        Assert.Equal(200, response.Status);
        Assert.Equal("Loop", response.Header("Server"));
        Assert.NotNull(response.Header("Date"));
        Assert.Equal(contentType, response.Header("Content-Type"));
        Assert.Equal(response.Body.Length.ToString(), response.Header("Content-Length"));
    }
}
