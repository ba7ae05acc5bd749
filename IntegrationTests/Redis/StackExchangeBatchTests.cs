using Loop.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace Loop.IntegrationTests.Redis;

/// <summary>StackExchange.Redis's pipelining, batches and transactions (WATCH, MULTI, EXEC under the hood).</summary>
public sealed class StackExchangeBatchTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Thousands_of_operations_in_flight_at_once_all_get_their_own_reply(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var db = (await redis.ConnectMultiplexerAsync()).GetDatabase();
        var sets = Enumerable.Range(0, 2000).Select(i => db.StringSetAsync($"k{i}", $"v{i}")).ToArray();
        var increments = Enumerable.Range(0, 2000).Select(_ => db.StringIncrementAsync("counter")).ToArray();
        Assert.All(await Task.WhenAll(sets), Assert.True);
        Assert.Equal(Enumerable.Range(1, 2000).Select(i => (long)i), await Task.WhenAll(increments));
        var gets = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => db.StringGetAsync($"k{i}")));
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"v{i}"), gets.Select(v => (string?)v));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_batch_is_sent_in_one_go_and_answers_every_operation(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var db = (await redis.ConnectMultiplexerAsync()).GetDatabase();
        var batch = db.CreateBatch();
        var set = batch.StringSetAsync("b", "1");
        var increment = batch.StringIncrementAsync("b", 41);
        var get = batch.StringGetAsync("b");
        var missing = batch.StringGetAsync("missing");
        batch.Execute();
        Assert.True(await set);
        Assert.Equal(42, await increment);
        Assert.Equal("42", await get);
        Assert.True((await missing).IsNull);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_transaction_whose_conditions_hold_runs_all_its_operations(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var db = (await redis.ConnectMultiplexerAsync()).GetDatabase();
        await db.StringSetAsync("balance", "100");
        var transaction = db.CreateTransaction();
        transaction.AddCondition(Condition.KeyNotExists("lock"));
        transaction.AddCondition(Condition.StringEqual("balance", "100"));
        var debit = transaction.StringDecrementAsync("balance", 30);
        var credit = transaction.StringIncrementAsync("other", 30);
        Assert.True(await transaction.ExecuteAsync());
        Assert.Equal(70, await debit);
        Assert.Equal(30, await credit);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_transaction_whose_condition_fails_runs_nothing(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var db = (await redis.ConnectMultiplexerAsync()).GetDatabase();
        await db.StringSetAsync("lock", "held");
        await db.StringSetAsync("balance", "100");

        var locked = db.CreateTransaction();
        locked.AddCondition(Condition.KeyNotExists("lock"));
        _ = locked.StringDecrementAsync("balance", 30);
        Assert.False(await locked.ExecuteAsync());

        var stale = db.CreateTransaction();
        stale.AddCondition(Condition.StringEqual("balance", "99"));
        _ = stale.StringDecrementAsync("balance", 30);
        Assert.False(await stale.ExecuteAsync());

        Assert.Equal("100", await db.StringGetAsync("balance"));
        // The connection is still usable for the next transaction.
        var next = db.CreateTransaction();
        next.AddCondition(Condition.KeyExists("lock"));
        var debit = next.StringDecrementAsync("balance", 1);
        Assert.True(await next.ExecuteAsync());
        Assert.Equal(99, await debit);
    }
}
