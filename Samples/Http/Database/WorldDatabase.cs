using System.Data;
using System.Text;
using Npgsql;

namespace Loop.Samples.Http.Database;

/// <summary>
/// TechEmpower's hello_world database through raw Npgsql: one multiplexing data source, statements prepared
/// automatically on each physical connection (Max Auto Prepare), several SELECTs in one round trip as a batch,
/// and one UPDATE for all rows of an /updates request. Every method is asynchronous: nothing here blocks a thread.
/// </summary>
public sealed class WorldDatabase : IAsyncDisposable
{
    /// <summary>Rows in World; ids are 1 to this.</summary>
    public const int WorldRows = 10_000;

    /// <summary>Most rows one request may ask for.</summary>
    public const int MaxQueries = 500;

    private const string SelectWorld = "SELECT id, randomnumber FROM world WHERE id = $1";
    private readonly NpgsqlDataSource _source;
    private readonly string[] _updates = new string[MaxQueries + 1];

    private WorldDatabase(NpgsqlDataSource source) => _source = source;

    /// <summary>A random World id, 1 to 10,000.</summary>
    public static int RandomId() => Random.Shared.Next(1, WorldRows + 1);

    /// <summary><paramref name="count"/> random World ids.</summary>
    public static int[] RandomIds(int count)
    {
        var ids = new int[count];
        for (var i = 0; i < count; i++) { ids[i] = RandomId(); }
        return ids;
    }

    /// <summary><paramref name="count"/> distinct random World ids: each updated row is written once, and a response says what the table holds.</summary>
    public static int[] DistinctRandomIds(int count)
    {
        var ids = new HashSet<int>(count);
        while (ids.Count < count) { ids.Add(RandomId()); }
        return [.. ids];
    }

    /// <summary>Where the database is, for messages (host, port, database; never the password).</summary>
    public string Describe { get; private init; } = "";

