using System.Diagnostics;
using Loop.IntegrationTests.Deployment;
using Loop.IntegrationTests.Infrastructure;
using Loop.Protocols.Http;
using Loop.Samples.Http;
using Loop.Samples.Http.Database;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Loop.IntegrationTests.Http.Database;

/// <summary>The database tests share one PostgreSQL server and run one at a time (one of them stops it).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<Postgres>
{
    public const string Name = "PostgreSQL";
}

/// <summary>
/// The PostgreSQL server of scripts/postgres.sh (test.sh starts it; this starts it too when run alone, which does
/// nothing when it runs already), and what the tests read of its hello_world database through their own connection.
/// </summary>
public sealed class Postgres : IAsyncLifetime
{
    public static readonly string Port = Environment.GetEnvironmentVariable("LOOP_PG_PORT") ?? "5433";

    private static readonly string Database = $"Host=127.0.0.1;Port={Port};Database=hello_world;Username=benchmarkdbuser;Password=benchmarkdbpass;Timeout=5";

    public const int MaxPoolSize = 16;

    /// <summary>Every backend, with Npgsql multiplexing off and on (the sample's server runs either way).</summary>
    public static TheoryData<Backend, bool> Modes
    {
        get
        {
            var modes = new TheoryData<Backend, bool>();
            foreach (var backend in Backends.Concrete) { modes.Add(backend, false); modes.Add(backend, true); }
            return modes;
        }
    }

    /// <summary>The sample's connection string; a bounded pool, so that leaked connections would show.</summary>
    public static string ServerConnectionString(bool multiplexing) =>
        $"{Database};Maximum Pool Size={MaxPoolSize};Multiplexing={multiplexing}";

    public Task InitializeAsync() => Script("start");

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Runs scripts/postgres.sh <paramref name="command"/> (start, halt), failing the test if it fails.</summary>
    public static async Task Script(string command)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, "scripts", "postgres.sh"));
        info.ArgumentList.Add(command);
        info.Environment["LOOP_PG_PORT"] = Port;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(process.ExitCode == 0, $"scripts/postgres.sh {command} failed: {await output}{await errors}");
    }

    /// <summary>A connection of the test's own, outside the server's pool.</summary>
    public static async Task<NpgsqlConnection> ConnectAsync()
    {
        var connection = new NpgsqlConnection(Database + ";Pooling=false");
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The whole World table as the database has it now: randomNumber by id.</summary>
    public static async Task<Dictionary<int, int>> WorldAsync()
    {
        await using var connection = await ConnectAsync();
        await using var command = new NpgsqlCommand("SELECT id, randomnumber FROM world", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<int, int>();
        while (await reader.ReadAsync()) { rows[reader.GetInt32(0)] = reader.GetInt32(1); }
        return rows;
    }

    /// <summary>How many sessions the sample's user has open on the server.</summary>
    public static async Task<long> SessionsAsync()
    {
        await using var connection = await ConnectAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = 'benchmarkdbuser' AND pid <> pg_backend_pid()", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>An HTTP server with the sample's routes and its database routes, on <paramref name="backend"/>.</summary>
    public static async Task<DatabaseServer> StartServerAsync(Backend backend, bool multiplexing, ILoggerFactory? log = null)
    {
        var database = await WorldDatabase.OpenAsync(ServerConnectionString(multiplexing));
        var cache = new WorldCache(await database.LoadAllWorldsAsync());
        var logger = (log ?? NullLoggerFactory.Instance).CreateLogger("Loop.Http.Database");
        var routes = new DatabaseRoutes(database, cache, new Lazy<ILogger>(logger));
        return new DatabaseServer(HttpTestServer.Start(backend, router: SampleRoutes.Create(routes), log: log), database);
    }
}

/// <summary>A server and the database it owns: disposing (once; again does nothing) stops the one and closes the other's pool.</summary>
public sealed class DatabaseServer(Server server, WorldDatabase database) : IAsyncDisposable
{
    private bool _disposed;

    public Server Server => server;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) { return; }
        _disposed = true;
        await server.DisposeAsync();
        await database.DisposeAsync();
    }
}
