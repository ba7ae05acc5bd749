using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>HELLO switches a connection between RESP2 and RESP3, and replies change shape as Redis's do.</summary>
public sealed class Resp3Tests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Hello_3_answers_a_map_describing_the_server(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        var id = (await client.CommandAsync("CLIENT", "ID")).Trim();
        Assert.Equal(
            "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n" +
            $"$2\r\nid\r\n{id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
            await client.CommandAsync("HELLO", "3"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Replies_take_their_resp3_shape_after_hello_3_and_their_resp2_shape_after_hello_2(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.StartsWith("%7\r\n", await client.CommandAsync("HELLO", "3"));
        Assert.Equal("_\r\n", await client.CommandAsync("GET", "missing"));
        Assert.Equal("%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", await client.CommandAsync("CONFIG", "GET", "maxmemory"));
        // Redis answers INCRBYFLOAT with a bulk string in RESP3 too.
        Assert.Equal("$3\r\n1.5\r\n", await client.CommandAsync("INCRBYFLOAT", "f", "1.5"));
        Assert.StartsWith("*14\r\n", await client.CommandAsync("HELLO", "2"));
        Assert.Equal("$-1\r\n", await client.CommandAsync("GET", "missing"));
        Assert.Equal("*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", await client.CommandAsync("CONFIG", "GET", "maxmemory"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Hello_refuses_unknown_protocol_versions(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("-NOPROTO unsupported protocol version\r\n", await client.CommandAsync("HELLO", "4"));
        Assert.Equal("-ERR Protocol version is not an integer or out of range\r\n", await client.CommandAsync("HELLO", "three"));
        Assert.Equal("$-1\r\n", await client.CommandAsync("GET", "missing"));
    }
}
