using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

// The channels and patterns one session listens to. Changed and read only on the session's own loop
// thread (its commands, its close, messages delivered to it); the hub keeps the reverse map.
internal sealed partial class Session
{
    private readonly HashSet<byte[]> _channels = new(ByteArrayComparer.Instance);
    private readonly HashSet<byte[]> _patterns = new(ByteArrayComparer.Instance);

    /// <summary>The channels (or patterns) subscribed to, in a copy that may outlive unsubscribing.</summary>
    public byte[][] Subscriptions(bool pattern) => [.. pattern ? _patterns : _channels];

    /// <summary>Starts listening to a channel or pattern (again is a no-op). Loop thread only.</summary>
    public void Listen(ReadOnlySpan<byte> name, bool pattern)
    {
        var names = pattern ? _patterns : _channels;
        if (names.GetAlternateLookup<ReadOnlySpan<byte>>().Contains(name)) { return; }
        var copy = name.ToArray();
        names.Add(copy);
        server.PubSub.Add(copy, pattern, this);
        SubscriptionCount++;
    }

    /// <summary>Stops listening to a channel or pattern (not listening is a no-op). Loop thread only.</summary>
    public void StopListening(ReadOnlySpan<byte> name, bool pattern)
    {
        var names = pattern ? _patterns : _channels;
        if (!names.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(name, out var stored)) { return; }
        names.Remove(stored);
        server.PubSub.Remove(stored, pattern, this);
        SubscriptionCount--;
    }

    /// <summary>
    /// Writes a published message, unless this session has since closed, been reused by another client, or
    /// stopped listening (a message posted from another loop may arrive after an UNSUBSCRIBE ran here).
    /// </summary>
    public void Receive(long sessionId, byte[]? pattern, PubSubMessage message)
    {
        var listening = pattern is null ? _channels.Contains(message.Channel) : _patterns.Contains(pattern);
        if (sessionId != Id || !listening || Client.IsClosing) { return; }
        Reply.Push(pattern is null ? 3 : 4);
        Reply.Bulk(pattern is null ? "message"u8 : "pmessage"u8);
        if (pattern is not null) { Reply.Bulk(pattern); }
        Reply.Bulk(message.Channel);
        Reply.Bulk(message.Payload);
    }

    partial void LeaveAllChannels()
    {
        foreach (var channel in _channels) { server.PubSub.Remove(channel, pattern: false, this); }
        foreach (var pattern in _patterns) { server.PubSub.Remove(pattern, pattern: true, this); }
        _channels.Clear();
        _patterns.Clear();
        SubscriptionCount = 0;
    }
}
