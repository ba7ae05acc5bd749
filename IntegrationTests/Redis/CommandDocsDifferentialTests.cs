using System.Text;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// COMMAND INFO, DOCS, LIST, GETKEYS and GETKEYSANDFLAGS beside redis-server 7.0.15's, byte for byte, in RESP2 and
/// RESP3. Redis lists commands and subcommands in the order of dictionaries a random seed shuffles on every start (two
/// redis-servers disagree), so those lists are compared in sorted order; everything else as it comes.
/// </summary>
public sealed class CommandDocsDifferentialTests
{
    [Fact]
    public async Task Every_command_and_subcommand_is_described_as_redis_server_describes_it()
    {
        await using var pair = await Servers.StartAsync();
        var names = ((object?[])(await pair.Theirs.CallAsync("COMMAND", "LIST"))!).Cast<string>().ToList();
        Assert.Equal(240 + 126, names.Count);
        string[] unknown = ["nosuch", "get|x", "config|nosuch", "config|get|x", "config|", "|get"];
        var differences = new List<string>();
        foreach (var protocol in new[] { "2", "3" })
        {
            await pair.BothAsync("HELLO", protocol);
            foreach (var name in names.Concat(unknown).Append("CONFIG|Get").Append("Get"))
            {
                differences.AddRange(await pair.CompareAsync(["COMMAND", "INFO", name]));
                differences.AddRange(await pair.CompareAsync(["COMMAND", "DOCS", name]));
            }
            differences.AddRange(await pair.CompareAsync(["COMMAND", "INFO", "get", "nosuch", "config|set", "SET"]));
            differences.AddRange(await pair.CompareAsync(["COMMAND", "DOCS", "get", "nosuch", "config|set", "SET"]));
        }
        Assert.True(differences.Count == 0, string.Join("\n\n", differences.Take(5)) + $"\n\n({differences.Count} differences)");
    }

    [Fact]
    public async Task The_whole_table_is_redis_servers_in_every_listing()
    {
        await using var pair = await Servers.StartAsync();
        // Listed in dictionary order: compared sorted.
        string[][] listings = [["COMMAND"], ["COMMAND", "INFO"], ["COMMAND", "DOCS"], ["COMMAND", "LIST"],
            ["COMMAND", "LIST", "FILTERBY", "ACLCAT", "list"], ["COMMAND", "LIST", "FILTERBY", "aclcat", "DANGEROUS"],
            ["COMMAND", "LIST", "FILTERBY", "ACLCAT", "@list"], ["COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"],
            ["COMMAND", "LIST", "FILTERBY", "PATTERN", "x*"], ["COMMAND", "LIST", "FILTERBY", "pattern", "CONFIG|*"],
            ["COMMAND", "LIST", "FILTERBY", "PATTERN", "*e?[a-c]*"], ["COMMAND", "LIST", "FILTERBY", "MODULE", "m"],
            ["ACL", "CAT", "dangerous"], ["ACL", "CAT", "Read"], ["ACL", "CAT", "scripting"]];
        string[][] others = [["COMMAND", "COUNT"], ["COMMAND", "LIST", "FILTERBY", "ACLCAT"], ["COMMAND", "LIST", "FILTERBY", "NAME", "x"],
            ["COMMAND", "LIST", "x"], ["COMMAND", "LIST", "x", "FILTERBY", "ACLCAT", "list"], ["COMMAND", "HELP"], ["COMMAND", "HELP", "x"],
            ["COMMAND", "NOSUCH"], ["COMMAND", "COUNT", "x"], ["COMMAND", "GETKEYSANDFLAGS", "GET"], ["COMMAND", "INFO", "get", "nosuch"],
            ["ACL", "CAT"], ["ACL", "CAT", "nosuch"], ["ACL", "CAT", "@read"]];
        var differences = new List<string>();
        foreach (var protocol in new[] { "2", "3" })
        {
            await pair.BothAsync("HELLO", protocol);
            foreach (var listing in listings) { differences.AddRange(await pair.CompareAsync(listing, sortTopLevel: true)); }
            foreach (var command in others) { differences.AddRange(await pair.CompareAsync(command)); }
        }
        Assert.True(differences.Count == 0, string.Join("\n\n", differences.Take(5)) + $"\n\n({differences.Count} differences)");
    }

