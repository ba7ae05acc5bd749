using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// What the append-only file gets for the stream changes that would not replay alike (streamPropagateXCLAIM and
/// streamPropagateGroupID): a delivery or claim as an XCLAIM that sets its owner, time and count outright, a group's
/// progress as XGROUP SETID with its read counter. XREADGROUP, XCLAIM and XAUTOCLAIM log only these; XADD logs itself
/// with the ID it generated.
/// </summary>
internal static class StreamPropagation
{
    private static readonly byte[] XClaim = "XCLAIM"u8.ToArray(), XGroup = "XGROUP"u8.ToArray(), SetId = "SETID"u8.ToArray(),
        EntriesRead = "ENTRIESREAD"u8.ToArray(), CreateConsumer = "CREATECONSUMER"u8.ToArray(), Zero = "0"u8.ToArray(), Time = "TIME"u8.ToArray(), RetryCount = "RETRYCOUNT"u8.ToArray(),
        Force = "FORCE"u8.ToArray(), JustId = "JUSTID"u8.ToArray(), LastId = "LASTID"u8.ToArray();

    /// <summary>
    /// A pending entry as it is now: XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID last. Replayed
    /// for an entry deleted since, it drops the pending entry, as claiming it did.
    /// </summary>
    public static void Claimed(Database db, ReadOnlySpan<byte> key, StreamGroup group, StreamPending pending)
    {
        if (db.Log is not { } log) { return; }
        log.Append(db.Index, XClaim, key.ToArray(), group.Name, pending.Consumer!.Name, Zero, Text(pending.Id), Time, Args.Bytes(pending.DeliveryTimeMs),
            RetryCount, Args.Bytes(pending.DeliveryCount), Force, JustId, LastId, Text(group.LastId));
    }

    /// <summary>A consumer a read created (it may deliver nothing that names it): XGROUP CREATECONSUMER key group name.</summary>
    public static void ConsumerCreated(Database db, ReadOnlySpan<byte> key, StreamGroup group, byte[] name) =>
        db.Log?.Append(db.Index, XGroup, CreateConsumer, key.ToArray(), group.Name, name);

    /// <summary>The group's last ID and read counter: XGROUP SETID key group id ENTRIESREAD n.</summary>
    public static void GroupMoved(Database db, ReadOnlySpan<byte> key, StreamGroup group) =>
        db.Log?.Append(db.Index, XGroup, SetId, key.ToArray(), group.Name, Text(group.LastId), EntriesRead, Args.Bytes(group.EntriesRead));

    /// <summary>A command with argument <paramref name="at"/> replaced (XADD's ID by the one it generated).</summary>
    public static void Replaced(Database db, Loop.Protocols.Resp.RespCommand c, int at, StreamId id)
    {
        if (db.Log is not { } log) { return; }
        var arguments = new byte[c.Count][];
        for (var i = 0; i < arguments.Length; i++) { arguments[i] = i == at ? Text(id) : c[i].ToArray(); }
        log.Append(db.Index, arguments);
    }

    private static byte[] Text(StreamId id) => System.Text.Encoding.ASCII.GetBytes(id.ToString());
}
