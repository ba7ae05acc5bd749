using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Redis.ConcurrentClients;

namespace Loop.IntegrationTests.Redis;

// Multi-key collection commands under concurrency: elements moved between keys by SMOVE and LMOVE are never seen
// twice or missing by SUNION, SUNIONSTORE, ZUNIONSTORE or a MULTI of reads, from whichever loop.
public sealed partial class ConcurrencyTests
{
    private const int Tokens = 16, Bags = 4;
    private static readonly string[] BagKeys = Enumerable.Range(0, Bags).Select(i => $"bag:{i}").ToArray();

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Smove_between_sets_never_shows_sunion_or_the_stores_a_token_twice_or_missing(Backend backend)
    {
        const int movers = 6, readers = 2, moves = 600;
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var clients = await redis.ConnectClientsOverLoopsAsync(movers + readers);
        var tokens = Enumerable.Range(0, Tokens).Select(t => $"t{t}").ToArray();
        Assert.Equal((long)Tokens, await clients[0].CallAsync(["SADD", BagKeys[0], .. tokens]));
        foreach (var bag in BagKeys) { Assert.Equal(1L, await clients[0].CallAsync("ZADD", $"z{bag}", "1", "anchor")); }

        var moving = clients[..movers].EachAsync((c, mover) =>
        {
            var random = new Random(mover);
            return c.PipelineAsync(moves, Batch, _ => ["SMOVE", BagKeys[random.Next(Bags)], BagKeys[random.Next(Bags)], tokens[random.Next(Tokens)]]);
        });
        var reading = clients[movers..].EachAsync((c, reader) => RepeatWhileAsync(moving, async () =>
        {
            var replies = await c.PipelineAsync(Batch, Batch, i => (i % 3) switch
            {
                0 => ["SUNION", .. BagKeys],
                1 => ["SUNIONSTORE", $"all:{reader}", .. BagKeys],
                _ => ["ZUNIONSTORE", $"zall:{reader}", $"{Bags}", .. BagKeys],
            });
            for (var i = 0; i < replies.Length; i++)
            {
                var seen = i % 3 == 0 ? Items(replies[i]).Length : (long)replies[i]!;
                Assert.True(seen == Tokens, $"{(i % 3 == 0 ? "SUNION" : i % 3 == 1 ? "SUNIONSTORE" : "ZUNIONSTORE")} counted {seen} tokens mid-SMOVE");
            }
        }));
        Assert.All((await moving).SelectMany(r => r), reply => Assert.True(reply is 0L or 1L, $"SMOVE answered {reply}"));
        await reading;

        var final = new List<string>();
        foreach (var bag in BagKeys) { final.AddRange(Items(await clients[0].CallAsync("SMEMBERS", bag)).Cast<string>()); }
        Assert.Equal(tokens.Order(), final.Order());
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Lmove_between_lists_keeps_every_element_exactly_once_for_a_multi_of_reads(Backend backend)
    {
        const int movers = 6, readers = 2, moves = 600;
        string[] lines = ["line:a", "line:b", "line:c"];
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var clients = await redis.ConnectClientsOverLoopsAsync(movers + readers);
        var elements = Enumerable.Range(0, Tokens).Select(e => $"e{e}").ToArray();
        Assert.Equal((long)Tokens, await clients[0].CallAsync(["RPUSH", lines[0], .. elements]));

        var moving = clients[..movers].EachAsync((c, mover) =>
        {
            var random = new Random(mover);
            return c.PipelineAsync(moves, Batch, _ => ["LMOVE", lines[random.Next(lines.Length)], lines[random.Next(lines.Length)], "LEFT", "RIGHT"]);
        });
        var reading = clients[movers..].EachAsync((c, _) => RepeatWhileAsync(moving, async () =>
        {
            var replies = await c.BatchAsync([["MULTI"], .. lines.Select(l => new[] { "LRANGE", l, "0", "-1" }), ["EXEC"]]);
            var held = Items(replies[^1]).SelectMany(Items).Cast<string>().Order().ToArray();
            Assert.True(held.SequenceEqual(elements.Order()), $"A MULTI of LRANGEs saw [{string.Join(", ", held)}] mid-LMOVE");
        }));
        Assert.All((await moving).SelectMany(r => r), reply => Assert.True(reply is null || elements.Contains(reply as string), $"LMOVE answered {reply}"));
        await reading;
    }
}
