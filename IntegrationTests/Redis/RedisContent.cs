using System.Globalization;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// Keys of every type to fill a server with, and a way to read one back as text, to compare two servers or one server
/// before and after a restart.
/// </summary>
internal static class RedisContent
{
    public static readonly string Compressible = string.Concat(Enumerable.Repeat("compressible ", 60));
    public static readonly string Binary = "\0\x01\xfe\xff\r\n$3\r\n";

    // Keys of every type, small and large, whatever encoding Redis gives them: int and LZF strings, listpack,
    // quicklist (compressed and plain nodes with the settings below), intset, hashtable and skiplist.
    public static readonly string[][] Fill =
    [
        ["SET", "s:text", "hello world"], ["SET", "s:int8", "42"], ["SET", "s:int32", "-2000000000"],
        ["SET", "s:int64", "9223372036854775807"], ["SET", "s:zero-led", "007"], ["SET", "s:empty", ""],
        ["SET", "s:binary", Binary], ["SET", "s:lzf", Compressible], ["SET", "s:long", new string('q', 20_000) + "end"],
        ["RPUSH", "l:small", "a", "", "1", "-2", Binary],
        ["RPUSH", "l:big", .. Enumerable.Range(0, 3000).Select(i => i % 3 == 0 ? $"{i}" : $"element-{i}")],
        ["RPUSH", "l:plain", "short", new string('p', 200), "short again", Compressible],
        ["SADD", "st:ints", "1", "-2", "300", "70000", "-5000000000"], ["SADD", "st:text", "a", "b", Binary, ""],
        ["SADD", "st:big", .. Enumerable.Range(0, 700).Select(i => $"{i}")],
        ["HSET", "h:small", "f", "v", "n", "12", "", "empty field", "e", ""],
        ["HSET", "h:big", .. Enumerable.Range(0, 300).SelectMany(i => new[] { $"field-{i}", $"value-{i}" })],
        ["HSET", "h:long-value", "f", Compressible],
        ["ZADD", "z:small", "1", "a", "2.5", "b", "-inf", "low", "inf", "high", "-0.125", "c", "0.1", "tenth"],
        ["ZADD", "z:big", .. Enumerable.Range(0, 300).SelectMany(i => new[] { $"{i * 0.5 - 70}", $"member-{i}" })],
    ];

    public static readonly string[] Keys = Fill.Select(command => command[1]).ToArray();

    public static async Task RunAsync(RespClient client, string[][] commands)
    {
        foreach (var command in commands) { client.Queue(command); }
        await client.FlushAsync();
        foreach (var command in commands)
        {
            var reply = await client.ReadAsync();
            Assert.False(reply is RespError, $"{string.Join(' ', command)}: {reply}");
        }
    }

    // A key as text to compare between servers: its type and content (sets and hashes sorted, scores as doubles).
    public static async Task<string> ReadBackAsync(RespClient client, string key)
    {
        var type = (string)(await client.CallAsync("TYPE", key))!;
        var items = type switch
        {
            "string" => [(string)(await client.CallAsync("GET", key))!],
            "list" => Strings(await client.CallAsync("LRANGE", key, "0", "-1")),
            "set" => Strings(await client.CallAsync("SMEMBERS", key)).Order(StringComparer.Ordinal),
            "hash" => Strings(await client.CallAsync("HGETALL", key)).Chunk(2).Select(p => p[0] + "=" + p[1]).Order(StringComparer.Ordinal),
            "zset" => Strings(await client.CallAsync("ZRANGE", key, "0", "-1", "WITHSCORES")).Chunk(2).Select(p => p[0] + ":" + Score(p[1])),
            _ => throw new InvalidOperationException($"{key} is a {type}"),
        };
        return $"{key} {type} {string.Join("|", items)}";
    }

    private static IEnumerable<string> Strings(object? reply) => ((object?[])reply!).Cast<string>();

    private static string Score(string text) => text switch
    {
        "inf" => "inf",
        "-inf" => "-inf",
        _ => double.Parse(text, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture),
    };


    /// <summary>Every key of <see cref="Keys"/> read back, with its deadline (PEXPIRETIME, exact to the millisecond).</summary>
    public static async Task<string[]> ReadAllAsync(RespClient client, IEnumerable<string>? keys = null)
    {
        var all = new List<string>();
        foreach (var key in keys ?? Keys) { all.Add($"{await ReadBackAsync(client, key)} expires {await client.CallAsync("PEXPIRETIME", key)}"); }
        return [.. all];
    }
}
