using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

public sealed partial class ReplicationTests
{
    private const int LoadClients = 6, LoadBatches = 300;
    private const int ShortTtlMs = 300; // the load's short deadlines have all passed this long after it ends

    /// <summary>
    /// The three ways the keyspace's changes leave the server must agree, whatever the interleaving: seeded clients on
    /// every loop write at once (transactions, scripts, expiries and the failures that follow them, blocking pops
    /// served by pushes, SWAPDB, RESTORE with deadlines), and then a redis-server replica, this server, and this
    /// server restarted from its append-only file hold the same keys, and the replica never refused a command of the
    /// stream (an error there means the stream says what did not happen).
    /// </summary>
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_concurrent_write_load_leaves_the_replica_and_the_append_only_file_with_the_same_keys(Backend backend)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-load-").FullName;
        (string, string)[] aof = [("appendonly", "yes"), ("appendfsync", "everysec")];
        string[] replicated;
        await using (var master = await InProcessRedis.StartAsync(backend, dir: directory, settings: aof))
        {
            using var client = new RespClient(await master.ConnectAsync());
            await RedisContent.RunAsync(client, [["RPUSH", "source", "a", "b"], ["SADD", "source-set", "1", "x"]]);
            string[] payloads = [Assert.IsType<string>(await client.CallAsync("DUMP", "source")), Assert.IsType<string>(await client.CallAsync("DUMP", "source-set"))];
            await using var replica = await RealRedis.StartAsync(null, "--replicaof", "127.0.0.1", master.EndPoint.Port.ToString());
            using var replicaClient = await replica.ConnectAsync();
            await InSyncAsync(client, replicaClient);

            var clients = await master.ConnectClientsOverLoopsAsync(LoadClients);
            await Task.WhenAll(clients.Select((c, i) => RunLoadAsync(c, new WriteLoad(new Random(i), payloads))));
            await ConcurrentClients.WaitForServerClockAsync(client, await ConcurrentClients.ServerMillisecondsAsync(client) + ShortTtlMs);
            await InSyncAsync(client, replicaClient);

            replicated = await AllKeysAsync(replicaClient);
            Assert.Equal(replicated, await AllKeysAsync(client));
            Assert.Equal("0", Field((string)(await replicaClient.CallAsync("INFO", "stats"))!, "total_error_replies"));
            foreach (var c in clients) { c.Dispose(); }
        }
        await using var restarted = await InProcessRedis.StartAsync(backend, dir: directory, settings: aof);
        using var reader = new RespClient(await restarted.ConnectAsync());
        Assert.Equal(replicated, await AllKeysAsync(reader));
        Directory.Delete(directory, recursive: true);
    }

    private static async Task RunLoadAsync(RespClient client, WriteLoad load)
    {
        for (var batch = 0; batch < LoadBatches; batch++)
        {
            var commands = load.Batch();
            foreach (var command in commands) { client.Queue(command); }
            await client.FlushAsync();
            foreach (var _ in commands) { await client.ReadAsync(); } // errors included: WRONGTYPE and the like are part of the load
        }
    }

    // Every key of databases 0 to 2 with its type, content and deadline.
    private static async Task<string[]> AllKeysAsync(RespClient client)
    {
        var all = new List<string>();
        for (var db = 0; db < 3; db++)
        {
            await client.CallAsync("SELECT", $"{db}");
            var keys = ((object?[])(await client.CallAsync("KEYS", "*"))!).Cast<string>().Order(StringComparer.Ordinal);
            foreach (var key in keys) { all.Add($"{db} {await ReadAsync(client, key)}"); }
        }
        await client.CallAsync("SELECT", "0");
        return [.. all];
    }

    /// <summary>One client's seeded writes over a few shared keys, so that types collide and loops race on keys.</summary>
    private sealed class WriteLoad(Random random, string[] payloads)
    {
        public List<string[]> Batch()
        {
            var batch = new List<string[]>();
            for (var n = random.Next(1, 16); n > 0; n--)
            {
                if (random.Next(20) == 0)
                {
                    batch.Add(["MULTI"]);
                    for (var i = random.Next(2, 4); i > 0; i--) { batch.Add(Command()); }
                    batch.Add(["EXEC"]);
                }
                else { batch.Add(Command()); }
            }
            if (random.Next(30) == 0) { batch.Add(Pick<string[]>(["BLPOP", Key(), "0.02"], ["BLMOVE", Key(), Key(), "LEFT", "RIGHT", "0.02"], ["BZPOPMIN", Key(), "0.02"])); }
            return batch;
        }

        private string[] Command()
        {
            var (k, k2, v) = (Key(), Key(), Pick("a", "1", "-5", "3.5", "xyz", new string('v', random.Next(1, 40))));
            var shortTtl = $"{random.Next(1, ShortTtlMs)}";
            return random.Next(40) switch
            {
                0 => ["SET", k, v],
                1 => ["SET", k, v, "PX", shortTtl],
                2 => ["APPEND", k, v],
                3 => ["INCR", k],
                4 => ["SETRANGE", k, $"{random.Next(8)}", v],
                5 => ["BITOP", Pick("AND", "OR", "XOR"), k, k2, Key()],
                6 => ["BITOP", "NOT", k, k2],
                7 => ["SETBIT", k, $"{random.Next(64)}", "1"],
                8 => ["RPUSH", k, v, v],
                9 => ["LMOVE", k, k2, "LEFT", "RIGHT"],
                10 => ["LPOP", k],
                11 => ["SADD", k, v, $"{random.Next(9)}"],
                12 => ["SPOP", k],
                13 => ["SINTERSTORE", k, k2, Key()],
                14 => ["SUNIONSTORE", k, k2],
                15 => ["HSET", k, $"f{random.Next(3)}", v],
                16 => ["HINCRBY", k, "n", "2"],
                17 => ["ZADD", k, $"{random.Next(50)}", v],
                18 => ["ZINCRBY", k, "1.5", v],
                19 => ["ZUNIONSTORE", k, "2", k2, Key()],
                20 => ["XADD", k, "*", "f", v],
                21 => ["XGROUP", "CREATE", k, "g", "0", "MKSTREAM"],
                22 => ["XREADGROUP", "GROUP", "g", $"c{random.Next(2)}", "COUNT", "2", "STREAMS", k, ">"],
                23 => ["PEXPIRE", k, shortTtl],
                24 => ["EXPIRE", k, "600"],
                25 => ["PERSIST", k],
                26 => ["GETEX", k, "PX", shortTtl],
                27 => ["GETDEL", k],
                28 => ["DEL", k],
                29 => ["RENAME", k, k2],
                30 => ["COPY", k, k2, "DB", $"{random.Next(3)}"],
                31 => ["MOVE", k, $"{random.Next(3)}"],
                32 => ["SELECT", $"{random.Next(3)}"],
                33 => ["SWAPDB", $"{random.Next(3)}", $"{random.Next(3)}"],
                34 => ["RESTORE", k, Pick("0", shortTtl), Pick(payloads), "REPLACE"],
                35 => ["EVAL", "redis.call('set', KEYS[1], ARGV[1]) return redis.call('incr', KEYS[2])", "2", k, k2, v],
                36 => ["EVAL", "local m = redis.call('spop', KEYS[1]) if m then redis.call('rpush', KEYS[2], m) end return m", "2", k, k2],
                37 => ["PFADD", k, v],
                38 => ["SORT", k, "ALPHA", "STORE", k2],
                _ => ["GET", k],
            };
        }

        private string Key() => $"k{random.Next(12)}";

        private T Pick<T>(params T[] choices) => choices[random.Next(choices.Length)];
    }
}
