using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB CHANNELS / NUMSUB / NUMPAT.</summary>
internal static class PubSubCommands
{
    public static void Register(CommandTable t)
    {
        // Only the (un)subscribe commands carry PubSub: it is what a subscribed RESP2 connection may still send.
        t.Add("subscribe", -2, NoScript | PubSub | NoKeyspace, 0, 0, 0, (s, c) => Subscribe(s, c, pattern: false));
        t.Add("psubscribe", -2, NoScript | PubSub | NoKeyspace, 0, 0, 0, (s, c) => Subscribe(s, c, pattern: true));
        t.Add("unsubscribe", -1, NoScript | PubSub | NoKeyspace, 0, 0, 0, (s, c) => Unsubscribe(s, c, pattern: false));
        t.Add("punsubscribe", -1, NoScript | PubSub | NoKeyspace, 0, 0, 0, (s, c) => Unsubscribe(s, c, pattern: true));
        t.Add("publish", 3, Fast | NoKeyspace, 0, 0, 0, Publish);
        t.Add("pubsub", -2, NoKeyspace, 0, 0, 0, Introspect);
    }

    private static void Subscribe(Session s, RespCommand c, bool pattern)
    {
        for (var i = 1; i < c.Count; i++)
        {
            s.Listen(c[i], pattern);
            Confirm(s, pattern ? "psubscribe"u8 : "subscribe"u8, c[i]);
        }
    }

    // Without arguments: every channel (or pattern), or one confirmation with a null name when there is none.
    private static void Unsubscribe(Session s, RespCommand c, bool pattern)
    {
        var kind = pattern ? "punsubscribe"u8 : "unsubscribe"u8;
        if (c.Count > 1)
        {
            for (var i = 1; i < c.Count; i++)
            {
                s.StopListening(c[i], pattern);
                Confirm(s, kind, c[i]);
            }
            return;
        }
        var all = s.Subscriptions(pattern);
        if (all.Length == 0) { Confirm(s, kind, default, nullName: true); }
        foreach (var name in all)
        {
            s.StopListening(name, pattern);
            Confirm(s, kind, name);
        }
    }

    // [kind, name, subscriptions left]: a push in RESP3, a plain array in RESP2.
    private static void Confirm(Session s, ReadOnlySpan<byte> kind, ReadOnlySpan<byte> name, bool nullName = false)
    {
        s.Reply.Push(3);
        s.Reply.Bulk(kind);
        if (nullName) { s.Reply.Null(); } else { s.Reply.Bulk(name); }
        s.Reply.Integer(s.SubscriptionCount);
    }

    private static void Publish(Session s, RespCommand c) => s.Reply.Integer(s.Server.PubSub.Publish(c[1], c[2]));

    private static void Introspect(Session s, RespCommand c)
    {
        var hub = s.Server.PubSub;
        var sub = c[1];
        if (Args.Is(sub, "CHANNELS") && c.Count <= 3)
        {
            var channels = hub.Channels(c.Count == 3 ? c[2] : default, all: c.Count == 2);
            s.Reply.Array(channels.Count);
            foreach (var channel in channels) { s.Reply.Bulk(channel); }
        }
        else if (Args.Is(sub, "NUMSUB"))
        {
            s.Reply.Array((c.Count - 2) * 2);
            for (var i = 2; i < c.Count; i++)
            {
                s.Reply.Bulk(c[i]);
                s.Reply.Integer(hub.SubscriberCount(c[i]));
            }
        }
        else if (Args.Is(sub, "NUMPAT") && c.Count == 2)
        {
            s.Reply.Integer(hub.PatternCount);
        }
        else if (Args.Is(sub, "CHANNELS") || Args.Is(sub, "NUMPAT"))
        {
            s.Reply.Error($"ERR wrong number of arguments for 'pubsub|{Args.Text(sub).ToLowerInvariant()}' command");
        }
        else
        {
            s.Reply.Error($"ERR unknown subcommand '{Args.Text(sub)}'. Try PUBSUB HELP.");
        }
    }
}
