using Loop.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace Loop.IntegrationTests.Redis;

/// <summary>StackExchange.Redis, with its default options, uses the sample as it uses Redis.</summary>
public sealed class StackExchangeTests
{
    public static TheoryData<Backend, string> BackendsAndProtocols()
    {
        var data = new TheoryData<Backend, string>();
        foreach (Backend backend in Backends.All) { data.Add(backend, ""); data.Add(backend, ",protocol=resp2"); }
        return data;
    }

    [Theory]
    [MemberData(nameof(BackendsAndProtocols))]
    public async Task Connects_as_to_a_standalone_redis_without_an_error_in_its_log(Backend backend, string options)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var log = new StringWriter();
        var multiplexer = await redis.ConnectMultiplexerAsync(options, log);
        var errors = new List<string>();
        multiplexer.ErrorMessage += (_, e) => { lock (errors) { errors.Add(e.Message); } };

        Assert.True(multiplexer.IsConnected, log.ToString());
        var server = multiplexer.GetServer(multiplexer.GetEndPoints().Single());
        Assert.Equal(ServerType.Standalone, server.ServerType);
        Assert.Equal(new Version(7, 0, 15), server.Version);
        Assert.Equal(options == "" ? RedisProtocol.Resp3 : RedisProtocol.Resp2, server.Protocol);
        Assert.DoesNotMatch("(?i)error|failed|exception|unknown command|NOAUTH", log.ToString());
        var db = multiplexer.GetDatabase();
        Assert.True(await db.StringSetAsync("k", "v"));
        Assert.Equal("v", await db.StringGetAsync("k"));
        Assert.True((await db.PingAsync()) < TimeSpan.FromSeconds(5));
        Assert.Empty(errors);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task String_operations(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var db = (await redis.ConnectMultiplexerAsync()).GetDatabase();
        Assert.True(await db.StringSetAsync("s", "Hello"));
        Assert.False(await db.StringSetAsync("s", "other", when: When.NotExists));
        Assert.False(await db.StringSetAsync("missing", "x", when: When.Exists));
        Assert.Equal(11, await db.StringAppendAsync("s", " World"));
        Assert.Equal("World", await db.StringGetRangeAsync("s", 6, -1));
        Assert.Equal(11, await db.StringLengthAsync("s"));
        Assert.Equal("Hello World", await db.StringGetSetAsync("s", "new"));
        Assert.Equal("new", await db.StringGetDeleteAsync("s"));
        Assert.True((await db.StringGetAsync("s")).IsNull);

        Assert.Equal(5, await db.StringIncrementAsync("n", 5));
        Assert.Equal(3, await db.StringDecrementAsync("n", 2));
        Assert.Equal(3.5, await db.StringIncrementAsync("n", 0.5));
        await Assert.ThrowsAsync<RedisServerException>(() => db.StringIncrementAsync("n"));

        Assert.True(await db.StringSetAsync([new("a", "1"), new("b", "2")]));
        Assert.Equal(["1", null, "2"], (await db.StringGetAsync(["a", "nope", "b"])).Select(v => (string?)v));
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Assert.True(await db.StringSetAsync("binary", bytes));
        Assert.Equal(bytes, (byte[]?)await db.StringGetAsync("binary"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Key_operations(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var db = (await redis.ConnectMultiplexerAsync()).GetDatabase();
        await db.StringSetAsync([new("a", "1"), new("b", "2"), new("c", "3")]);
        Assert.True(await db.KeyExistsAsync("a"));
        Assert.Equal(2, await db.KeyExistsAsync(["a", "b", "nope"]));
        Assert.Equal(RedisType.String, await db.KeyTypeAsync("a"));
        Assert.Equal(RedisType.None, await db.KeyTypeAsync("nope"));
        Assert.True(await db.KeyRenameAsync("a", "renamed"));
        Assert.False(await db.KeyRenameAsync("b", "c", When.NotExists));
        Assert.True(await db.KeyCopyAsync("renamed", "copy"));
        Assert.True(await db.KeyMoveAsync("copy", 2));
        Assert.Equal("1", await db.Multiplexer.GetDatabase(2).StringGetAsync("copy"));
        Assert.True(await db.KeyDeleteAsync("renamed"));
        Assert.Equal(2, await db.KeyDeleteAsync(["b", "c", "nope"]));
        Assert.False(await db.KeyDeleteAsync("renamed"));
        Assert.Null((string?)await db.KeyRandomAsync());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Expiry(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var db = (await redis.ConnectMultiplexerAsync()).GetDatabase();
        Assert.True(await db.StringSetAsync("k", "v", TimeSpan.FromSeconds(100)));
        Assert.InRange((await db.KeyTimeToLiveAsync("k"))!.Value, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(100));
        Assert.False(await db.KeyExpireAsync("k", TimeSpan.FromSeconds(50), ExpireWhen.GreaterThanCurrentExpiry));
        Assert.True(await db.KeyExpireAsync("k", TimeSpan.FromSeconds(50), ExpireWhen.LessThanCurrentExpiry));
        Assert.InRange((await db.KeyTimeToLiveAsync("k"))!.Value, TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(50));
        var at = DateTime.UtcNow.AddHours(1);
        Assert.True(await db.KeyExpireAsync("k", at));
        Assert.InRange((await db.KeyExpireTimeAsync("k"))!.Value, at.AddSeconds(-2), at.AddSeconds(1));
        Assert.True(await db.KeyPersistAsync("k"));
        Assert.Null(await db.KeyTimeToLiveAsync("k"));
        Assert.False(await db.KeyExpireAsync("missing", TimeSpan.FromSeconds(1)));

        Assert.True(await db.StringSetAsync("short", "v", TimeSpan.FromMilliseconds(50)));
        await Eventually.HoldsAsync(async () => !await db.KeyExistsAsync("short"), "a 50 ms key to expire");
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Each_database_number_is_its_own_keyspace(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var multiplexer = await redis.ConnectMultiplexerAsync();
        Assert.True(await multiplexer.GetDatabase(3).StringSetAsync("k", "three"));
        Assert.True(await multiplexer.GetDatabase(0).StringSetAsync("k", "zero"));
        Assert.Equal("three", await multiplexer.GetDatabase(3).StringGetAsync("k"));
        Assert.Equal("zero", await multiplexer.GetDatabase().StringGetAsync("k"));
        Assert.True((await multiplexer.GetDatabase(15).StringGetAsync("k")).IsNull);
    }
}
