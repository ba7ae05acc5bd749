using System.Buffers;
using System.Runtime.CompilerServices;

namespace Loop.Samples.Redis.Store;

/// <summary>Redis's notification classes (server.h's NOTIFY_*), the letters of notify-keyspace-events.</summary>
[Flags]
internal enum EventClass
{
    None = 0,
    Keyspace = 1 << 0,
    Keyevent = 1 << 1,
    Generic = 1 << 2,
    String = 1 << 3,
    List = 1 << 4,
    Set = 1 << 5,
    Hash = 1 << 6,
    SortedSet = 1 << 7,
    Expired = 1 << 8,
    Evicted = 1 << 9,
    Stream = 1 << 10,
    KeyMiss = 1 << 11,
    Module = 1 << 13,
    New = 1 << 14,
    All = Generic | String | List | Set | Hash | SortedSet | Expired | Evicted | Stream | Module,
}

/// <summary>Where keyspace notifications are published: the pub/sub hub.</summary>
internal interface IChannelPublisher
{
    /// <summary>Sends <paramref name="message"/> to the subscribers of <paramref name="channel"/> and of the patterns matching it.</summary>
    int Publish(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message);
}

/// <summary>
/// Keyspace notifications (Redis's notify.c): a command that changed a key names the change, and with its class
/// enabled it is published as <c>__keyspace@db__:key</c> → event and <c>__keyevent@db__:event</c> → key. Off by
/// default: a change then costs one read of <see cref="Enabled"/> and a branch (see <see cref="Database.Notify"/>).
/// </summary>
internal sealed class KeyspaceEvents
{
    /// <summary>The classes notify-keyspace-events enables (None: off).</summary>
    public EventClass Enabled;

    /// <summary>Where notifications go; none are sent without one.</summary>
    public IChannelPublisher? Publisher;

    /// <summary>Publishes event <paramref name="name"/> of <paramref name="key"/> in database <paramref name="db"/> (its class is enabled).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Publish(ReadOnlySpan<byte> name, ReadOnlySpan<byte> key, int db)
    {
        if (Publisher is not { } publisher) { return; }
        var enabled = Enabled;
        if ((enabled & EventClass.Keyspace) != 0) { PublishOn(publisher, "__keyspace@"u8, db, key, name); }
        if ((enabled & EventClass.Keyevent) != 0) { PublishOn(publisher, "__keyevent@"u8, db, name, key); }
    }

    // Sends message on <prefix><db>__:<suffix>, the channel built on the stack (a pooled array for a long key).
    private static void PublishOn(IChannelPublisher publisher, ReadOnlySpan<byte> prefix, int db, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> message)
    {
        var length = prefix.Length + 11 + 3 + suffix.Length;
        var rented = length > 256 ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> channel = rented is null ? stackalloc byte[256] : rented;
        prefix.CopyTo(channel);
        var at = prefix.Length;
        db.TryFormat(channel[at..], out var digits);
        at += digits;
        "__:"u8.CopyTo(channel[at..]);
        at += 3;
        suffix.CopyTo(channel[at..]);
        publisher.Publish(channel[..(at + suffix.Length)], message);
        if (rented is not null) { ArrayPool<byte>.Shared.Return(rented); }
    }

    /// <summary>Reads the classes as keyspaceEventsStringToFlags does; false for a character that names none.</summary>
    public static bool TryParse(string letters, out EventClass classes)
    {
        classes = EventClass.None;
        foreach (var letter in letters)
        {
            var named = letter switch
            {
                'A' => EventClass.All, 'g' => EventClass.Generic, '$' => EventClass.String, 'l' => EventClass.List,
                's' => EventClass.Set, 'h' => EventClass.Hash, 'z' => EventClass.SortedSet, 'x' => EventClass.Expired,
                'e' => EventClass.Evicted, 'K' => EventClass.Keyspace, 'E' => EventClass.Keyevent, 't' => EventClass.Stream,
                'm' => EventClass.KeyMiss, 'd' => EventClass.Module, 'n' => EventClass.New, _ => EventClass.None,
            };
            if (named == EventClass.None) { return false; }
            classes |= named;
        }
        return true;
    }

    /// <summary>The classes spelled as keyspaceEventsFlagsToString spells them (CONFIG GET): A hides the letters it covers, and n.</summary>
    public static string Format(EventClass classes)
    {
        var text = new System.Text.StringBuilder();
        if ((classes & EventClass.All) == EventClass.All) { text.Append('A'); }
        else
        {
            foreach (var (type, letter) in ClassLetters)
            {
                if ((classes & type) != 0) { text.Append(letter); }
            }
        }
        if ((classes & EventClass.Keyspace) != 0) { text.Append('K'); }
        if ((classes & EventClass.Keyevent) != 0) { text.Append('E'); }
        if ((classes & EventClass.KeyMiss) != 0) { text.Append('m'); }
        return text.ToString();
    }

    private static readonly (EventClass, char)[] ClassLetters =
    [
        (EventClass.Generic, 'g'), (EventClass.String, '$'), (EventClass.List, 'l'), (EventClass.Set, 's'), (EventClass.Hash, 'h'),
        (EventClass.SortedSet, 'z'), (EventClass.Expired, 'x'), (EventClass.Evicted, 'e'), (EventClass.Stream, 't'),
        (EventClass.Module, 'd'), (EventClass.New, 'n'),
    ];
}
