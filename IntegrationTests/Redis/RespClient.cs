using System.Net;
using System.Text;

namespace Loop.IntegrationTests.Redis;

/// <summary>An error reply (<c>-WRONGTYPE ...</c>), told apart from a string reply.</summary>
internal sealed record RespError(string Message)
{
    public static readonly RespError WrongType = new("WRONGTYPE Operation against a key holding the wrong kind of value");
}

/// <summary>A RESP3 push (<c>&gt;</c>), told apart from an array; equal when its items are.</summary>
internal sealed record Push(object?[] Items)
{
    public bool Equals(Push? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => Items.Length;

    public override string ToString() => $">[{string.Join(", ", Items.Select(i => i ?? "(nil)"))}]";
}

/// <summary>
/// A <see cref="RespSocket"/> whose replies are read as values: a string (simple, bulk or double), a long (integer),
/// a <see cref="RespError"/>, null (RESP2 or RESP3 null), a <see cref="Push"/>, or an <c>object?[]</c> (array, set,
/// or a map's keys and values in turn).
/// </summary>
internal sealed class RespClient(RespSocket socket) : IDisposable
{
    private readonly StringBuilder _queued = new();

    /// <summary>The connection underneath, for the helpers that take one (which loop serves it, ...).</summary>
    public RespSocket Socket { get; } = socket;

    public static async Task<RespClient> ConnectAsync(IPEndPoint endPoint) => new(await RespSocket.ConnectAsync(endPoint));

    /// <summary>Sends one command and reads its reply.</summary>
    public async Task<object?> CallAsync(params string[] arguments) => Parse(await Socket.CommandAsync(arguments));

    /// <summary>Sends one command without waiting for its reply (pipelining, blocking commands).</summary>
    public Task SendAsync(params string[] arguments) => Socket.SendAsync(RespSocket.Encode(arguments));

    /// <summary>Queues one command; <see cref="FlushAsync"/> sends everything queued in one write.</summary>
    public void Queue(params string[] arguments) => _queued.Append(RespSocket.Encode(arguments));

    public async Task FlushAsync()
    {
        await Socket.SendAsync(_queued.ToString());
        _queued.Clear();
    }

    /// <summary>The next reply.</summary>
    public async Task<object?> ReadAsync() => Parse(await Socket.ReadReplyAsync());

    public void Dispose() => Socket.Dispose();

    private static object? Parse(string resp)
    {
        var position = 0;
        return Parse(resp, ref position);
    }

    // Reads the value starting at `position` in the raw RESP text and moves past it.
    private static object? Parse(string resp, ref int position)
    {
        var lineEnd = resp.IndexOf("\r\n", position, StringComparison.Ordinal);
        var (marker, body) = (resp[position], resp[(position + 1)..lineEnd]);
        position = lineEnd + 2;
        switch (marker)
        {
            case '+' or ',': return body;
            case '-': return new RespError(body);
            case ':': return long.Parse(body);
            case '_': return null;
            case '$' or '*' when body == "-1": return null;
            case '$' or '=': // '=': a verbatim string, its format ("txt:") kept
                var text = resp.Substring(position, int.Parse(body));
                position += text.Length + 2;
                return text;
            case '*' or '~' or '%' or '>':
                var items = new object?[int.Parse(body) * (marker == '%' ? 2 : 1)];
                for (var i = 0; i < items.Length; i++) { items[i] = Parse(resp, ref position); }
                return marker == '>' ? new Push(items) : items;
            default: throw new InvalidDataException($"Unexpected reply: {resp}");
        }
    }
}
