using System.Collections.Concurrent;
using System.Net;
using Loop.Samples.Redis.Server;
using StackExchange.Redis;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// The Redis sample running in this process on an ephemeral loopback port with two loops (or as many as asked),
/// and the clients connected to it: disposing closes the clients, then stops the server within <see cref="StartStop"/>.
/// </summary>
internal sealed class InProcessRedis : IAsyncDisposable
{
    public static readonly TimeSpan StartStop = TimeSpan.FromSeconds(10);

    /// <summary>Loops when a test does not ask: 2, or LOOP_REDIS_TEST_LOOPS (test.sh runs the Redis tests again with 1 and 4).</summary>
    public static int DefaultLoops { get; } = int.TryParse(Environment.GetEnvironmentVariable("LOOP_REDIS_TEST_LOOPS"), out var loops) ? loops : 2;

    private readonly ConcurrentBag<IDisposable> _clients = [];

    private readonly string? _ownDirectory;

    private InProcessRedis(RedisServer redis, Server server, string? ownDirectory)
    {
        Redis = redis;
        Server = server;
        _ownDirectory = ownDirectory;
        redis.RequestShutdown = () => ShutdownRequested.TrySetResult();
    }

    /// <summary>Completed when a SHUTDOWN asked the host to stop (this host leaves stopping to the test).</summary>
    public TaskCompletionSource ShutdownRequested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The keyspace, clients and counters the sessions share.</summary>
    public RedisServer Redis { get; }

    public Server Server { get; }

    public IPEndPoint EndPoint => Server.EndPoint;

    /// <summary>
    /// Starts a server as Program.cs does. <paramref name="activeExpiry"/> false leaves expired keys to be found
    /// only when touched. <paramref name="loops"/> is how many loops serve clients. Its dump.rdb lives in
    /// <paramref name="dir"/> (loaded at start, as Program.cs does), or a fresh directory removed at the end;
    /// <paramref name="save"/> are its save points (none unless asked); <paramref name="settings"/> other parameters,
    /// as given on the command line (appendonly yes loads and starts the append-only file, as Program.cs does).
    /// </summary>
    public static async Task<InProcessRedis> StartAsync(Backend backend, string? requirePass = null,
        long maxBulk = 512L * 1024 * 1024, bool activeExpiry = true, long maxOutputBytes = 64L * 1024 * 1024,
        long queryBufferLimit = RedisServerOptions.DefaultQueryBufferLimit, int? loops = null, string? dir = null, string save = "",
        params (string Name, string Value)[] settings)
    {
        var ownDirectory = dir is null ? Directory.CreateTempSubdirectory("loop-redis-").FullName : null;
        var redisOptions = new RedisServerOptions(0, "127.0.0.1", 16, requirePass, maxBulk, queryBufferLimit, dir ?? ownDirectory!, Save: save,
            Settings: settings);
        var redis = new RedisServer(redisOptions);
        redis.Aof.UseIoUring = backend == Backend.IoUring;
        if (redis.Config.Get("appendonly") == "yes") { redis.Aof.Start(); } else { redis.Persistence.Load(); }
        var options = new ServerOptions
        {
            BindAddress = IPAddress.Loopback,
            Port = 0,
            LoopCount = loops ?? DefaultLoops,
            Backend = backend,
            MaxOutputBytes = maxOutputBytes,
            OutputPauseBytes = Math.Min(1024 * 1024, maxOutputBytes),
        };
        redisOptions.ApplyTo(options);
        // Start blocks until every loop is up; run it aside so a loop that never starts fails the test.
        var server = await Task.Run(() => Server.Start(options, () => new Session(redis))).WaitAsync(StartStop);
        redis.Persistence.UseIoUring = backend == Backend.IoUring;
        redis.StartLoops(server);
        if (activeExpiry) { redis.StartActiveExpiry(server.Loops[0]); }
        redis.Persistence.StartSavePoints(server.Loops[0]);
        redis.StartNetworkStatistics(server);
        return new InProcessRedis(redis, server, ownDirectory);
    }

