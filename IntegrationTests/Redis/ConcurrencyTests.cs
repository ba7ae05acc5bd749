using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Redis.ConcurrentClients;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// Atomicity under concurrency: clients spread over four loops race on the same keys, and every test checks an
/// invariant that holds exactly when each command (and each MULTI/EXEC) is atomic and the keyspace linearizable,
/// whatever locks the store takes inside. Every test does a fixed number of operations; readers check while the
/// writers run and stop when they finish.
/// </summary>
public sealed partial class ConcurrencyTests
{
    private const int Loops = 4;
    private const int Batch = 50;

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Incr_from_clients_on_every_loop_neither_loses_nor_repeats_an_increment(Backend backend)
    {
        const int clients = 8, each = 2_000;
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var incrementers = await redis.ConnectClientsOverLoopsAsync(clients);

        var replies = await incrementers.EachAsync((c, _) => c.PipelineAsync(each, Batch, _ => ["INCR", "counter"]));

        foreach (var (mine, client) in replies.Select((r, i) => (r.Select(v => Assert.IsType<long>(v)).ToArray(), i)))
        {
            for (var i = 1; i < mine.Length; i++)
            {
                Assert.True(mine[i] > mine[i - 1], $"Client {client}'s INCR #{i} answered {mine[i]} after {mine[i - 1]}");
            }
        }
        var all = replies.SelectMany(r => r.Cast<long>()).Order().ToArray();
        for (var i = 0; i < all.Length; i++)
        {
            Assert.True(all[i] == i + 1, $"The INCR replies, sorted, hold {all[i]} where {i + 1} belongs (lost or repeated)");
        }
        Assert.Equal($"{clients * each}", await incrementers[0].CallAsync("GET", "counter"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Mset_writes_a_group_of_keys_that_mget_never_sees_half_written(Backend backend)
    {
        const int writers = 4, readers = 4, each = 600;
        string[] group = ["group:a", "group:b", "group:c", "group:d"];
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var clients = await redis.ConnectClientsOverLoopsAsync(writers + readers);
        Assert.Equal("OK", await clients[0].CallAsync(["MSET", .. group.SelectMany(k => new[] { k, "init" })]));

        var writing = clients[..writers].EachAsync((c, w) =>
            c.PipelineAsync(each, Batch, i => ["MSET", .. group.SelectMany(k => new[] { k, $"{w}:{i}" })]));
        var reading = clients[writers..].EachAsync((c, r) =>
        {
            // Linearizable: a reader sees one group value at a time, and each writer's values in the order written.
            var lastSeen = Enumerable.Repeat(-1, writers).ToArray();
            return RepeatWhileAsync(writing, async () =>
            {
                foreach (var reply in await c.PipelineAsync(Batch, Batch, _ => ["MGET", .. group]))
                {
                    var values = Items(reply);
                    Assert.True(values.Distinct().Count() == 1, $"Reader {r}'s MGET saw a mixed group: {string.Join(", ", values)}");
                    if (values[0] is "init")
                    {
                        Assert.True(lastSeen.All(seen => seen < 0), $"Reader {r} saw the initial group after a written one");
                        continue;
                    }
                    var parts = Assert.IsType<string>(values[0]).Split(':');
                    var (writer, sequence) = (int.Parse(parts[0]), int.Parse(parts[1]));
                    Assert.True(sequence >= lastSeen[writer], $"Reader {r} saw writer {writer}'s MSET #{sequence} after #{lastSeen[writer]}");
                    lastSeen[writer] = sequence;
                }
            });
        });
        Assert.All((await writing).SelectMany(r => r), reply => Assert.Equal("OK", reply));
        await reading;

        var final = Items(await clients[0].CallAsync(["MGET", .. group]));
        Assert.Single(final.Distinct());
        Assert.Matches($"^[0-{writers - 1}]:{each - 1}$", Assert.IsType<string>(final[0]));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Msetnx_racing_on_a_group_sets_all_of_it_for_exactly_one_writer(Backend backend)
    {
        const int writers = 4, readers = 2, groups = 300;
        static string[] Group(int g) => [$"nx:{g}:a", $"nx:{g}:b", $"nx:{g}:c", $"nx:{g}:d"];
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var clients = await redis.ConnectClientsOverLoopsAsync(writers + readers);

        // Every writer tries every group in the same order, so they race on each group at about the same time.
        var writing = clients[..writers].EachAsync((c, w) =>
            c.PipelineAsync(groups, Batch, g => ["MSETNX", .. Group(g).SelectMany(k => new[] { k, $"writer{w}" })]));
        var reading = clients[writers..].EachAsync((c, r) =>
        {
            var random = new Random(r);
            return RepeatWhileAsync(writing, async () =>
            {
                foreach (var reply in await c.PipelineAsync(Batch, Batch, _ => ["MGET", .. Group(random.Next(groups))]))
                {
                    var values = Items(reply);
                    Assert.True(values.Distinct().Count() == 1,
                        $"MGET saw a group half set by MSETNX: {string.Join(", ", values.Select(v => v ?? "(nil)"))}");
                }
            });
        });
        var won = await writing;
        await reading;

        for (var g = 0; g < groups; g++)
        {
            var winners = Enumerable.Range(0, writers).Where(w => Assert.IsType<long>(won[w][g]) == 1).ToArray();
            Assert.True(winners.Length == 1, $"Group {g}: MSETNX answered 1 to writers [{string.Join(", ", winners)}]");
            Assert.Equal(Enumerable.Repeat<object?>($"writer{winners[0]}", 4), Items(await clients[0].CallAsync(["MGET", .. Group(g)])));
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Rename_moves_a_key_in_one_step_that_mget_and_dbsize_never_see_half_done(Backend backend)
    {
        const int movers = 8, readers = 2, moves = 400, ring = 4;
        static string Slot(int owner, int i) => $"ring:{owner}:{i % ring}";
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var clients = await redis.ConnectClientsOverLoopsAsync(movers + readers);
        for (var owner = 0; owner < movers; owner++) { Assert.Equal("OK", await clients[0].CallAsync("SET", Slot(owner, 0), $"token{owner}")); }
        var slots = Enumerable.Range(0, movers).SelectMany(owner => Enumerable.Range(0, ring).Select(i => Slot(owner, i))).ToArray();

        // Each mover walks its own token round its own ring of keys; the rings share the store's buckets and locks.
        var moving = clients[..movers].EachAsync((c, owner) => c.PipelineAsync(moves, Batch, i => ["RENAME", Slot(owner, i), Slot(owner, i + 1)]));
        var reading = clients[movers..].EachAsync((c, _) => RepeatWhileAsync(moving, async () =>
        {
            var replies = await c.PipelineAsync(Batch, Batch, i => i % 2 == 0 ? ["MGET", .. slots] : ["DBSIZE"]);
            for (var i = 0; i < replies.Length; i += 2)
            {
                var values = Items(replies[i]);
                for (var owner = 0; owner < movers; owner++)
                {
                    var held = values.Skip(owner * ring).Take(ring).Where(v => v is not null).ToArray();
                    Assert.True(held is [string token] && token == $"token{owner}",
                        $"MGET saw ring {owner} holding [{string.Join(", ", held)}] mid-RENAME");
                }
                Assert.True(replies[i + 1] is (long)movers, $"DBSIZE answered {replies[i + 1]} while RENAMEs only moved {movers} keys");
            }
        }));
        Assert.All((await moving).SelectMany(r => r), reply => Assert.Equal("OK", reply));
        await reading;

        var final = Items(await clients[0].CallAsync(["MGET", .. slots]));
        for (var owner = 0; owner < movers; owner++)
        {
            for (var i = 0; i < ring; i++) { Assert.Equal(i == moves % ring ? $"token{owner}" : (object?)null, final[owner * ring + i]); }
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Renamenx_racing_for_free_keys_keeps_every_token_exactly_once(Backend backend)
    {
        const int movers = 8, readers = 2, attempts = 300, slotCount = 12;
        var slots = Enumerable.Range(0, slotCount).Select(i => $"slot:{i}").ToArray();
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var clients = await redis.ConnectClientsOverLoopsAsync(movers + readers);
        for (var owner = 0; owner < movers; owner++) { Assert.Equal("OK", await clients[0].CallAsync("SET", slots[owner], $"token{owner}")); }

        // Only a token's owner renames from the key holding it, and RENAMENX only into a free key: so each owner knows
        // where its token is, and the pair's MGET right after the attempt must find it there.
        var moving = clients[..movers].EachAsync(async (c, owner) =>
        {
            var (random, at, moved) = (new Random(owner), owner, 0);
            for (var attempt = 0; attempt < attempts; attempt++)
            {
                var to = random.Next(slotCount - 1);
                if (to >= at) { to++; }
                var replies = await c.BatchAsync(["RENAMENX", slots[at], slots[to]], ["MGET", slots[at], slots[to]]);
                var pair = Items(replies[1]);
                var mine = $"token{owner}";
                if (replies[0] is 1L)
                {
                    Assert.True(pair[1] as string == mine && pair[0] as string != mine,
                        $"RENAMENX moved token {owner} yet MGET found [{pair[0]}, {pair[1]}]");
                    (at, moved) = (to, moved + 1);
                }
                else
                {
                    Assert.True(replies[0] is 0L && pair[0] as string == mine, $"RENAMENX answered {replies[0]}, MGET found [{pair[0]}, {pair[1]}]");
                }
            }
            return (at, moved);
        });
        var reading = clients[movers..].EachAsync((c, _) => RepeatWhileAsync(moving, async () =>
        {
            foreach (var reply in await c.PipelineAsync(Batch, Batch, _ => ["MGET", .. slots]))
            {
                var tokens = Items(reply).Where(v => v is not null).Cast<string>().Order().ToArray();
                Assert.True(tokens.SequenceEqual(Enumerable.Range(0, movers).Select(o => $"token{o}").Order()),
                    $"MGET of every slot saw [{string.Join(", ", tokens)}]");
            }
        }));
        var ends = await moving;
        await reading;

        Assert.True(ends.Sum(e => e.moved) > 0, "No RENAMENX succeeded");
        var final = Items(await clients[0].CallAsync(["MGET", .. slots]));
        var expected = new object?[slotCount];
        foreach (var (end, owner) in ends.Select((e, o) => (e, o))) { expected[end.at] = $"token{owner}"; }
        Assert.Equal(expected, final);
    }
}
