using Loop.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace Loop.IntegrationTests.Redis;

/// <summary>StackExchange.Redis's IServer: INFO, CONFIG, DBSIZE, TIME and key enumeration through SCAN.</summary>
public sealed class StackExchangeServerTests
{
    // INFO, CONFIG and FLUSHDB are admin commands StackExchange.Redis refuses to send without allowAdmin.
    private const string AllowAdmin = ",allowAdmin=true";

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Info_config_dbsize_and_time(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var multiplexer = await redis.ConnectMultiplexerAsync(AllowAdmin);
        var server = multiplexer.GetServer(multiplexer.GetEndPoints().Single());
        await multiplexer.GetDatabase(3).StringSetAsync("k", "v", TimeSpan.FromMinutes(1));

        var info = await server.InfoAsync();
        Assert.Equal("7.0.15", info.Single(g => g.Key == "Server").Single(p => p.Key == "redis_version").Value);
        var keyspace = Assert.Single(await server.InfoAsync("keyspace"));
        Assert.StartsWith("keys=1,expires=1,", keyspace.Single(p => p.Key == "db3").Value);

        Assert.Equal("16", Assert.Single(await server.ConfigGetAsync("databases")).Value);
        Assert.Contains(await server.ConfigGetAsync("maxmemory*"), p => p.Key == "maxmemory-policy" && p.Value == "noeviction");

        Assert.Equal(1, await server.DatabaseSizeAsync(3));
        Assert.Equal(0, await server.DatabaseSizeAsync(0));
        Assert.InRange(await server.TimeAsync(), DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        await server.FlushDatabaseAsync(3);
        Assert.Equal(0, await server.DatabaseSizeAsync(3));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Keys_enumerates_through_scan_pages_and_matches_the_pattern(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var multiplexer = await redis.ConnectMultiplexerAsync();
        var server = multiplexer.GetServer(multiplexer.GetEndPoints().Single());
        var db = multiplexer.GetDatabase(5);
        var users = Enumerable.Range(0, 120).Select(i => $"user:{i}").ToHashSet();
        await Task.WhenAll(users.Append("other").Select(k => db.StringSetAsync(k, "v")));

        var found = new List<string>();
        await foreach (var key in server.KeysAsync(database: 5, pattern: "user:*", pageSize: 10)) { found.Add(key!); }
        Assert.Equal(users.Order(), found.Order());
        Assert.Equal(121, server.Keys(database: 5, pageSize: 7).Count());
        Assert.Empty(server.Keys(database: 6));
    }
}
