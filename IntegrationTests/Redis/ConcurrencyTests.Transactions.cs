using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Redis.ConcurrentClients;

namespace Loop.IntegrationTests.Redis;

// MULTI/EXEC and WATCH under concurrency: transfers between accounts keep the total that atomic reads see, and
// WATCH notices exactly the writes to the watched key, from whichever loop.
public sealed partial class ConcurrencyTests
{
    private const int Accounts = 10, Balance = 1_000, Total = Accounts * Balance;
    private static readonly string[] AccountKeys = Enumerable.Range(0, Accounts).Select(i => $"account:{i}").ToArray();

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Multi_exec_transfers_keep_the_total_that_mget_and_multi_mget_read(Backend backend)
    {
        const int movers = 8, readers = 2, transfers = 150, perBatch = 10;
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var clients = await redis.ConnectClientsOverLoopsAsync(movers + readers);
        await OpenAccountsAsync(clients[0]);

        var moving = clients[..movers].EachAsync(async (c, mover) =>
        {
            var (random, deltas) = (new Random(mover), new long[Accounts]);
            for (var done = 0; done < transfers; done += perBatch)
            {
                for (var t = 0; t < perBatch; t++)
                {
                    var (from, to, amount) = PickTransfer(random);
                    c.Queue("MULTI");
                    c.Queue("DECRBY", AccountKeys[from], $"{amount}");
                    c.Queue("INCRBY", AccountKeys[to], $"{amount}");
                    c.Queue("EXEC");
                    (deltas[from], deltas[to]) = (deltas[from] - amount, deltas[to] + amount);
                }
                await c.FlushAsync();
                for (var t = 0; t < perBatch; t++)
                {
                    Assert.Equal("OK", await c.ReadAsync());
                    Assert.Equal("QUEUED", await c.ReadAsync());
                    Assert.Equal("QUEUED", await c.ReadAsync());
                    Assert.Equal(2, Items(await c.ReadAsync()).OfType<long>().Count());
                }
            }
            return deltas;
        });
        var reading = clients[movers..].EachAsync((c, _) => RepeatWhileAsync(moving, () => ReadTotalsAsync(c)));
        var deltas = await moving;
        await reading;

        await AssertBalancesAsync(clients[0], deltas);
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Watch_guarded_transfers_commit_exactly_what_exec_confirms(Backend backend)
    {
        const int movers = 8, readers = 2, transfers = 40, attemptLimit = 50 * transfers;
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var clients = await redis.ConnectClientsOverLoopsAsync(movers + readers);
        await OpenAccountsAsync(clients[0]);

        // Read both balances under WATCH, write the new ones in MULTI; a nil EXEC means someone got there first: retry.
        var moving = clients[..movers].EachAsync(async (c, mover) =>
        {
            var (random, deltas, committed) = (new Random(mover), new long[Accounts], 0);
            for (var attempt = 0; committed < transfers; attempt++)
            {
                Assert.True(attempt < attemptLimit, $"Mover {mover} committed {committed} transfers in {attempt} attempts");
                var (from, to, amount) = PickTransfer(random);
                var read = await c.BatchAsync(["WATCH", AccountKeys[from], AccountKeys[to]], ["MGET", AccountKeys[from], AccountKeys[to]]);
                Assert.Equal("OK", read[0]);
                var balances = Items(read[1]).Select(v => long.Parse(Assert.IsType<string>(v))).ToArray();
                var written = await c.BatchAsync(["MULTI"],
                    ["SET", AccountKeys[from], $"{balances[0] - amount}"], ["SET", AccountKeys[to], $"{balances[1] + amount}"], ["EXEC"]);
                Assert.Equal(["OK", "QUEUED", "QUEUED"], written[..3]);
                if (written[3] is null) { continue; }
                Assert.Equal(["OK", "OK"], Items(written[3]));
                (deltas[from], deltas[to], committed) = (deltas[from] - amount, deltas[to] + amount, committed + 1);
            }
            return deltas;
        });
        var reading = clients[movers..].EachAsync((c, _) => RepeatWhileAsync(moving, () => ReadTotalsAsync(c)));
        var deltas = await moving;
        await reading;

        await AssertBalancesAsync(clients[0], deltas);
    }

    private static async Task OpenAccountsAsync(RespClient client) =>
        Assert.Equal("OK", await client.CallAsync(["MSET", .. AccountKeys.SelectMany(k => new[] { k, $"{Balance}" })]));

    private static (int From, int To, int Amount) PickTransfer(Random random)
    {
        var from = random.Next(Accounts);
        var to = (from + 1 + random.Next(Accounts - 1)) % Accounts;
        return (from, to, random.Next(1, 200));
    }

    // One MGET of every account and one MULTI/MGET/EXEC: both read all balances at one instant, so both see the total.
    private static async Task ReadTotalsAsync(RespClient reader)
    {
        for (var i = 0; i < 10; i++)
        {
            reader.Queue(["MGET", .. AccountKeys]);
            reader.Queue("MULTI");
            reader.Queue(["MGET", .. AccountKeys]);
            reader.Queue("EXEC");
        }
        await reader.FlushAsync();
        for (var i = 0; i < 10; i++)
        {
            var single = Items(await reader.ReadAsync());
            Assert.Equal("OK", await reader.ReadAsync());
            Assert.Equal("QUEUED", await reader.ReadAsync());
            var inMulti = Items(Assert.Single(Items(await reader.ReadAsync())));
            Assert.True(Sum(single) == Total, $"MGET of every account summed to {Sum(single)}: {string.Join(", ", single)}");
            Assert.True(Sum(inMulti) == Total, $"MULTI/MGET/EXEC of every account summed to {Sum(inMulti)}: {string.Join(", ", inMulti)}");
        }
    }

    private static long Sum(object?[] balances) => balances.Sum(b => long.Parse(Assert.IsType<string>(b)));

    private static async Task AssertBalancesAsync(RespClient client, long[][] deltas)
    {
        var balances = Items(await client.CallAsync(["MGET", .. AccountKeys]));
        var expected = Enumerable.Range(0, Accounts).Select(a => (object?)$"{Balance + deltas.Sum(d => d[a])}").ToArray();
        Assert.Equal(expected, balances);
        Assert.Equal(Total, Sum(balances));
    }

    /// <summary>A write to the watched key, from a client on another loop than the watcher's, or a write elsewhere.</summary>
    public static TheoryData<Backend, string> WatchCases()
    {
        var data = new TheoryData<Backend, string>();
        foreach (var backend in new[] { Backend.IoUring, Backend.Epoll })
        {
            foreach (var name in WatchedWrites.Keys) { data.Add(backend, name); }
        }
        return data;
    }

    // Each case runs in a database of its own; the key is "k" and holds "v" when watched, "other" holds "v" too.
    // true: EXEC must answer nil; false: EXEC must run.
    private static readonly Dictionary<string, (bool Aborts, Func<RespClient, int, Task> Write)> WatchedWrites = new()
    {
        ["SET"] = (true, (w, _) => Expect(w, "OK", "SET", "k", "theirs")),
        ["DEL"] = (true, (w, _) => Expect(w, 1L, "DEL", "k")),
        ["EXPIRE"] = (true, (w, _) => Expect(w, 1L, "EXPIRE", "k", "100")),
        ["APPEND"] = (true, (w, _) => Expect(w, 2L, "APPEND", "k", "x")),
        ["RENAME onto it"] = (true, (w, _) => Expect(w, "OK", "RENAME", "other", "k")),
        ["RENAME away"] = (true, (w, _) => Expect(w, "OK", "RENAME", "k", "elsewhere")),
        ["FLUSHDB"] = (true, (w, _) => Expect(w, "OK", "FLUSHDB")),
        ["FLUSHALL"] = (true, (w, _) => Expect(w, "OK", "FLUSHALL")),
        ["expiry seen by PTTL on another loop"] = (true, async (w, _) =>
            await Eventually.HoldsAsync(async () => await w.CallAsync("PTTL", "k") is -2L, "PTTL k answering -2")),
        ["expiry by the active cycle"] = (true, async (w, _) =>
            await Eventually.HoldsAsync(async () => await w.CallAsync("DBSIZE") is 1L, "DBSIZE dropping to 1 (other)")),
        ["SET of another key"] = (false, (w, _) => Expect(w, "OK", "SET", "other", "theirs")),
        ["EXPIRE of another key"] = (false, (w, _) => Expect(w, 1L, "EXPIRE", "other", "100")),
        ["GET"] = (false, (w, _) => Expect(w, "v", "GET", "k")),
        ["SET of the key in another database"] = (false, async (w, db) =>
        {
            await Expect(w, "OK", "SELECT", $"{db + 1}");
            await Expect(w, "OK", "SET", "k", "theirs");
            await Expect(w, "OK", "SELECT", $"{db}");
        }),
        ["FLUSHDB of another database"] = (false, async (w, db) =>
        {
            await Expect(w, "OK", "SELECT", $"{db + 1}");
            await Expect(w, "OK", "SET", "k", "theirs");
            await Expect(w, "OK", "FLUSHDB");
            await Expect(w, "OK", "SELECT", $"{db}");
        }),
    };

    [Theory]
    [MemberData(nameof(WatchCases))]
    public async Task Watch_fails_exec_after_exactly_the_writes_to_the_watched_key_from_another_loop(Backend backend, string write)
    {
        var (aborts, writeAsync) = WatchedWrites[write];
        var expires = write.StartsWith("expiry", StringComparison.Ordinal);
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        using var watcher = new RespClient(await redis.ConnectOnLoopAsync(1));
        using var writer = new RespClient(await redis.ConnectOnLoopAsync(2));
        const int db = 3;
        await Expect(watcher, "OK", "SELECT", $"{db}");
        await Expect(writer, "OK", "SELECT", $"{db}");

        // An expiring key must still be live once watched (Redis ignores a key already expired when WATCHed): a slow
        // start retries with a longer TTL.
        for (var ttlMs = 100; ; ttlMs *= 2)
        {
            await Expect(writer, "OK", ["SET", "k", "v", .. expires ? new[] { "PX", $"{ttlMs}" } : []]);
            await Expect(writer, "OK", "SET", "other", "v");
            await Expect(watcher, "OK", "WATCH", "k");
            if (!expires || await watcher.CallAsync("PTTL", "k") is > 0L) { break; }
            Assert.True(ttlMs < 10_000, "The key expired before WATCH each time");
            await Expect(watcher, "OK", "UNWATCH");
        }

        await writeAsync(writer, db);

        await Expect(watcher, "OK", "MULTI");
        await Expect(watcher, "QUEUED", "SET", "k", "mine");
        var exec = await watcher.CallAsync("EXEC");
        if (aborts)
        {
            Assert.True(exec is null, $"EXEC ran after {write} to the watched key");
            Assert.NotEqual("mine", await writer.CallAsync("GET", "k"));
        }
        else
        {
            Assert.Equal(["OK"], Assert.IsType<object?[]>(exec));
            Assert.Equal("mine", await writer.CallAsync("GET", "k"));
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Watch_fails_exec_when_the_watched_key_expired_though_nothing_touched_it(Backend backend)
    {
        // Redis (since 6.0.9) checks at EXEC whether a watched key that was live when watched has expired since,
        // even when no command and no active cycle deleted it yet.
        await using var redis = await InProcessRedis.StartAsync(backend, activeExpiry: false, loops: Loops);
        using var watcher = new RespClient(await redis.ConnectOnLoopAsync(1));
        using var clock = new RespClient(await redis.ConnectOnLoopAsync(2));
        long deadline;
        for (var ttlMs = 100; ; ttlMs *= 2)
        {
            await Expect(watcher, "OK", "SET", "k", "v", "PX", $"{ttlMs}");
            await Expect(watcher, "OK", "WATCH", "k");
            if (await watcher.CallAsync("PEXPIRETIME", "k") is long at && at > 0) { deadline = at; break; }
            Assert.True(ttlMs < 10_000, "The key expired before WATCH each time");
            await Expect(watcher, "OK", "UNWATCH");
        }
        await WaitForServerClockAsync(clock, deadline);

        await Expect(watcher, "OK", "MULTI");
        await Expect(watcher, "QUEUED", "SET", "k", "mine");
        Assert.Null(await watcher.CallAsync("EXEC"));
    }

    private static async Task Expect(RespClient client, object? reply, params string[] command) =>
        Assert.Equal(reply, await client.CallAsync(command));
}
