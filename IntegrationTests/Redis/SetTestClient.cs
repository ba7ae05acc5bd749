namespace Loop.IntegrationTests.Redis;

/// <summary>
/// A <see cref="RespSocket"/> whose replies are rendered compactly, type markers kept, so a test asserts a value
/// and its RESP type at once: <c>:3</c> integer, <c>a</c> bulk string (<c>""</c> when empty), <c>+OK</c>,
/// <c>-ERR ...</c>, <c>,1.5</c> double, <c>(nil)</c> RESP2 null bulk, <c>(nil array)</c> RESP2 null array,
/// <c>_</c> RESP3 null, <c>[a b]</c> array, <c>~[a b]</c> set, <c>%[k v]</c> map.
/// </summary>
internal sealed class SetTestClient(RespSocket socket)
{
    public const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";

    public static async Task<SetTestClient> ConnectAsync(InProcessRedis redis) => new(await redis.ConnectAsync());

    /// <summary>Two clients on different loops, so that what one writes must reach the other across loops.</summary>
    public static async Task<(SetTestClient, SetTestClient)> OnBothLoopsAsync(InProcessRedis redis)
    {
        var first = await redis.ConnectAsync();
        var second = await redis.ConnectOnAnotherLoopAsync(await redis.LoopOfAsync(first));
        return (new SetTestClient(first), new SetTestClient(second));
    }

    /// <summary>Sends a command whose arguments are separated by single spaces; returns the rendered reply.</summary>
    public Task<string> Ask(string command) => AskArgs(command.Split(' '));

    /// <summary>Sends a command without waiting for its reply (a blocking one): <see cref="Receive"/> reads it.</summary>
    public Task Send(string command) => socket.SendAsync(RespSocket.Encode(command.Split(' ')));

    /// <summary>The next reply, rendered.</summary>
    public async Task<string> Receive()
    {
        var position = 0;
        return Render(await socket.ReadReplyAsync(), ref position, sorted: false);
    }

    /// <summary>Like <see cref="Ask"/>, with the reply's elements sorted: for sets, whose order is arbitrary.</summary>
    public async Task<string> AskSorted(string command)
    {
        var position = 0;
        return Render(await socket.CommandAsync(command.Split(' ')), ref position, sorted: true);
    }

    public async Task<string> AskArgs(params string[] arguments)
    {
        var position = 0;
        return Render(await socket.CommandAsync(arguments), ref position, sorted: false);
    }

    /// <summary>
    /// WATCHes <paramref name="key"/>, queues <paramref name="read"/> in a MULTI, lets <paramref name="writer"/> send
    /// <paramref name="change"/>, and returns EXEC's reply: <c>(nil array)</c> when the change counted as a write to the key.
    /// </summary>
    public async Task<string> ExecAfter(string key, string read, SetTestClient writer, string change)
    {
        await Ask($"WATCH {key}");
        await Ask("MULTI");
        await Ask(read);
        await writer.Ask(change);
        return await Ask("EXEC");
    }

    // Renders the reply starting at `position` in the raw RESP text and moves past it.
    private static string Render(string resp, ref int position, bool sorted)
    {
        var lineEnd = resp.IndexOf("\r\n", position, StringComparison.Ordinal);
        var (marker, header) = (resp[position], resp[(position + 1)..lineEnd]);
        position = lineEnd + 2;
        switch (marker)
        {
            case '$' when header == "-1": return "(nil)";
            case '*' when header == "-1": return "(nil array)";
            case '$':
                var text = resp.Substring(position, int.Parse(header));
                position += text.Length + 2;
                return text.Length == 0 ? "\"\"" : text;
            case '*' or '~' or '%':
                var items = new List<string>();
                for (var i = int.Parse(header) * (marker == '%' ? 2 : 1); i > 0; i--) { items.Add(Render(resp, ref position, sorted: false)); }
                if (sorted) { items.Sort(StringComparer.Ordinal); }
                return $"{(marker == '*' ? "" : marker)}[{string.Join(' ', items)}]";
            default: return marker + header;
        }
    }
}