    public static TheoryData<string[]> KeyedCommands => new()
    {
        { ["SET", "k", "v"] }, { ["SET", "k", "v", "NX", "get"] }, { ["SET", "k", "v", "GETX"] }, { ["GET", "k"] },
        { ["MSET", "a", "1", "b", "2"] }, { ["MSETNX", "a", "1", "b", "2"] }, { ["RENAME", "a", "b"] }, { ["COPY", "a", "b", "DB", "1"] },
        { ["LMPOP", "2", "a", "b", "LEFT"] }, { ["LMPOP", "0", "a", "LEFT"] }, { ["LMPOP", "3", "a", "LEFT"] }, { ["LMPOP", "x", "a", "LEFT"] },
        { ["BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2"] }, { ["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"] },
        { ["SORT", "k"] }, { ["SORT", "k", "STORE", "d"] }, { ["SORT", "k", "BY", "w_*", "GET", "#", "LIMIT", "0", "1", "STORE", "d"] },
        { ["SORT", "k", "STORE"] }, { ["SORT", "k", "STORE", "a", "STORE", "b"] }, { ["SORT_RO", "k", "BY", "w_*"] },
        { ["XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0"] }, { ["XREAD", "BLOCK", "0", "STREAMS", "a", "$"] },
        { ["XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "a", "b", ">", ">"] }, { ["XREAD", "STREAMS", "a", "b", "0"] },
        { ["EVAL", "return 1", "2", "a", "b", "c"] }, { ["EVAL", "return 1", "0"] }, { ["EVAL_RO", "return 1", "1", "a"] },
        { ["EVALSHA", "abc", "1", "a"] }, { ["FCALL", "f", "2", "a", "b"] }, { ["FCALL_RO", "f", "0"] }, { ["EVAL", "return 1", "3", "a"] },
        { ["MIGRATE", "h", "1", "k", "0", "5"] }, { ["MIGRATE", "h", "1", "", "0", "5", "COPY", "AUTH", "p", "KEYS", "a", "b"] },
        { ["MIGRATE", "h", "1", "", "0", "5", "AUTH2", "u", "p", "KEYS", "a"] }, { ["MIGRATE", "h", "1", "k", "0", "5", "KEYS", "a"] },
        { ["XREAD", "COUNT", "STREAMS", "STREAMS", "a", "0"] }, { ["XREADGROUP", "GROUP", "STREAMS", "c", "STREAMS", "a", "0"] },
        { ["XREADGROUP", "COUNT", "1", "GROUP", "STREAMS", "c", "STREAMS", "s", ">"] }, { ["XREAD", "BLOCK", "1", "STREAMS", "x"] },
        { ["GEORADIUS", "src", "0", "0", "1", "km", "STORE", "d"] }, { ["GEORADIUS", "src", "0", "0", "1", "km", "STOREDIST", "a", "STORE", "b"] },
        { ["GEORADIUSBYMEMBER", "src", "m", "1", "km", "STOREDIST", "d"] }, { ["GEORADIUS_RO", "src", "0", "0", "1", "km"] },
        { ["GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "m", "BYRADIUS", "1", "km"] },
        { ["ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"] }, { ["ZUNIONSTORE", "d", "0", "a"] }, { ["ZINTER", "2", "a", "b"] },
        { ["ZDIFF", "1", "a"] }, { ["ZRANGESTORE", "d", "s", "0", "1"] }, { ["SINTERCARD", "2", "a", "b", "LIMIT", "1"] },
        { ["BITFIELD", "k", "GET", "u8", "0"] }, { ["BITFIELD", "k", "OVERFLOW", "SAT", "GET", "u8", "0"] }, { ["BITFIELD", "k", "SET", "u8", "0", "1"] },
        { ["BITFIELD", "k", "GET", "u8"] }, { ["BITFIELD", "k"] }, { ["BITFIELD_RO", "k", "GET", "u8", "0"] }, { ["BITOP", "AND", "d", "a", "b"] },
        { ["PFCOUNT", "a", "b"] }, { ["PFMERGE", "d", "a"] }, { ["LCS", "a", "b"] }, { ["RPOPLPUSH", "a", "b"] }, { ["SMOVE", "a", "b", "m"] },
        { ["DEL", "a", "b"] }, { ["WATCH", "a", "b"] }, { ["BLPOP", "a", "b", "0"] }, { ["XADD", "s", "*", "f", "v"] }, { ["TYPE", "k"] },
        { ["MEMORY", "USAGE", "k"] }, { ["MEMORY", "DOCTOR", "x"] }, { ["MEMORY", "NOSUCH", "k"] }, { ["OBJECT", "ENCODING", "k"] },
        { ["XINFO", "STREAM", "s", "FULL"] }, { ["XGROUP", "CREATE", "s", "g", "$"] }, { ["CONFIG", "GET", "x"] },
        { ["PUBLISH", "c", "m"] }, { ["SPUBLISH", "c", "m"] }, { ["SSUBSCRIBE", "a", "b"] }, { ["PING", "x"] }, { ["NOSUCH", "x"] },
        { ["GET", "a", "b"] }, { ["SET", "k"] }, { ["GET"] }, { ["PING"] }, { ["RESTORE", "k", "0", "p"] }, { ["PFDEBUG", "GETREG", "h"] },
    };

    [Theory]
    [MemberData(nameof(KeyedCommands))]
    public async Task GETKEYS_and_GETKEYSANDFLAGS_answer_as_redis_server_for(string[] command)
    {
        await using var pair = await Servers.StartAsync();
        var differences = new List<string>();
        foreach (var protocol in new[] { "2", "3" })
        {
            await pair.BothAsync("HELLO", protocol);
            differences.AddRange(await pair.CompareAsync(["COMMAND", "GETKEYS", .. command]));
            differences.AddRange(await pair.CompareAsync(["COMMAND", "GETKEYSANDFLAGS", .. command]));
        }
        Assert.True(differences.Count == 0, string.Join("\n\n", differences));
    }

    /// <summary>This server and redis-server, one connection to each.</summary>
    private sealed class Servers(InProcessRedis ours, RealRedis real, RespSocket ourSocket, RespClient theirClient) : IAsyncDisposable
    {
        public RespClient Theirs => theirClient;

        public static async Task<Servers> StartAsync()
        {
            var ours = await InProcessRedis.StartAsync(Backend.Epoll);
            var real = await RealRedis.StartAsync();
            return new Servers(ours, real, await ours.ConnectAsync(), await real.ConnectAsync());
        }

        public async Task BothAsync(params string[] command)
        {
            await ourSocket.CommandAsync(command);
            await theirClient.Socket.CommandAsync(command);
        }

        /// <summary>The difference, if any, between the two replies to <paramref name="command"/>, shown as RESP text.</summary>
        public async Task<IEnumerable<string>> CompareAsync(string[] command, bool sortTopLevel = false)
        {
            var expected = Canonical(await theirClient.Socket.CommandAsync(command), sortTopLevel);
            var actual = Canonical(await ourSocket.CommandAsync(command), sortTopLevel);
            return expected == actual ? [] : [$"{string.Join(' ', command)}\nredis-server: {Show(expected)}\nloop-redis:   {Show(actual)}"];
        }

        public async ValueTask DisposeAsync()
        {
            ourSocket.Dispose();
            theirClient.Dispose();
            await real.DisposeAsync();
            await ours.DisposeAsync();
        }
    }

    private enum Order { AsGiven, Elements, Pairs }

    // The reply with what Redis lists in dictionary order sorted: an INFO entry's subcommands (its tenth element), the
    // value of a DOCS "subcommands" key (pairs), and with sortTopLevel the top-level list (COMMAND, COMMAND DOCS).
    private static string Canonical(string reply, bool sortTopLevel)
    {
        var at = 0;
        var order = !sortTopLevel ? Order.AsGiven : reply[0] == '%' || reply.Contains("$7\r\nsummary\r\n") ? Order.Pairs : Order.Elements;
        var canonical = Read(reply, ref at, order);
        Assert.Equal(reply.Length, at);
        return canonical;
    }

    private static string Read(string text, ref int at, Order order)
    {
        var end = text.IndexOf("\r\n", at, StringComparison.Ordinal) + 2;
        var header = text[at..end];
        at = end;
        if (header[0] == '$' && header != "$-1\r\n")
        {
            at += int.Parse(header.AsSpan(1, header.Length - 3)) + 2;
            return header + text[end..at];
        }
        if (header[0] is not ('*' or '~' or '%') || header == "*-1\r\n") { return header; }
        var count = int.Parse(header.AsSpan(1, header.Length - 3)) * (header[0] == '%' ? 2 : 1);
        var children = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var isInfoSubcommands = i == 9 && count == 10 && children[0][0] == '$' && children[1][0] == ':';
            var isDocsSubcommands = i % 2 == 1 && children[i - 1] == "$11\r\nsubcommands\r\n";
            children.Add(Read(text, ref at, isInfoSubcommands ? Order.Elements : isDocsSubcommands ? Order.Pairs : Order.AsGiven));
        }
        IEnumerable<string> ordered = order switch
        {
            Order.Elements => children.Order(StringComparer.Ordinal),
            Order.Pairs => children.Chunk(2).OrderBy(pair => pair[0], StringComparer.Ordinal).SelectMany(pair => pair),
            _ => children,
        };
        return header + string.Concat(ordered);
    }

    private static string Show(string reply) => reply.Length > 2000 ? reply[..2000].Replace("\r\n", " ") + "..." : reply.Replace("\r\n", " ");
}