    /// <summary>A raw RESP connection that this server closes when disposed.</summary>
    public async Task<RespSocket> ConnectAsync(int? receiveBufferBytes = null)
    {
        var client = await RespSocket.ConnectAsync(EndPoint, receiveBufferBytes);
        _clients.Add(client);
        return client;
    }

    /// <summary>
    /// A StackExchange.Redis multiplexer for <c>127.0.0.1:port</c> plus <paramref name="options"/> (e.g.
    /// <c>,allowAdmin=true</c>), logging its handshake to <paramref name="log"/>.
    /// </summary>
    public async Task<ConnectionMultiplexer> ConnectMultiplexerAsync(string options = "", TextWriter? log = null)
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{EndPoint.Port}{options}", log).WaitAsync(StartStop);
        _clients.Add(multiplexer);
        return multiplexer;
    }

    /// <summary>The id of the loop serving <paramref name="client"/>, found through its CLIENT ID.</summary>
    public async Task<int> LoopOfAsync(RespSocket client)
    {
        var reply = await client.CommandAsync("CLIENT", "ID");
        Assert.StartsWith(":", reply);
        return Redis.Clients[long.Parse(reply.AsSpan(1).TrimEnd("\r\n"))].Client.Loop.Id;
    }

    /// <summary>A raw connection served by another loop than <paramref name="loopId"/> (any, when there is one loop).</summary>
    public Task<RespSocket> ConnectOnAnotherLoopAsync(int loopId) =>
        Server.Loops.Count == 1 ? ConnectAsync() : ConnectWhereAsync(loop => loop != loopId, $"off loop {loopId}");

    /// <summary>A raw connection served by loop <paramref name="loopId"/> (modulo the loops there are).</summary>
    public Task<RespSocket> ConnectOnLoopAsync(int loopId) =>
        ConnectWhereAsync(loop => loop == loopId % Server.Loops.Count, $"on loop {loopId % Server.Loops.Count}");

    /// <summary>A <see cref="RespClient"/> served by another loop than <paramref name="other"/>'s.</summary>
    public async Task<RespClient> ConnectClientOnAnotherLoopAsync(RespClient other) =>
        new(await ConnectOnAnotherLoopAsync(await LoopOfAsync(other.Socket)));

    /// <summary>
    /// <paramref name="count"/> clients dealt over <paramref name="loopIds"/> in turn (every loop when none are
    /// named): client i is served by loop <c>loopIds[i % loopIds.Length]</c>.
    /// </summary>
    public async Task<RespClient[]> ConnectClientsOverLoopsAsync(int count, params int[] loopIds)
    {
        if (loopIds.Length == 0) { loopIds = Enumerable.Range(0, Server.Loops.Count).ToArray(); }
        var clients = new RespClient[count];
        for (var i = 0; i < count; i++) { clients[i] = new RespClient(await ConnectOnLoopAsync(loopIds[i % loopIds.Length])); }
        return clients;
    }

    // The kernel spreads connections over the loops: connect until one lands where wanted.
    private async Task<RespSocket> ConnectWhereAsync(Func<int, bool> wanted, string where)
    {
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var client = await ConnectAsync();
            if (wanted(await LoopOfAsync(client))) { return client; }
            client.Dispose();
        }
        throw new InvalidOperationException($"No connection of 64 in a row landed {where}.");
    }

    /// <summary>Waits until <paramref name="count"/> clients are blocked, so that a write is known to find them waiting.</summary>
    public Task WaitForBlockedClientsAsync(int count) =>
        Eventually.HoldsAsync(() => Task.FromResult(BlockedClients() == count), $"{count} blocked clients");

    private int BlockedClients()
    {
        using (Redis.Keyspace.Lock.Exclusive()) { return Redis.Keyspace.Databases.Sum(db => db.BlockedClients); }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) { client.Dispose(); }
        Redis.Master?.Stop();
        await Server.StopAsync().WaitAsync(StartStop);
        await Task.Run(Redis.Persistence.WaitUntilIdle).WaitAsync(StartStop);
        Redis.Aof.Stop();
        if (_ownDirectory is not null) { Directory.Delete(_ownDirectory, recursive: true); }
    }
}