    /// <summary>
    /// Connects to the database of <paramref name="connectionString"/> and checks its tables are there; throws
    /// <see cref="DatabaseUnavailableException"/> naming the database when it cannot.
    /// </summary>
    public static async Task<WorldDatabase> OpenAsync(string connectionString)
    {
        NpgsqlConnectionStringBuilder settings;
        try { settings = Settings(connectionString); }
        catch (ArgumentException e) { throw new DatabaseUnavailableException($"invalid database connection string: {e.Message}", e); }
        var database = new WorldDatabase(new NpgsqlDataSourceBuilder(settings.ConnectionString).Build())
        {
            Describe = $"{settings.Host}:{settings.Port}/{settings.Database}",
        };
        try
        {
            await using var command = database._source.CreateCommand("SELECT count(*) FROM world; SELECT count(*) FROM fortune");
            await command.ExecuteNonQueryAsync();
            return database;
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            await database.DisposeAsync();
            throw new DatabaseUnavailableException($"cannot reach the database {database.Describe}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The connection string with this sample's defaults where it says nothing: statements prepared automatically, no
    /// reset round trip on return to the pool, and multiplexing (each connection carries the queries of many requests,
    /// written together and answered in order: half the CPU per /db request in both servers, and PostgreSQL's
    /// less than half), as TechEmpower's ASP.NET entries run Npgsql.
    /// </summary>
    public static NpgsqlConnectionStringBuilder Settings(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Mentions("Auto Prepare")) { settings.MaxAutoPrepare = 20; }
        if (!Mentions("Reset")) { settings.NoResetOnClose = true; }
        if (!Mentions("Multiplexing")) { settings.Multiplexing = true; }
        return settings;

        bool Mentions(string setting) => connectionString.Contains(setting, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True for the failures that mean the database is unreachable or went away (not a bug here).</summary>
    public static bool IsUnavailable(Exception e) => e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException;

    /// <summary>One row.</summary>
    public async Task<World> LoadWorldAsync(int id)
    {
        await using var command = _source.CreateCommand(SelectWorld);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow);
        await reader.ReadAsync();
        return new World(reader.GetInt32(0), reader.GetInt32(1));
    }

    /// <summary>The rows of <paramref name="ids"/>, each by its own SELECT, all in one round trip.</summary>
    public async Task<World[]> LoadWorldsAsync(int[] ids)
    {
        await using var connection = await _source.OpenConnectionAsync();
        return await LoadWorldsAsync(connection, ids);
    }

    /// <summary>Reads the rows of <paramref name="ids"/> (distinct), gives each a new random number and writes them back.</summary>
    public async Task<World[]> UpdateWorldsAsync(int[] ids, Func<int> randomNumber)
    {
        await using var connection = await _source.OpenConnectionAsync();
        var worlds = await LoadWorldsAsync(connection, ids);
        await using var update = new NpgsqlCommand(UpdateSql(worlds.Length), connection);
        // Rows in id order: concurrent updates then take their row locks in the same order and cannot deadlock.
        Array.Sort(worlds, static (a, b) => a.Id.CompareTo(b.Id));
        for (var i = 0; i < worlds.Length; i++)
        {
            worlds[i] = worlds[i] with { RandomNumber = randomNumber() };
            update.Parameters.Add(new NpgsqlParameter<int> { TypedValue = worlds[i].Id });
            update.Parameters.Add(new NpgsqlParameter<int> { TypedValue = worlds[i].RandomNumber });
        }
        await update.ExecuteNonQueryAsync();
        return worlds;
    }

    /// <summary>Every fortune, in table order.</summary>
    public async Task<List<Fortune>> LoadFortunesAsync()
    {
        await using var command = _source.CreateCommand("SELECT id, message FROM fortune");
        await using var reader = await command.ExecuteReaderAsync();
        var fortunes = new List<Fortune>(16);
        while (await reader.ReadAsync()) { fortunes.Add(new Fortune(reader.GetInt32(0), reader.GetString(1))); }
        return fortunes;
    }

    /// <summary>The fortunes page's rows: every fortune, one added at request time, sorted by message.</summary>
    public async Task<List<Fortune>> LoadFortunesPageAsync()
    {
        var fortunes = await LoadFortunesAsync();
        fortunes.Add(new Fortune(0, "Additional fortune added at request time."));
        fortunes.Sort(static (a, b) => string.CompareOrdinal(a.Message, b.Message));
        return fortunes;
    }

    /// <summary>The whole World table, by id (index 0 unused), for the cache.</summary>
    public async Task<World[]> LoadAllWorldsAsync()
    {
        await using var command = _source.CreateCommand("SELECT id, randomnumber FROM world");
        await using var reader = await command.ExecuteReaderAsync();
        var worlds = new World[WorldRows + 1];
        while (await reader.ReadAsync())
        {
            var id = reader.GetInt32(0);
            if (id is >= 1 and <= WorldRows) { worlds[id] = new World(id, reader.GetInt32(1)); }
        }
        return worlds;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private static async Task<World[]> LoadWorldsAsync(NpgsqlConnection connection, int[] ids)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var id in ids)
        {
            var select = new NpgsqlBatchCommand(SelectWorld);
            select.Parameters.Add(new NpgsqlParameter<int> { TypedValue = id });
            batch.BatchCommands.Add(select);
        }
        await using var reader = await batch.ExecuteReaderAsync();
        var worlds = new World[ids.Length];
        for (var i = 0; i < worlds.Length; i++)
        {
            await reader.ReadAsync();
            worlds[i] = new World(reader.GetInt32(0), reader.GetInt32(1));
            await reader.NextResultAsync();
        }
        return worlds;
    }

    // UPDATE world SET randomnumber = v.r FROM (VALUES ($1, $2), ($3, $4), ...) AS v(id, r) WHERE world.id = v.id
    private string UpdateSql(int rows)
    {
        if (_updates[rows] is { } sql) { return sql; }
        var text = new StringBuilder("UPDATE world SET randomnumber = v.r FROM (VALUES ");
        for (var i = 0; i < rows; i++) { text.Append(i == 0 ? "" : ", ").Append($"(${2 * i + 1}::int, ${2 * i + 2}::int)"); }
        return _updates[rows] = text.Append(") AS v(id, r) WHERE world.id = v.id").ToString();
    }
}

/// <summary>The database could not be reached (at startup: the server exits 1 with this message).</summary>
public sealed class DatabaseUnavailableException(string message, Exception inner) : Exception(message, inner);
