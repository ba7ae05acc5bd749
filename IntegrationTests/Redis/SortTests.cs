using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>SORT and SORT_RO over raw RESP: every option, Redis 7.0's orders, replies and errors.</summary>
public sealed class SortTests
{
    private const string NotDouble = "ERR One or more scores can't be converted into double";

    private static object?[] Items(params object?[] items) => items;

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Numbers_sort_by_value_with_asc_desc_and_limit(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal(7L, await c.CallAsync("RPUSH", "l", "3", "1", "2", "10", "-5", "1.5", "1e1"));
        Assert.Equal(Items("-5", "1", "1.5", "2", "3", "10", "1e1"), await c.CallAsync("SORT", "l"));
        Assert.Equal(Items("1e1", "10", "3", "2", "1.5", "1", "-5"), await c.CallAsync("SORT", "l", "DESC"));
        Assert.Equal(Items("1", "1.5"), await c.CallAsync("SORT", "l", "LIMIT", "1", "2"));
        Assert.Equal(Items("10", "3"), await c.CallAsync("SORT", "l", "DESC", "LIMIT", "1", "2"));
        // A negative offset is 0, a negative count is everything from the offset, an offset past the end is nothing.
        Assert.Equal(Items("-5", "1"), await c.CallAsync("SORT", "l", "LIMIT", "-3", "2"));
        Assert.Equal(Items("3", "10", "1e1"), await c.CallAsync("SORT", "l", "LIMIT", "4", "-1"));
        Assert.Equal(Items(), await c.CallAsync("SORT", "l", "LIMIT", "7", "5"));
        Assert.Equal(Items(), await c.CallAsync("SORT", "l", "LIMIT", "0", "0"));
        Assert.Equal(Items("1e1"), await c.CallAsync("SORT", "l", "LIMIT", "6", "9223372036854775807"));
        // The last of each option wins.
        Assert.Equal(Items("-5"), await c.CallAsync("SORT", "l", "DESC", "LIMIT", "0", "1", "ASC"));
        Assert.Equal(Items("-5", "1", "1.5", "2", "3", "10", "1e1"), await c.CallAsync("SORT_RO", "l"));
        Assert.Equal(Items(), await c.CallAsync("SORT", "missing"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Scores_are_read_as_strtod_reads_them_and_an_unreadable_one_fails_the_sort(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        // Leading blanks, '+', "5.", hexadecimal, infinities and "" (which strtod leaves whole: 0) are numbers.
        Assert.Equal(9L, await c.CallAsync("RPUSH", "ok", " 7", "+.5", "5.", "0x10", "inf", "-Infinity", "", "5\0tail", "0x1p-1074"));
        // Equal scores are ordered by the elements' bytes: "5\0tail" before "5.".
        Assert.Equal(Items("-Infinity", "", "0x1p-1074", "+.5", "5\0tail", "5.", " 7", "0x10", "inf"), await c.CallAsync("SORT", "ok"));
        foreach (var bad in new[] { "abc", "5 ", "nan", "1e", ".", "-", "0x", "infin", "1e400", "1e-310" })
        {
            Assert.Equal(2L, await c.CallAsync("RPUSH", $"bad:{bad}", "1", bad));
            Assert.Equal(new RespError(NotDouble), await c.CallAsync("SORT", $"bad:{bad}"));
            Assert.Equal(new RespError(NotDouble), await c.CallAsync("SORT", $"bad:{bad}", "STORE", "dst"));
            Assert.Equal(new[] { "1", bad }.Order(StringComparer.Ordinal).ToArray<object?>(), await c.CallAsync("SORT", $"bad:{bad}", "ALPHA"));
        }
        Assert.Equal(0L, await c.CallAsync("EXISTS", "dst"));
        Assert.Equal(3L, await c.CallAsync("RPUSH", "ties", "1.0", "1", "01"));
        Assert.Equal(Items("01", "1", "1.0"), await c.CallAsync("SORT", "ties"));
        Assert.Equal(Items("1.0", "1", "01"), await c.CallAsync("SORT", "ties", "DESC"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Alpha_compares_bytes_up_to_a_nul_and_with_store_every_byte(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal(7L, await c.CallAsync("RPUSH", "l", "b", "a\0c", "a\0b", "\xff", "B", "a", "10"));
        // strcoll in the C locale stops at NUL: "a\0c", "a\0b" and "a" are equal and keep their order.
        Assert.Equal(Items("10", "B", "a\0c", "a\0b", "a", "b", "\xff"), await c.CallAsync("SORT", "l", "ALPHA"));
        Assert.Equal(Items("\xff", "b", "a\0c", "a\0b", "a", "B", "10"), await c.CallAsync("SORT", "l", "ALPHA", "DESC"));
        Assert.Equal(7L, await c.CallAsync("SORT", "l", "ALPHA", "STORE", "dst"));
        Assert.Equal(Items("10", "B", "a", "a\0b", "a\0c", "b", "\xff"), await c.CallAsync("LRANGE", "dst", "0", "-1"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task By_weighs_elements_by_the_keys_and_hash_fields_a_pattern_names(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal(4L, await c.CallAsync("RPUSH", "l", "x", "y", "z", "w"));
        Assert.Equal("OK", await c.CallAsync("MSET", "weight_x", "3", "weight_y", "1", "weight_z", "2", "alpha_y", "b", "alpha_z", "a"));
        Assert.Equal(2L, await c.CallAsync("HSET", "obj_x", "rank", "20", "name", "carol"));
        Assert.Equal(2L, await c.CallAsync("HSET", "obj_w", "rank", "5", "name", "alice"));
        Assert.Equal(1L, await c.CallAsync("HSET", "obj_z", "name", "bob"));
        // A key that is missing weighs 0; equal weights fall back to the elements' bytes.
        Assert.Equal(Items("w", "y", "z", "x"), await c.CallAsync("SORT", "l", "BY", "weight_*"));
        Assert.Equal(Items("x", "z", "y", "w"), await c.CallAsync("SORT", "l", "BY", "weight_*", "DESC"));
        Assert.Equal(Items("y", "z", "w", "x"), await c.CallAsync("SORT", "l", "BY", "obj_*->rank"));
        Assert.Equal(Items("z", "y"), await c.CallAsync("SORT", "l", "BY", "weight_*", "LIMIT", "1", "2", "DESC"));
        // ALPHA BY: what the pattern finds, compared as strings; nothing sorts first.
        Assert.Equal(Items("x", "w", "z", "y"), await c.CallAsync("SORT", "l", "BY", "alpha_*", "ALPHA"));
        Assert.Equal(Items("y", "w", "z", "x"), await c.CallAsync("SORT", "l", "BY", "obj_*->name", "ALPHA"));
        // A hash field's value that is no number fails a numeric sort; a string key read through "->" finds nothing.
        Assert.Equal(new RespError(NotDouble), await c.CallAsync("SORT", "l", "BY", "obj_*->name"));
        Assert.Equal(Items("w", "x", "y", "z"), await c.CallAsync("SORT", "l", "BY", "weight_*->f"));
        // Ties keep the elements' order, ascending or descending, as glibc's merge sort keeps them.
        var shuffled = Enumerable.Range(0, 40).Select(i => (object?)$"e{i * 7 % 40}").ToArray();
        Assert.Equal(40L, await c.CallAsync(["RPUSH", "many", .. shuffled.Cast<string>()]));
        Assert.Equal(shuffled, await c.CallAsync("SORT", "many", "BY", "nothing_*", "ALPHA"));
        Assert.Equal(shuffled, await c.CallAsync("SORT", "many", "BY", "nothing_*", "ALPHA", "DESC"));
        // "->" with no field after it is part of the key name.
        Assert.Equal("OK", await c.CallAsync("SET", "arrow_z->", "-1"));
        Assert.Equal(Items("z", "w", "x", "y"), await c.CallAsync("SORT", "l", "BY", "arrow_*->"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Get_returns_the_element_or_what_each_pattern_finds(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal(3L, await c.CallAsync("RPUSH", "l", "2", "1", "3"));
        Assert.Equal("OK", await c.CallAsync("MSET", "name_1", "one", "name_3", "three", "fixed", "f"));
        Assert.Equal(1L, await c.CallAsync("HSET", "h_2", "f", "two"));
        Assert.Equal(1L, await c.CallAsync("RPUSH", "name_2", "a list"));
        Assert.Equal(Items("one", null, "three"), await c.CallAsync("SORT", "l", "GET", "name_*"));
        Assert.Equal(Items("1", "one", null, "2", null, "two", "3", "three", null),
            await c.CallAsync("SORT", "l", "GET", "#", "GET", "name_*", "GET", "h_*->f"));
        // A pattern without '*' names no key, whatever exists.
        Assert.Equal(Items(null, null), await c.CallAsync("SORT", "l", "LIMIT", "0", "2", "GET", "fixed"));
        Assert.Equal(Items("3", "2"), await c.CallAsync("SORT", "l", "DESC", "LIMIT", "0", "2", "GET", "#"));
        using var resp3 = new RespClient(await redis.ConnectAsync());
        await resp3.CallAsync("HELLO", "3");
        Assert.Equal("*2\r\n$3\r\none\r\n_\r\n", await resp3.Socket.CommandAsync("SORT", "l", "LIMIT", "0", "2", "GET", "name_*"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task By_nosort_keeps_each_type_s_own_order(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal(5L, await c.CallAsync("RPUSH", "l", "c", "a", "e", "b", "d"));
        Assert.Equal(Items("c", "a", "e", "b", "d"), await c.CallAsync("SORT", "l", "BY", "nosort"));
        Assert.Equal(Items("d", "b", "e", "a", "c"), await c.CallAsync("SORT", "l", "BY", "nosort", "DESC"));
        Assert.Equal(Items("a", "e"), await c.CallAsync("SORT", "l", "BY", "nosort", "LIMIT", "1", "2"));
        Assert.Equal(Items("b", "e"), await c.CallAsync("SORT", "l", "BY", "nosort", "LIMIT", "1", "2", "DESC"));
        // Any pattern without '*' means no sorting, and a later BY does not undo it.
        Assert.Equal(Items("c", "a", "e", "b", "d"), await c.CallAsync("SORT", "l", "BY", "constant", "BY", "w_*"));
        // A sorted set's order is its scores', members breaking ties.
        Assert.Equal(4L, await c.CallAsync("ZADD", "z", "2", "b", "1", "y", "1", "x", "3", "a"));
        Assert.Equal(Items("x", "y", "b", "a"), await c.CallAsync("SORT", "z", "BY", "nosort"));
        Assert.Equal(Items("b", "y"), await c.CallAsync("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"));
        Assert.Equal(Items("a", "b", "x", "y"), await c.CallAsync("SORT", "z", "ALPHA"));
        // An intset's order is ascending; a set stored unsorted is sorted by bytes, since its order is not stable.
        Assert.Equal(4L, await c.CallAsync("SADD", "s", "30", "4", "-1", "200"));
        Assert.Equal(Items("-1", "4", "30", "200"), await c.CallAsync("SORT", "s", "BY", "nosort"));
        Assert.Equal(Items("-1", "4", "30", "200"), await c.CallAsync("SORT", "s", "BY", "nosort", "DESC"));
        Assert.Equal(4L, await c.CallAsync("SORT", "s", "BY", "nosort", "DESC", "STORE", "dst"));
        Assert.Equal(Items("4", "30", "200", "-1"), await c.CallAsync("LRANGE", "dst", "0", "-1"));
        Assert.Equal(Items("-1", "4", "30", "200"), await c.CallAsync("SORT", "s"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Store_replaces_the_destination_with_a_list_or_deletes_it_for_nothing(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal(3L, await c.CallAsync("RPUSH", "l", "3", "1", "2"));
        Assert.Equal("OK", await c.CallAsync("SET", "dst", "a string", "EX", "100"));
        Assert.Equal(3L, await c.CallAsync("SORT", "l", "STORE", "dst"));
        Assert.Equal("list", await c.CallAsync("TYPE", "dst"));
        Assert.Equal(-1L, await c.CallAsync("TTL", "dst"));
        Assert.Equal(Items("1", "2", "3"), await c.CallAsync("LRANGE", "dst", "0", "-1"));
        // Each GET adds one element, "" where the pattern finds nothing.
        Assert.Equal("OK", await c.CallAsync("SET", "v_2", "two"));
        Assert.Equal(4L, await c.CallAsync("SORT", "l", "LIMIT", "0", "2", "GET", "#", "GET", "v_*", "STORE", "dst"));
        Assert.Equal(Items("1", "", "2", "two"), await c.CallAsync("LRANGE", "dst", "0", "-1"));
        // The element is copied: overwriting the string it came from leaves the list as it was.
        Assert.Equal("OK", await c.CallAsync("SET", "v_2", "TWO"));
        Assert.Equal("two", await c.CallAsync("LINDEX", "dst", "3"));
        // The last STORE wins; a sort into itself works on what was there.
        Assert.Equal(3L, await c.CallAsync("SORT", "l", "DESC", "STORE", "other", "STORE", "l"));
        Assert.Equal(Items("3", "2", "1"), await c.CallAsync("LRANGE", "l", "0", "-1"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "other"));
        // Nothing to store deletes the destination.
        Assert.Equal(0L, await c.CallAsync("SORT", "l", "LIMIT", "5", "1", "STORE", "dst"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "dst"));
        Assert.Equal(0L, await c.CallAsync("SORT", "missing", "STORE", "l"));
        Assert.Equal(0L, await c.CallAsync("EXISTS", "l"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Options_and_types_are_checked_as_redis_checks_them(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal("OK", await c.CallAsync("SET", "str", "x"));
        Assert.Equal(2L, await c.CallAsync("RPUSH", "l", "1", "2"));
        var syntax = new RespError("ERR syntax error");
        var notInteger = new RespError("ERR value is not an integer or out of range");
        Assert.Equal(RespError.WrongType, await c.CallAsync("SORT", "str"));
        Assert.Equal(1L, await c.CallAsync("HSET", "h", "f", "v"));
        Assert.Equal(RespError.WrongType, await c.CallAsync("SORT", "h", "BY", "nosort"));
        // Options are read before the key is looked at.
        Assert.Equal(syntax, await c.CallAsync("SORT", "str", "BOGUS"));
        Assert.Equal(notInteger, await c.CallAsync("SORT", "str", "LIMIT", "a", "1"));
        Assert.Equal(notInteger, await c.CallAsync("SORT", "l", "LIMIT", "0", "1.5"));
        Assert.Equal(syntax, await c.CallAsync("SORT", "l", "LIMIT", "0"));
        Assert.Equal(syntax, await c.CallAsync("SORT", "l", "BY"));
        Assert.Equal(syntax, await c.CallAsync("SORT", "l", "GET"));
        Assert.Equal(syntax, await c.CallAsync("SORT", "l", "STORE"));
        Assert.Equal(syntax, await c.CallAsync("SORT_RO", "l", "STORE", "dst"));
        Assert.Equal(new RespError("ERR wrong number of arguments for 'sort' command"), await c.CallAsync("SORT"));
        Assert.Equal(Items("2", "1"), await c.CallAsync("sort", "l", "desc", "alpha"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Key_specs_name_the_sorted_key_and_the_last_store_destination(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var c = new RespClient(await redis.ConnectAsync());
        Assert.Equal(Items("a", "c"), await c.CallAsync("COMMAND", "GETKEYS", "SORT", "a", "STORE", "b", "LIMIT", "0", "1", "STORE", "c", "GET", "x"));
        // GET, BY and LIMIT take their arguments: a STORE among them is no option.
        Assert.Equal(Items("a"), await c.CallAsync("COMMAND", "GETKEYS", "SORT", "a", "GET", "store", "BY", "store", "LIMIT", "store", "store"));
        Assert.Equal(Items("a"), await c.CallAsync("COMMAND", "GETKEYS", "SORT_RO", "a", "STORE", "b"));
        var info = (object?[])((object?[])(await c.CallAsync("COMMAND", "INFO", "SORT", "SORT_RO"))!)!;
        Assert.Equal(Items("sort", -2L, Items("write", "denyoom", "movablekeys"), 1L, 1L, 1L), ((object?[])info[0]!)[..6]);
        Assert.Equal(Items("sort_ro", -2L, Items("readonly", "movablekeys"), 1L, 1L, 1L), ((object?[])info[1]!)[..6]);
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Store_serves_a_client_blocked_on_the_destination_and_fails_its_watchers(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var writer = new RespClient(await redis.ConnectAsync());
        using var waiter = await redis.ConnectClientOnAnotherLoopAsync(writer);
        using var watcher = new RespClient(await redis.ConnectAsync());
        Assert.Equal(3L, await writer.CallAsync("RPUSH", "l", "3", "1", "2"));
        Assert.Equal("OK", await watcher.CallAsync("WATCH", "dst"));
        await waiter.SendAsync("BLPOP", "dst", "0");
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal(3L, await writer.CallAsync("SORT", "l", "STORE", "dst"));
        Assert.Equal(Items("dst", "1"), await waiter.ReadAsync());
        Assert.Equal(Items("2", "3"), await writer.CallAsync("LRANGE", "dst", "0", "-1"));
        Assert.Equal("OK", await watcher.CallAsync("MULTI"));
        Assert.Equal("QUEUED", await watcher.CallAsync("SET", "x", "1"));
        Assert.Null(await watcher.CallAsync("EXEC"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Sorting_by_other_keys_sees_each_write_to_them_whole_while_another_loop_writes(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, loops: 2);
        var clients = await redis.ConnectClientsOverLoopsAsync(2);
        const int elements = 64;
        string[] Weights(bool reversed) => ["MSET", .. Enumerable.Range(0, elements).SelectMany(i => new[] { $"w_{i}", $"{(reversed ? -i : i)}" })];
        Assert.Equal((long)elements, await clients[0].CallAsync(["RPUSH", "l", .. Enumerable.Range(0, elements).Select(i => $"{i}")]));
        Assert.Equal("OK", await clients[1].CallAsync(Weights(reversed: false)));
        // Each MSET changes every weight at once, holding the stripes of all of them: a SORT holding less than the whole
        // keyspace would read some weights before an MSET and some after, and mix the two orders.
        var writes = Task.Run(() => clients[1].PipelineAsync(2000, 50, i => Weights(reversed: i % 2 == 0)));
        var ascending = Enumerable.Range(0, elements).Select(i => (object?)$"{i}").ToArray();
        var descending = ascending.Reverse().ToArray();
        var rounds = await ConcurrentClients.RepeatWhileAsync(writes, async () =>
        {
            var sorted = Assert.IsType<object?[]>(await clients[0].CallAsync("SORT", "l", "BY", "w_*"));
            Assert.True(sorted.SequenceEqual(ascending) || sorted.SequenceEqual(descending), string.Join(",", sorted));
        });
        await writes;
        Assert.True(rounds > 1);
    }
}
