using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Redis.ConcurrentClients;

namespace Loop.IntegrationTests.Redis;

/// <summary>Stream commands over the wire on every backend: automatic IDs, the stream's life as a key, COPY and snapshots.</summary>
public sealed class StreamTests
{
    private static object?[] Entry(string id, params string[] pairs) => [id, pairs];

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Automatic_ids_follow_the_clock_and_never_go_back(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var first = Assert.IsType<string>(await c.CallAsync("XADD", "s", "*", "f", "v"));
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var ms = long.Parse(first.Split('-')[0]);
        Assert.InRange(ms, before, after);
        Assert.Equal("0", first.Split('-')[1]);
        // A last ID in the future: automatic IDs continue from it rather than from the clock.
        Assert.Equal("OK", await c.CallAsync("XSETID", "s", "99999999999999-5"));
        Assert.Equal("99999999999999-6", await c.CallAsync("XADD", "s", "*", "f", "v"));
        Assert.Equal("99999999999999-7", await c.CallAsync("XADD", "s", "99999999999999-*", "f", "v"));
        Assert.Equal("100000000000000-0", await c.CallAsync("XADD", "s", "100000000000000-*", "f", "v"));
        Assert.Equal(4L, await c.CallAsync("XLEN", "s"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_stream_is_a_key_that_stays_when_emptied(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        Assert.Null(await c.CallAsync("XADD", "s", "NOMKSTREAM", "1-1", "f", "v"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "s"));
        Assert.Equal("1-1", await c.CallAsync("XADD", "s", "1-1", "f", "v"));
        Assert.Equal("stream", await c.CallAsync("TYPE", "s"));
        Assert.Equal("stream", await c.CallAsync("OBJECT", "ENCODING", "s"));
        Assert.Equal(1L, await c.CallAsync("XDEL", "s", "1-1"));
        Assert.Equal(1L, await c.CallAsync("EXISTS", "s"));
        Assert.Equal(0L, await c.CallAsync("XLEN", "s"));
        Assert.Equal(new RespError("ERR The ID specified in XADD is equal or smaller than the target stream top item"), await c.CallAsync("XADD", "s", "1-1", "f", "v"));
        await c.CallAsync("SET", "text", "x");
        Assert.Equal(RespError.WrongType, await c.CallAsync("XADD", "text", "*", "f", "v"));
        Assert.Equal(RespError.WrongType, await c.CallAsync("XRANGE", "text", "-", "+"));
        Assert.Equal(new object?[] { }, await c.CallAsync("XRANGE", "missing", "-", "+"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Copy_makes_an_independent_stream(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = await RespClient.ConnectAsync(redis.EndPoint);
        await c.CallAsync("XADD", "s", "1-1", "f", "v");
        await c.CallAsync("XADD", "s", "2-1", "f", "w");
        Assert.Equal(1L, await c.CallAsync("COPY", "s", "t"));
        Assert.Equal("3-0", await c.CallAsync("XADD", "t", "3", "g", "x"));
        Assert.Equal(1L, await c.CallAsync("XDEL", "t", "1-1"));
        Assert.Equal(new object?[] { Entry("1-1", "f", "v"), Entry("2-1", "f", "w") }, await c.CallAsync("XRANGE", "s", "-", "+"));
        Assert.Equal(new object?[] { Entry("2-1", "f", "w"), Entry("3-0", "g", "x") }, await c.CallAsync("XRANGE", "t", "-", "+"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_background_save_writes_the_stream_of_its_instant(Backend backend)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-stream-").FullName;
        await using (var server = await InProcessRedis.StartAsync(backend, dir: directory))
        {
            using var client = new RespClient(await server.ConnectAsync());
            for (var i = 1; i <= 300; i++) { client.Queue("XADD", "s", $"{i}-0", "n", $"{i}"); }
            await client.FlushAsync();
            for (var i = 1; i <= 300; i++) { await client.ReadAsync(); }
            // In one batch, so the writes land while the save is pending: the file has the stream as it was.
            var replies = await client.BatchAsync(["BGSAVE"], ["XADD", "s", "301-0", "n", "301"], ["XTRIM", "s", "MAXLEN", "10"]);
            Assert.Equal(["Background saving started", "301-0", 291L], replies);
            await WaitForBackgroundSaveAsync(client);
        }
        await using var restarted = await InProcessRedis.StartAsync(backend, dir: directory);
        using var again = new RespClient(await restarted.ConnectAsync());
        Assert.Equal(300L, await again.CallAsync("XLEN", "s"));
        Assert.Equal(new object?[] { Entry("300-0", "n", "300") }, await again.CallAsync("XREVRANGE", "s", "+", "-", "COUNT", "1"));
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Xread_reads_several_streams_from_clients_on_other_loops(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var writer = new RespClient(await redis.ConnectAsync());
        using var reader = await redis.ConnectClientOnAnotherLoopAsync(writer);
        await writer.CallAsync("XADD", "a", "1-0", "f", "1");
        await writer.CallAsync("XADD", "a", "2-0", "f", "2");
        await writer.CallAsync("XADD", "b", "5-0", "g", "5");
        Assert.Equal(new object?[] { new object?[] { "a", new object?[] { Entry("2-0", "f", "2") } }, new object?[] { "b", new object?[] { Entry("5-0", "g", "5") } } },
            await reader.CallAsync("XREAD", "COUNT", "1", "STREAMS", "a", "b", "1-0", "0"));
        Assert.Null(await reader.CallAsync("XREAD", "STREAMS", "a", "b", "$", "$"));
        Assert.Equal(new RespError("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."),
            await reader.CallAsync("XREAD", "STREAMS", "a", "b", "0"));
    }
}
