using System.Diagnostics;
using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;
using Npgsql;

namespace Loop.IntegrationTests.Http.Database;

/// <summary>
/// What the database routes do when things go wrong: a client that leaves while its query runs, the database
/// stopped and started again under load, and a database that is not there at startup.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DatabaseOutageTests
{
    [Theory]
    [MemberData(nameof(Postgres.Modes), MemberType = typeof(Postgres))]
    public async Task A_client_gone_while_its_query_runs_leaves_the_server_and_the_reused_slot_sound(Backend backend, bool multiplexing)
    {
        await using var server = await Postgres.StartServerAsync(backend, multiplexing);
        // The test holds the World table: the server's UPDATE waits until the test lets go.
        await using var holder = await Postgres.ConnectAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE world IN EXCLUSIVE MODE", holder, transaction)) { await lockTable.ExecuteNonQueryAsync(); }

        using (var gone = await RawHttpConnection.Open(server.Server.EndPoint))
        {
            await gone.Send(DatabaseRouteTests.Get("/updates?queries=5"));
            Assert.True(await Polling.Eventually(UpdateWaitingForLock), "the server's UPDATE waits for the lock");
        }
        await Wait.Until(() => server.Server.Statistics.Closed == 1, "the gone client's connection to be released");

        using var next = await RawHttpConnection.Open(server.Server.EndPoint);
        await next.Send(DatabaseRouteTests.Get("/db") + DatabaseRouteTests.Get("/plaintext"));
        Assert.Single(DatabaseRouteTests.Worlds($"[{(await next.ReadResponse()).BodyText}]"));
        Assert.Equal("Hello, World!", (await next.ReadResponse()).BodyText);

        // The UPDATE completes now, for a connection that is gone: its 5 rows must not reach the next client.
        await transaction.CommitAsync();
        Assert.True(await Polling.Eventually(async () => !await UpdateWaitingForLock()), "the server's UPDATE finished");
        await next.Send(DatabaseRouteTests.Get("/queries?queries=2") + DatabaseRouteTests.Get("/plaintext"));
        Assert.Equal(2, DatabaseRouteTests.Worlds((await next.ReadResponse()).BodyText).Length);
        Assert.Equal("Hello, World!", (await next.ReadResponse()).BodyText);
        Assert.Equal(1, server.Server.Statistics.Connections);
    }

    [Theory]
    [MemberData(nameof(Postgres.Modes), MemberType = typeof(Postgres))]
    public async Task The_database_stopped_under_load_gives_500s_then_the_server_recovers_without_leaking_connections(Backend backend, bool multiplexing)
    {
        var log = new CapturingLogger();
        await using var server = await Postgres.StartServerAsync(backend, multiplexing, log);
        using var client = HttpTestServer.Client(server.Server);
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.GetAsync("/db");
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            }
        })).ToArray();
        try
        {
            await Wait.Until(() => statuses.GetValueOrDefault(200) > 50, "the load to be answered");
            var outage = Stopwatch.StartNew();
            await Postgres.Script("halt");
            try { await Wait.Until(() => statuses.GetValueOrDefault(500) > 20, "500s while the database is down", seconds: 30); }
            finally { await Postgres.Script("start"); }
            var answered = statuses.GetValueOrDefault(200);
            await Wait.Until(() => statuses.GetValueOrDefault(200) > answered + 50, "200s again once the database is back", seconds: 30);
            outage.Stop();

            Assert.All(statuses.Keys, status => Assert.Contains(status, new[] { 200, 500 }));
            // Logged at most once a second.
            var failures = log.Lines.Count(l => l.Contains("unavailable"));
            Assert.InRange(failures, 1, (int)outage.Elapsed.TotalSeconds + 1);
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(load);
        }
        Assert.InRange(await Postgres.SessionsAsync(), 1, Postgres.MaxPoolSize);
        // Every session the server opened, before and after the outage, ends with its pool.
        await server.DisposeAsync();
        Assert.True(await Polling.Eventually(async () => await Postgres.SessionsAsync() == 0), "the server's sessions ended");
    }

    [Fact]
    public async Task A_database_not_there_at_startup_is_a_clear_error_and_exit_1()
    {
        using var process = SampleProcess.Start("Http", "loop-http", new Dictionary<string, string>
        {
            ["Loop__Database"] = "Host=127.0.0.1;Port=1;Database=hello_world;Username=benchmarkdbuser;Password=benchmarkdbpass;Timeout=5",
        }, "--port", "0");
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, process.ExitCode);
        var message = await errors;
        Assert.Contains("cannot reach the database 127.0.0.1:1/hello_world", message);
        Assert.Contains("Loop:Database", message);
    }

    private static async Task<bool> UpdateWaitingForLock()
    {
        await using var connection = await Postgres.ConnectAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = 'benchmarkdbuser' AND wait_event_type = 'Lock' AND query LIKE 'UPDATE world%'", connection);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }
}
