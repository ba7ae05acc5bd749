using Loop.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace Loop.IntegrationTests.Redis;

/// <summary>With requirepass set, a connection must authenticate (AUTH or HELLO ... AUTH) before anything else.</summary>
public sealed class AuthTests
{
    private const string Password = "s3cret";
    private const string NoAuth = "-NOAUTH Authentication required.\r\n";
    private const string WrongPass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Every_command_but_auth_hello_and_quit_answers_noauth_until_authenticated(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, requirePass: Password);
        using var client = await redis.ConnectAsync();
        foreach (var command in new[] { "PING", "GET k", "SET k v", "SELECT 1", "INFO", "CONFIG GET maxmemory", "CLIENT LIST", "CLIENT ID", "CLIENT SETNAME x", "MULTI", "DBSIZE" })
        {
            Assert.Equal(NoAuth, await client.InlineAsync(command));
        }
        // Unknown commands and wrong arity are reported first, as Redis does.
        Assert.StartsWith("-ERR unknown command 'FOO'", await client.InlineAsync("FOO"));
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", await client.InlineAsync("GET"));
        Assert.Equal("+OK\r\n", await client.InlineAsync("QUIT"));
        Assert.Equal("", await client.ReadToEndAsync());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Auth_refuses_a_wrong_password_and_accepts_the_right_one_with_or_without_user(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, requirePass: Password);
        using var client = await redis.ConnectAsync();
        Assert.Equal(WrongPass, await client.CommandAsync("AUTH", "wrong"));
        Assert.Equal(WrongPass, await client.CommandAsync("AUTH", "someone", Password));
        Assert.Equal(NoAuth, await client.CommandAsync("GET", "k"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("AUTH", Password));
        Assert.Equal("$-1\r\n", await client.CommandAsync("GET", "k"));

        using var other = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await other.CommandAsync("AUTH", "default", Password));
        Assert.Equal("+PONG\r\n", await other.CommandAsync("PING"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Hello_3_with_auth_authenticates_and_switches_protocol_at_once(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, requirePass: Password);
        using var client = await redis.ConnectAsync();
        Assert.StartsWith("-NOAUTH HELLO must be called with the client already authenticated", await client.CommandAsync("HELLO", "3"));
        Assert.Equal(WrongPass, await client.CommandAsync("HELLO", "3", "AUTH", "default", "wrong"));
        Assert.Equal(NoAuth, await client.CommandAsync("GET", "k"));
        Assert.StartsWith("%7\r\n$6\r\nserver\r\n", await client.CommandAsync("HELLO", "3", "AUTH", "default", Password));
        Assert.Equal("_\r\n", await client.CommandAsync("GET", "k"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Auth_without_a_configured_password_is_an_error(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n",
            await client.CommandAsync("AUTH", "x"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task StackExchange_redis_connects_with_the_password(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, requirePass: Password);
        var multiplexer = await redis.ConnectMultiplexerAsync($",password={Password}");
        var db = multiplexer.GetDatabase();
        await db.StringSetAsync("k", "v");
        Assert.Equal("v", await db.StringGetAsync("k"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task StackExchange_redis_without_the_password_fails_to_connect(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, requirePass: Password);
        await Assert.ThrowsAsync<RedisConnectionException>(() => redis.ConnectMultiplexerAsync(",connectTimeout=2000"));
    }
}
