using System.Collections.Concurrent;
using Loop.IntegrationTests.Infrastructure;
using static Loop.IntegrationTests.Redis.ConcurrentClients;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// A stream shared by loops: producers add while a group's consumers read without BLOCK (holding only the stream's
/// stripe) and acknowledge, each from its own loop; every entry reaches exactly one consumer, once.
/// </summary>
public sealed class StreamConcurrencyTests
{
    private const int Loops = 4, Batch = 25;

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Every_entry_goes_to_exactly_one_consumer_of_a_group_read_from_all_loops(Backend backend)
    {
        const int producers = 3, consumers = 4, entriesEach = 500;
        await using var redis = await InProcessRedis.StartAsync(backend, loops: Loops);
        var clients = await redis.ConnectClientsOverLoopsAsync(producers + consumers);
        Assert.Equal("OK", await clients[0].CallAsync("XGROUP", "CREATE", "jobs", "g", "$", "MKSTREAM"));
        var delivered = new ConcurrentBag<string>();

        var producing = clients[..producers].EachAsync((c, producer) => c.PipelineAsync(entriesEach, Batch, i => ["XADD", "jobs", "*", "job", $"{producer}:{i}"]));
        var consuming = clients[producers..].EachAsync((c, consumer) => RepeatWhileAsync(producing, async () =>
        {
            var replies = await c.PipelineAsync(Batch, Batch, _ => ["XREADGROUP", "GROUP", "g", $"c{consumer}", "COUNT", "5", "STREAMS", "jobs", ">"]);
            foreach (var reply in replies.Where(reply => reply is not null))
            {
                var entries = Items(Items(Items(reply)[0])[1]);
                var ids = entries.Select(entry => (string)Items(entry)[0]!).ToArray();
                foreach (var id in ids) { delivered.Add(id); }
                Assert.Equal((long)ids.Length, await c.CallAsync(["XACK", "jobs", "g", .. ids]));
            }
        }));
        await producing;
        await consuming;
        // What was added after the consumers' last round.
        var tail = await clients[producers].CallAsync("XREADGROUP", "GROUP", "g", "last", "STREAMS", "jobs", ">");
        var rest = tail is null ? [] : Items(Items(Items(tail)[0])[1]);
        foreach (var entry in rest) { delivered.Add((string)Items(entry)[0]!); }

        var all = Items(await clients[0].CallAsync("XRANGE", "jobs", "-", "+")).Select(entry => (string)Items(entry)[0]!).ToList();
        Assert.Equal(producers * entriesEach, all.Count);
        Assert.Equal(all, delivered.Order(Comparer<string>.Create(CompareIds)));
        Assert.Equal((long)rest.Length, Items(await clients[0].CallAsync("XPENDING", "jobs", "g"))[0]);
    }

    private static int CompareIds(string? a, string? b)
    {
        var (x, y) = (a!.Split('-').Select(ulong.Parse).ToArray(), b!.Split('-').Select(ulong.Parse).ToArray());
        return x[0] != y[0] ? x[0].CompareTo(y[0]) : x[1].CompareTo(y[1]);
    }
}
