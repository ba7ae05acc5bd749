using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

// The channels, patterns and shard channels one session listens to. Changed and read only on the session's own loop
// thread (its commands, its close, messages delivered to it); the hub keeps the reverse map.
internal sealed partial class Session
{
    private readonly HashSet<byte[]> _channels = new(ByteArrayComparer.Instance);
    private readonly HashSet<byte[]> _patterns = new(ByteArrayComparer.Instance);
    private readonly HashSet<byte[]> _shardChannels = new(ByteArrayComparer.Instance);

    /// <summary>Channels plus patterns subscribed to: what (P)SUBSCRIBE's confirmations count.</summary>
    public int SubscriptionCount => _channels.Count + _patterns.Count;

    /// <summary>Shard channels subscribed to: what SSUBSCRIBE's confirmations count, apart from the others, as Redis 7.0 counts them.</summary>
    public int ShardSubscriptionCount => _shardChannels.Count;

    /// <summary>Subscribed to anything: a RESP2 connection then only takes the pub/sub commands, PING, QUIT and RESET.</summary>
    public bool Subscribed => SubscriptionCount + ShardSubscriptionCount > 0;

    /// <summary>How many names of one kind are subscribed to (CLIENT LIST's sub, psub, ssub).</summary>
    public int CountOf(Subscription kind) => NamesOf(kind).Count;

    /// <summary>The names subscribed to of one kind, in a copy that may outlive unsubscribing.</summary>
    public byte[][] Subscriptions(Subscription kind) => [.. NamesOf(kind)];

    private HashSet<byte[]> NamesOf(Subscription kind) =>
        kind switch { Subscription.Pattern => _patterns, Subscription.Shard => _shardChannels, _ => _channels };

    /// <summary>Starts listening to a channel, pattern or shard channel (again is a no-op). Loop thread only.</summary>
    public void Listen(ReadOnlySpan<byte> name, Subscription kind)
    {
        var names = NamesOf(kind);
        if (names.GetAlternateLookup<ReadOnlySpan<byte>>().Contains(name)) { return; }
        var copy = name.ToArray();
        names.Add(copy);
        server.PubSub.Add(copy, kind, this);
    }

    /// <summary>Stops listening to a channel, pattern or shard channel (not listening is a no-op). Loop thread only.</summary>
    public void StopListening(ReadOnlySpan<byte> name, Subscription kind)
    {
        var names = NamesOf(kind);
        if (!names.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(name, out var stored)) { return; }
        names.Remove(stored);
        server.PubSub.Remove(stored, kind, this);
    }

    /// <summary>
    /// Writes a published message, unless this session has since closed, been reused by another client, or
    /// stopped listening (a message posted from another loop may arrive after an UNSUBSCRIBE ran here).
    /// </summary>
    public void Receive(long sessionId, byte[]? pattern, PubSubMessage message)
    {
        var listening = message.Shard ? _shardChannels.Contains(message.Channel)
            : pattern is null ? _channels.Contains(message.Channel) : _patterns.Contains(pattern);
        if (sessionId != Id || !listening || Client.IsClosing) { return; }
        using var pushing = Pushing();
        Reply.Push(pattern is null ? 3 : 4);
        Reply.Bulk(message.Shard ? "smessage"u8 : pattern is null ? "message"u8 : "pmessage"u8);
        if (pattern is not null) { Reply.Bulk(pattern); }
        Reply.Bulk(message.Channel);
        Reply.Bulk(message.Payload);
    }

    partial void LeaveAllChannels()
    {
        foreach (var kind in (ReadOnlySpan<Subscription>)[Subscription.Channel, Subscription.Pattern, Subscription.Shard])
        {
            var names = NamesOf(kind);
            foreach (var name in names) { server.PubSub.Remove(name, kind, this); }
            names.Clear();
        }
    }
}
