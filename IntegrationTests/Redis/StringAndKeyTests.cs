using Loop.IntegrationTests.Infrastructure;
using Loop.Samples.Redis.Store;

namespace Loop.IntegrationTests.Redis;

/// <summary>String and generic key commands over raw RESP, replies and errors byte for byte as Redis sends them.</summary>
public sealed class StringAndKeyTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Set_options_nx_xx_and_get(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("$-1\r\n", await client.CommandAsync("SET", "k", "v", "XX"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "k", "v", "NX"));
        Assert.Equal("$-1\r\n", await client.CommandAsync("SET", "k", "w", "NX"));
        Assert.Equal("$1\r\nv\r\n", await client.CommandAsync("SET", "k", "w", "XX", "GET"));
        Assert.Equal("$1\r\nw\r\n", await client.CommandAsync("GET", "k"));
        Assert.Equal("-ERR syntax error\r\n", await client.CommandAsync("SET", "k", "v", "NX", "XX"));
        Assert.Equal("$-1\r\n", await client.CommandAsync("SET", "new", "v", "GET"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Counters_increment_integers_and_floats_and_refuse_what_is_not_a_number(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal(":1\r\n", await client.CommandAsync("INCR", "n"));
        Assert.Equal(":11\r\n", await client.CommandAsync("INCRBY", "n", "10"));
        Assert.Equal(":8\r\n", await client.CommandAsync("DECRBY", "n", "3"));
        Assert.Equal(":7\r\n", await client.CommandAsync("DECR", "n"));
        Assert.Equal("$4\r\n10.5\r\n", await client.CommandAsync("INCRBYFLOAT", "n", "3.5"));
        Assert.Equal("$4\r\n10.6\r\n", await client.CommandAsync("INCRBYFLOAT", "n", "0.1"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", await client.CommandAsync("INCR", "n"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "big", long.MaxValue.ToString()));
        Assert.Equal("-ERR increment or decrement would overflow\r\n", await client.CommandAsync("INCR", "big"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "text", "abc"));
        Assert.Equal("-ERR value is not a valid float\r\n", await client.CommandAsync("INCRBYFLOAT", "text", "1"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Ranges_appends_and_multi_key_strings(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal(":5\r\n", await client.CommandAsync("APPEND", "s", "Hello"));
        Assert.Equal(":11\r\n", await client.CommandAsync("APPEND", "s", " World"));
        Assert.Equal("$5\r\nWorld\r\n", await client.CommandAsync("GETRANGE", "s", "-5", "-1"));
        Assert.Equal(":11\r\n", await client.CommandAsync("SETRANGE", "s", "6", "Redis"));
        Assert.Equal("$11\r\nHello Redis\r\n", await client.CommandAsync("GET", "s"));
        Assert.Equal(":11\r\n", await client.CommandAsync("STRLEN", "s"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("MSET", "a", "1", "b", "2"));
        Assert.Equal("*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n", await client.CommandAsync("MGET", "a", "missing", "b"));
        Assert.Equal(":0\r\n", await client.CommandAsync("MSETNX", "c", "3", "a", "x"));
        Assert.Equal("$1\r\n1\r\n", await client.CommandAsync("GETDEL", "a"));
        Assert.Equal("$-1\r\n", await client.CommandAsync("GET", "a"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Decrby_of_the_smallest_long_is_an_overflow_as_redis_words_it(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("-ERR decrement would overflow\r\n", await client.CommandAsync("DECRBY", "n", long.MinValue.ToString()));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", await client.CommandAsync("DECRBY", "n", "x"));
        Assert.Equal(":0\r\n", await client.CommandAsync("EXISTS", "n"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Setrange_and_append_refuse_to_grow_a_string_past_proto_max_bulk_len(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, maxBulk: 1024);
        using var client = await redis.ConnectAsync();
        const string TooLong = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
        // offset + length overflows a long: the check must not wrap around into a negative array offset.
        Assert.Equal(TooLong, await client.CommandAsync("SETRANGE", "s", long.MaxValue.ToString(), "x"));
        Assert.Equal(TooLong, await client.CommandAsync("SETRANGE", "s", "1024", "x"));
        Assert.Equal(":1024\r\n", await client.CommandAsync("SETRANGE", "s", "1023", "x"));
        Assert.Equal(TooLong, await client.CommandAsync("APPEND", "s", "y"));
        Assert.Equal(":1024\r\n", await client.CommandAsync("STRLEN", "s"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", await client.CommandAsync("SETRANGE", "s", "x", "y"));
        Assert.Equal("-ERR offset is out of range\r\n", await client.CommandAsync("SETRANGE", "s", "-1", "y"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task String_commands_on_a_key_of_another_type_answer_wrongtype(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        // Seeded directly, so these tests of the string commands do not depend on the collection commands.
        using (redis.Redis.Keyspace.Lock.Exclusive()) { redis.Redis.Keyspace.Databases[0].Set("list"u8, new OtherType()); }
        string[][] commands =
        [
            ["GET", "list"], ["SET", "list", "v", "GET"], ["GETSET", "list", "v"], ["GETDEL", "list"], ["GETEX", "list"], ["INCR", "list"],
            ["INCRBYFLOAT", "list", "1"], ["APPEND", "list", "x"], ["STRLEN", "list"], ["GETRANGE", "list", "0", "1"], ["SETRANGE", "list", "0", "x"],
        ];
        foreach (var command in commands)
        {
            Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", await client.CommandAsync(command));
        }
        Assert.Equal("+list\r\n", await client.CommandAsync("TYPE", "list"));
        Assert.Equal("*1\r\n$-1\r\n", await client.CommandAsync("MGET", "list"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", "list", "v"));
        Assert.Equal("+string\r\n", await client.CommandAsync("TYPE", "list"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Key_commands_count_rename_copy_and_move(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("MSET", "a", "1", "b", "2"));
        Assert.Equal(":3\r\n", await client.CommandAsync("EXISTS", "a", "a", "b", "missing"));
        Assert.Equal("+string\r\n", await client.CommandAsync("TYPE", "a"));
        Assert.Equal("+none\r\n", await client.CommandAsync("TYPE", "missing"));
        Assert.Equal("-ERR no such key\r\n", await client.CommandAsync("RENAME", "missing", "x"));
        Assert.Equal(":0\r\n", await client.CommandAsync("RENAMENX", "a", "b"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("RENAME", "a", "c"));
        Assert.Equal(":1\r\n", await client.CommandAsync("COPY", "c", "d"));
        Assert.Equal(":0\r\n", await client.CommandAsync("COPY", "c", "d"));
        Assert.Equal(":1\r\n", await client.CommandAsync("MOVE", "d", "1"));
        Assert.Equal(":2\r\n", await client.CommandAsync("DEL", "b", "c", "missing"));
        Assert.Equal(":0\r\n", await client.CommandAsync("DBSIZE"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("SELECT", "1"));
        Assert.Equal("$1\r\n1\r\n", await client.CommandAsync("GET", "d"));
        Assert.Equal("+OK\r\n", await client.CommandAsync("FLUSHDB"));
        Assert.Equal(":0\r\n", await client.CommandAsync("DBSIZE"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_pattern_of_many_stars_is_matched_without_trying_every_split(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.CommandAsync("SET", new string('a', 100), "v"));
        // Trying every split of the key among 30 stars is some 10^25 steps under the keyspace lock: a stalled server.
        var stars = string.Concat(Enumerable.Repeat("*a", 30));
        Assert.Equal("*0\r\n", await client.CommandAsync("KEYS", stars + "*b"));
        Assert.Equal("*1\r\n$100\r\n" + new string('a', 100) + "\r\n", await client.CommandAsync("KEYS", stars + "*"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Keys_and_a_full_scan_find_exactly_the_matching_keys(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        var users = Enumerable.Range(0, 50).Select(i => $"user:{i}").ToHashSet();
        foreach (var key in users.Append("other")) { Assert.Equal("+OK\r\n", await client.CommandAsync("SET", key, "v")); }

        var keys = (await client.CommandAsync("KEYS", "user:*")).Split("\r\n").Where(l => l.StartsWith("user:"));
        Assert.Equal(users, keys.ToHashSet());

        var scanned = new List<string>();
        var cursor = "0";
        for (var calls = 0; calls == 0 || cursor != "0"; calls++)
        {
            Assert.True(calls < 100, "SCAN never returned cursor 0");
            var reply = (await client.CommandAsync("SCAN", cursor, "MATCH", "user:*", "COUNT", "7")).Split("\r\n");
            cursor = reply[2];
            scanned.AddRange(reply.Where(l => l.StartsWith("user:")));
        }
        Assert.Equal(users.Order(), scanned.Order());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_scan_returns_every_key_present_throughout_while_others_are_deleted(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        var kept = Enumerable.Range(0, 300).Select(i => $"kept:{i}").ToHashSet();
        var doomed = new Queue<string>(Enumerable.Range(0, 300).Select(i => $"doomed:{i}"));
        foreach (var key in kept.Concat(doomed)) { Assert.Equal("+OK\r\n", await client.CommandAsync("SET", key, "v")); }

        var scanned = new HashSet<string>();
        var cursor = "0";
        for (var calls = 0; calls == 0 || cursor != "0"; calls++)
        {
            Assert.True(calls < 200, "SCAN never returned cursor 0");
            var reply = (await client.CommandAsync("SCAN", cursor, "COUNT", "10")).Split("\r\n");
            cursor = reply[2];
            scanned.UnionWith(reply.Where(l => l.StartsWith("kept:")));
            // Deleting between calls must not hide keys that stay.
            for (var i = 0; i < 5 && doomed.Count > 0; i++) { await client.CommandAsync("DEL", doomed.Dequeue()); }
        }
        Assert.Equal(kept.Order(), scanned.Order());
    }

    private sealed class OtherType : IRedisCollection
    {
        public string TypeName => "list";
        public bool IsEmpty => false;
        public IRedisCollection Clone() => this;
    }
}
