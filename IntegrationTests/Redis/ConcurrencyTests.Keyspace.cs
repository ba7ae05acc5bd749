using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Redis.ConcurrentClients;

namespace Loop.IntegrationTests.Redis;

// Blocking pops served across loops, and the commands over the whole keyspace (SCAN, KEYS, DBSIZE, RANDOMKEY,
// FLUSHALL, INFO keyspace, active expiry) seeing every key whichever loop wrote it or asks.
public sealed partial class ConcurrencyTests
{
    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Blocked_pops_on_every_loop_are_served_oldest_first_each_value_once(Backend backend)
    {
        const int waiters = 6;
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        using var pusher = new RespClient(await redis.ConnectOnLoopAsync(0));
        var blocked = await redis.ConnectClientsOverLoopsAsync(waiters, 1, 2, 3);

        // Once with one push per value, pipelined; once with every value in one push. Two more values than waiters.
        foreach (var onePush in new[] { false, true })
        {
            for (var i = 0; i < waiters; i++)
            {
                await blocked[i].SendAsync("BLPOP", "queue", "10");
                await WaitForBlockedClientsAsync(pusher, i + 1);
            }
            var values = Enumerable.Range(0, waiters + 2).Select(i => $"value{i}").ToArray();
            var pushed = onePush
                ? [await pusher.CallAsync(["RPUSH", "queue", .. values])]
                : await pusher.PipelineAsync(values.Length, values.Length, i => ["RPUSH", "queue", values[i]]);
            Assert.All(pushed, reply => Assert.IsType<long>(reply));
            for (var i = 0; i < waiters; i++) { Assert.Equal(["queue", values[i]], Items(await blocked[i].ReadAsync())); }
            Assert.Equal(values[waiters..], Items(await pusher.CallAsync("LRANGE", "queue", "0", "-1")));
            Assert.Equal(0L, InfoField(await pusher.CallAsync("INFO", "clients"), "blocked_clients"));
            Assert.Equal(1L, await pusher.CallAsync("DEL", "queue"));
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Blocked_pops_racing_pushes_from_every_loop_receive_each_value_exactly_once(Backend backend)
    {
        const int consumers = 6, pops = 40, pushers = 2, pushes = consumers * pops / pushers;
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var clients = await redis.ConnectClientsOverLoopsAsync(consumers + pushers);

        var consuming = clients[..consumers].EachAsync(async (c, _) =>
        {
            var received = new List<string>();
            for (var i = 0; i < pops; i++)
            {
                var reply = Items(await c.CallAsync("BLPOP", "race", "5"));
                Assert.Equal("race", reply[0]);
                received.Add(Assert.IsType<string>(reply[1]));
            }
            return received;
        });
        var pushing = clients[consumers..].EachAsync((c, p) => c.PipelineAsync(pushes, 10, i => ["RPUSH", "race", $"{p}:{i}"]));
        Assert.All((await pushing).SelectMany(r => r), reply => Assert.IsType<long>(reply));
        var received = (await consuming).SelectMany(r => r).Order().ToArray();

        var sent = Enumerable.Range(0, pushers).SelectMany(p => Enumerable.Range(0, pushes).Select(i => $"{p}:{i}")).Order().ToArray();
        Assert.Equal(sent, received);
        Assert.Equal(0L, await clients[0].CallAsync("EXISTS", "race"));
        Assert.Equal(0L, InfoField(await clients[0].CallAsync("INFO", "clients"), "blocked_clients"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Scan_returns_every_key_present_throughout_while_others_come_and_go(Backend backend)
    {
        const int stableCount = 20_000, churnPerStep = 20;
        // Three scans at once, from three loops: each filter with the keys it must return and the keys it may.
        var scans = new (string[] Filter, Func<string, bool> Wanted)[]
        {
            ([], _ => true),
            (["MATCH", "stable:*7"], k => k.StartsWith("stable:", StringComparison.Ordinal) && k.EndsWith('7')),
            (["TYPE", "string"], k => !k.StartsWith("churn:h:", StringComparison.Ordinal)),
        };
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var scanners = await redis.ConnectClientsOverLoopsAsync(scans.Length, 1, 2, 3);
        using var churner = new RespClient(await redis.ConnectOnLoopAsync(0));
        var stable = Enumerable.Range(0, stableCount).Select(i => $"stable:{i}").ToArray();
        var loaded = await churner.PipelineAsync(stableCount / 500, 10,
            b => ["MSET", .. stable.Skip(b * 500).Take(500).SelectMany(k => new[] { k, "v" })]);
        Assert.All(loaded, reply => Assert.Equal("OK", reply));

        // Each step, every unfinished scan makes one call; between steps the churner adds strings and hashes for
        // ten steps, then deletes as many for ten steps.
        var cursors = scans.Select(_ => "0").ToArray();
        var seen = scans.Select(_ => new HashSet<string>()).ToArray();
        var (churnKeys, finished) = (new List<string>(), new bool[scans.Length]);
        for (var step = 0; !finished.All(f => f); step++)
        {
            Assert.True(step < 1_000, "SCAN did not come back to cursor 0");
            await scanners.EachAsync(async (c, s) =>
            {
                if (finished[s]) { return; }
                var reply = Items(await c.CallAsync(["SCAN", cursors[s], "COUNT", "100", .. scans[s].Filter]));
                cursors[s] = Assert.IsType<string>(reply[0]);
                seen[s].UnionWith(Items(reply[1]).Cast<string>());
                finished[s] = cursors[s] == "0";
            });
            if (step % 20 < 10)
            {
                var added = Enumerable.Range(0, churnPerStep).Select(i => $"churn:{(i % 2 == 0 ? "s" : "h")}:{step}:{i}").ToArray();
                var replies = await churner.PipelineAsync(added.Length, added.Length,
                    i => i % 2 == 0 ? ["SET", added[i], "v"] : ["HSET", added[i], "f", "v"]);
                Assert.All(replies, r => Assert.True(r is "OK" or 1L));
                churnKeys.AddRange(added);
            }
            else
            {
                var removed = churnKeys.Take(churnPerStep).ToArray();
                churnKeys.RemoveRange(0, removed.Length);
                Assert.Equal((long)removed.Length, await churner.CallAsync(["DEL", .. removed]));
            }
        }

        foreach (var ((filter, wanted), found) in scans.Zip(seen))
        {
            var name = $"SCAN {string.Join(' ', filter)}";
            var missed = stable.Where(wanted).Where(k => !found.Contains(k)).ToArray();
            Assert.True(missed.Length == 0,
                $"{name} never returned {missed.Length} keys present throughout, e.g. {string.Join(", ", missed.Take(5))}");
            var stray = found.Where(k => !wanted(k) || !(k.StartsWith("stable:", StringComparison.Ordinal) || k.StartsWith("churn:", StringComparison.Ordinal)))
                .ToArray();
            Assert.True(stray.Length == 0, $"{name} returned keys it should not have: {string.Join(", ", stray.Take(5))}");
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Keys_set_to_expire_from_every_loop_are_all_collected_unread(Backend backend)
    {
        const int keyCount = 10_000;
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var clients = await redis.ConnectClientsOverLoopsAsync(Loops);
        var set = await clients.EachAsync((c, loop) => c.PipelineAsync(2 * keyCount / Loops, 2 * Batch,
            i => i % 2 == 0 ? ["SET", $"brief:{loop}:{i / 2}", "v"] : ["PEXPIRE", $"brief:{loop}:{i / 2}", "500"]));
        Assert.All(set.SelectMany(r => r), reply => Assert.True(reply is "OK" or 1L, $"SET or PEXPIRE answered {reply}"));

        // Nobody reads the keys: only the active cycle can delete them.
        await Eventually.HoldsAsync(async () => await clients[0].CallAsync("DBSIZE") is 0L, "DBSIZE reaching 0", seconds: 15);
        foreach (var c in clients)
        {
            Assert.Equal(0L, await c.CallAsync("DBSIZE"));
            Assert.Empty(KeyspaceLines(await c.CallAsync("INFO", "keyspace")));
            Assert.Equal(keyCount, InfoField(await c.CallAsync("INFO", "stats"), "expired_keys"));
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Keyspace_wide_commands_from_every_loop_see_the_keys_written_on_every_loop(Backend backend)
    {
        const int perLoop = 200, perLoopInDb3 = 25;
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var clients = await redis.ConnectClientsOverLoopsAsync(Loops);
        await clients.EachAsync(async (c, loop) =>
        {
            var replies = await c.PipelineAsync(perLoop, Batch, i => i % 4 == 0
                ? ["SET", $"key:{loop}:{i}", "v", "EX", "1000"]
                : ["SET", $"key:{loop}:{i}", "v"]);
            Assert.All(replies, reply => Assert.Equal("OK", reply));
            Assert.Equal("OK", await c.CallAsync("SELECT", "3"));
            replies = await c.PipelineAsync(perLoopInDb3, Batch, i => ["SET", $"other:{loop}:{i}", "v"]);
            Assert.All(replies, reply => Assert.Equal("OK", reply));
            Assert.Equal("OK", await c.CallAsync("SELECT", "0"));
        });
        var expected = Enumerable.Range(0, Loops).SelectMany(loop => Enumerable.Range(0, perLoop).Select(i => $"key:{loop}:{i}")).Order().ToArray();

        for (var loop = 0; loop < Loops; loop++)
        {
            var c = clients[loop];
            Assert.Equal(expected, Items(await c.CallAsync("KEYS", "*")).Cast<string>().Order());
            Assert.Equal((long)expected.Length, await c.CallAsync("DBSIZE"));
            var lines = KeyspaceLines(await c.CallAsync("INFO", "keyspace"));
            Assert.Equal(2, lines.Length);
            Assert.StartsWith($"db0:keys={expected.Length},expires={Loops * perLoop / 4},", lines[0]);
            Assert.StartsWith($"db3:keys={Loops * perLoopInDb3},expires=0,", lines[1]);
            for (var i = 0; i < 10; i++) { Assert.Contains(Assert.IsType<string>(await c.CallAsync("RANDOMKEY")), expected); }
        }

        Assert.Equal("OK", await clients[2].CallAsync("FLUSHALL"));
        for (var loop = 0; loop < Loops; loop++)
        {
            var c = clients[loop];
            Assert.Empty(Items(await c.CallAsync("KEYS", "*")));
            Assert.Equal(0L, await c.CallAsync("DBSIZE"));
            Assert.Null(await c.CallAsync("RANDOMKEY"));
            Assert.Empty(KeyspaceLines(await c.CallAsync("INFO", "keyspace")));
            Assert.Equal("OK", await c.CallAsync("SELECT", "3"));
            Assert.Equal(0L, await c.CallAsync("DBSIZE"));
            Assert.Equal("OK", await c.CallAsync("SELECT", "0"));
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Pipelines_mixing_one_key_many_keys_no_key_and_whole_keyspace_commands_run_in_order_on_every_loop(Backend backend)
    {
        // A pipeline keeps a single-key command's stripe for the commands after it; whatever follows (another stripe,
        // several, none, or the whole keyspace, also taken inside a keyless command) must still run, in order.
        const int rounds = 40;
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var clients = await redis.ConnectClientsOverLoopsAsync(Loops);
        string[][] Round(int loop) =>
        [
            ["SET", $"hot:{loop}", "1"], ["INCR", $"hot:{loop}"], ["CONFIG", "RESETSTAT"], ["INCR", $"hot:{loop}"],
            ["MSET", $"hot:{loop}", "10", $"cold:{loop}", "20"], ["INCR", $"hot:{loop}"], ["DBSIZE"], ["PING"],
            ["MULTI"], ["INCR", $"cold:{loop}"], ["EXEC"], ["GET", $"cold:{loop}"], ["DEL", $"hot:{loop}", $"cold:{loop}"],
        ];
        await clients.EachAsync(async (c, loop) =>
        {
            for (var round = 0; round < rounds; round++)
            {
                var replies = await c.BatchAsync(Round(loop));
                Assert.Equal(["OK", 2L, "OK", 3L, "OK", 11L], replies[..6]);
                Assert.IsType<long>(replies[6]);
                Assert.Equal(["PONG", "OK", "QUEUED"], replies[7..10]);
                Assert.Equal([21L], Items(replies[10]));
                Assert.Equal(["21", 2L], replies[11..]);
            }
        });
    }
}
