using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

/// <summary>What a subscription names: a channel, a pattern of channels, or a shard channel (SSUBSCRIBE: its own namespace).</summary>
internal enum Subscription { Channel, Pattern, Shard }

/// <summary>A published message, copied once and shared by every receiver on every loop; <paramref name="Shard"/>: SPUBLISH's.</summary>
internal sealed record PubSubMessage(byte[] Channel, byte[] Payload, bool Shard = false);

/// <summary>
/// Who listens to what: channels, patterns and shard channels mapped to their subscribed sessions, across all loops.
/// Its own lock, apart from the keyspace's: publishing touches no key, and a publish delivers (or posts) to every
/// receiver while holding it, so all subscribers see the publishes in one order, each publisher's in its own. Shard
/// channels are a namespace of their own, as in Redis 7.0 standalone: SPUBLISH reaches only SSUBSCRIBE's subscribers,
/// and no pattern.
/// </summary>
internal sealed class PubSubHub : IChannelPublisher
{
    private readonly Lock _gate = new();
    private readonly Dictionary<byte[], HashSet<Session>> _channels = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], HashSet<Session>> _patterns = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], HashSet<Session>> _shardChannels = new(ByteArrayComparer.Instance);

    /// <summary>Channels (or shard channels) with at least one subscriber matching <paramref name="pattern"/> (all when <paramref name="all"/>), a copy.</summary>
    public List<byte[]> Channels(ReadOnlySpan<byte> pattern, bool all, bool shard = false)
    {
        lock (_gate)
        {
            var channels = new List<byte[]>();
            foreach (var channel in (shard ? _shardChannels : _channels).Keys)
            {
                if (all || Glob.Match(pattern, channel)) { channels.Add(channel); }
            }
            return channels;
        }
    }

    /// <summary>Distinct patterns with at least one subscriber.</summary>
    public int PatternCount
    {
        get { lock (_gate) { return _patterns.Count; } }
    }

    /// <summary>Channels (or shard channels) with at least one subscriber.</summary>
    public int ChannelCount(bool shard)
    {
        lock (_gate) { return (shard ? _shardChannels : _channels).Count; }
    }

    public int SubscriberCount(ReadOnlySpan<byte> channel, bool shard = false)
    {
        lock (_gate)
        {
            var map = shard ? _shardChannels : _channels;
            return map.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(channel, out var sessions) ? sessions.Count : 0;
        }
    }

    public void Add(byte[] name, Subscription kind, Session session)
    {
        lock (_gate)
        {
            var map = MapOf(kind);
            if (!map.TryGetValue(name, out var sessions)) { map[name] = sessions = []; }
            sessions.Add(session);
        }
    }

    public void Remove(byte[] name, Subscription kind, Session session)
    {
        lock (_gate)
        {
            var map = MapOf(kind);
            if (map.TryGetValue(name, out var sessions) && sessions.Remove(session) && sessions.Count == 0) { map.Remove(name); }
        }
    }

    private Dictionary<byte[], HashSet<Session>> MapOf(Subscription kind) =>
        kind switch { Subscription.Pattern => _patterns, Subscription.Shard => _shardChannels, _ => _channels };

    /// <summary>Sends the message to every subscriber of the channel and of each matching pattern; returns how many.</summary>
    public int Publish(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> payload)
    {
        lock (_gate) { return PublishLocked(channel, payload); }
    }

    /// <summary>SPUBLISH: sends the message to every subscriber of the shard channel; returns how many.</summary>
    public int PublishShard(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            if (!_shardChannels.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(channel, out var subscribers)) { return 0; }
            var message = new PubSubMessage(channel.ToArray(), payload.ToArray(), Shard: true);
            foreach (var subscriber in subscribers) { Deliver(subscriber, null, message); }
            return subscribers.Count;
        }
    }

    private int PublishLocked(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> payload)
    {
        PubSubMessage? message = null;
        var receivers = 0;
        if (_channels.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(channel, out var subscribers))
        {
            message = new PubSubMessage(channel.ToArray(), payload.ToArray());
            foreach (var subscriber in subscribers) { Deliver(subscriber, null, message); }
            receivers += subscribers.Count;
        }
        foreach (var (pattern, sessions) in _patterns)
        {
            if (!Glob.Match(pattern, channel)) { continue; }
            message ??= new PubSubMessage(channel.ToArray(), payload.ToArray());
            foreach (var subscriber in sessions) { Deliver(subscriber, pattern, message); }
            receivers += sessions.Count;
        }
        return receivers;
    }

    // On the subscriber's own thread, write now. Otherwise post to its loop: posts run in FIFO order per
    // loop, so each publisher's messages arrive in the order it published them.
    private static void Deliver(Session subscriber, byte[]? pattern, PubSubMessage message)
    {
        var loop = subscriber.Client.Loop;
        if (loop.IsLoopThread) { subscriber.Receive(subscriber.Id, pattern, message); return; }
        loop.Post(static state => ((Delivery)state!).Run(), new Delivery(subscriber, subscriber.Id, pattern, message));
    }

    // The session's id rides along because sessions are pooled: by the time the post runs, the object may serve another client.
    private sealed record Delivery(Session Subscriber, long SessionId, byte[]? Pattern, PubSubMessage Message)
    {
        public void Run() => Subscriber.Receive(SessionId, Pattern, Message);
    }
}
