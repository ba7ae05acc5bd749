using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, the sharded SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH, and PUBSUB
/// CHANNELS / NUMSUB / NUMPAT / SHARDCHANNELS / SHARDNUMSUB / HELP. Shard channels behave as in a standalone Redis 7.0:
/// a namespace apart from PUBLISH's, counted apart in the confirmations; their channels stand where keys would in COMMAND
/// INFO (they pick the cluster slot there) with Redis's not-a-key flag, so GETKEYS finds none and no key is held.
/// </summary>
internal static class PubSubCommands
{
    private const CommandFlags Subscribing = NoScript | InSubscribedContext | NoKeyspace;

    // The shard channels sit where keys would (they pick the cluster slot) but name none: GETKEYS finds nothing.
    private static readonly KeySpec ShardChannels = new(1, -1, 1, NotKey: true);

    public static void Register(CommandTable t)
    {
        t.Add("subscribe", -2, Subscribing, 0, 0, 0, (s, c) => Subscribe(s, c, Subscription.Channel));
        t.Add("psubscribe", -2, Subscribing, 0, 0, 0, (s, c) => Subscribe(s, c, Subscription.Pattern));
        t.Add("ssubscribe", -2, Subscribing, ShardChannels, SubscribeShard);
        t.Add("unsubscribe", -1, Subscribing, 0, 0, 0, (s, c) => Unsubscribe(s, c, Subscription.Channel));
        t.Add("punsubscribe", -1, Subscribing, 0, 0, 0, (s, c) => Unsubscribe(s, c, Subscription.Pattern));
        t.Add("sunsubscribe", -1, Subscribing, ShardChannels, (s, c) => Unsubscribe(s, c, Subscription.Shard));
        t.Add("publish", 3, Fast | NoKeyspace, 0, 0, 0, (s, c) => Publish(s, c, static (pubSub, c) => pubSub.Publish(c[1], c[2])));
        t.Add("spublish", 3, Fast | NoKeyspace, new KeySpec(1, 1, 1, NotKey: true), (s, c) => Publish(s, c, static (pubSub, c) => pubSub.PublishShard(c[1], c[2])));
        t.Add("pubsub", -2, NoKeyspace, 0, 0, 0, Introspect);
    }

    private static void Subscribe(Session s, RespCommand c, Subscription kind)
    {
        for (var i = 1; i < c.Count; i++)
        {
            s.Listen(c[i], kind);
            Confirm(s, kind == Subscription.Pattern ? "psubscribe"u8 : "subscribe"u8, c[i], s.SubscriptionCount);
        }
    }

    // Inside EXEC Redis's client is CLIENT_DENY_BLOCKING, which SSUBSCRIBE refuses (SUBSCRIBE lets MULTI through).
    private static void SubscribeShard(Session s, RespCommand c)
    {
        if (s.InExec) { s.Reply.Error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"); return; }
        for (var i = 1; i < c.Count; i++)
        {
            s.Listen(c[i], Subscription.Shard);
            Confirm(s, "ssubscribe"u8, c[i], s.ShardSubscriptionCount);
        }
    }

    // Without arguments: every name of that kind, or one confirmation with a null name when there is none.
    private static void Unsubscribe(Session s, RespCommand c, Subscription kind)
    {
        var confirmation = kind switch
        {
            Subscription.Pattern => "punsubscribe"u8,
            Subscription.Shard => "sunsubscribe"u8,
            _ => "unsubscribe"u8,
        };
        if (c.Count > 1)
        {
            for (var i = 1; i < c.Count; i++)
            {
                s.StopListening(c[i], kind);
                Confirm(s, confirmation, c[i], Left(s, kind));
            }
            return;
        }
        var all = s.Subscriptions(kind);
        if (all.Length == 0) { Confirm(s, confirmation, default, Left(s, kind), nullName: true); }
        foreach (var name in all)
        {
            s.StopListening(name, kind);
            Confirm(s, confirmation, name, Left(s, kind));
        }
    }

    private static int Left(Session s, Subscription kind) => kind == Subscription.Shard ? s.ShardSubscriptionCount : s.SubscriptionCount;

    // [kind, name, subscriptions left]: a push in RESP3, a plain array in RESP2; sent whatever CLIENT REPLY says.
    private static void Confirm(Session s, ReadOnlySpan<byte> kind, ReadOnlySpan<byte> name, int left, bool nullName = false)
    {
        using var pushing = s.Pushing();
        s.Reply.Push(3);
        s.Reply.Bulk(kind);
        if (nullName) { s.Reply.Null(); } else { s.Reply.Bulk(name); }
        s.Reply.Integer(left);
    }

    // Redis sends PUBLISH and SPUBLISH to its replicas too (not to the append-only file), so that their subscribers hear
    // the message. It goes into the stream holding its channel's stripe of the keyspace, so that it never lands inside
    // another loop's transaction (one is open only under the exclusive hold).
    private static void Publish(Session s, RespCommand c, Func<PubSubHub, RespCommand, int> deliver)
    {
        if (s.Server.Keyspace.ReplicationLog is not { } replicas)
        {
            s.Reply.Integer(deliver(s.Server.PubSub, c));
            return;
        }
        int receivers;
        using (s.HoldStripeOf(c[1]))
        {
            receivers = deliver(s.Server.PubSub, c);
            replicas.Append(s.Db.Index, c);
        }
        s.Reply.Integer(receivers);
    }

    private static readonly string[] Help =
    [
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    ];

    private static void Introspect(Session s, RespCommand c)
    {
        var hub = s.Server.PubSub;
        var sub = c[1];
        var shard = Args.Is(sub, "SHARDCHANNELS") || Args.Is(sub, "SHARDNUMSUB");
        if ((Args.Is(sub, "CHANNELS") || Args.Is(sub, "SHARDCHANNELS")) && c.Count <= 3)
        {
            var channels = hub.Channels(c.Count == 3 ? c[2] : default, all: c.Count == 2, shard);
            s.Reply.Array(channels.Count);
            foreach (var channel in channels) { s.Reply.Bulk(channel); }
        }
        else if (Args.Is(sub, "NUMSUB") || Args.Is(sub, "SHARDNUMSUB"))
        {
            s.Reply.Array((c.Count - 2) * 2);
            for (var i = 2; i < c.Count; i++)
            {
                s.Reply.Bulk(c[i]);
                s.Reply.Integer(hub.SubscriberCount(c[i], shard));
            }
        }
        else if (Args.Is(sub, "NUMPAT") && c.Count == 2) { s.Reply.Integer(hub.PatternCount); }
        else if (Args.Is(sub, "NUMPAT") || (Args.Is(sub, "HELP") && c.Count != 2))
        {
            s.Reply.Error($"ERR wrong number of arguments for 'pubsub|{Args.Text(sub).ToLowerInvariant()}' command");
        }
        else if (Args.Is(sub, "HELP")) { Subcommands.WriteHelp(s, Help); }
        else if (Args.Is(sub, "CHANNELS") || Args.Is(sub, "SHARDCHANNELS")) { s.Reply.Error(Subcommands.Syntax(sub, "PUBSUB")); }
        else { s.Reply.Error(Subcommands.Unknown(sub, "PUBSUB")); }
    }
}
