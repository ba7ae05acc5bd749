using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// XREAD's and XREADGROUP's options, read as Redis's xreadCommand reads them: COUNT, BLOCK, GROUP and NOACK (only
/// XREADGROUP), then STREAMS and as many IDs as keys. <see cref="TimeoutMs"/> is -1 without BLOCK.
/// </summary>
internal readonly record struct StreamReadRequest(long Count, long TimeoutMs, int StreamsAt, int StreamCount, int GroupAt, bool NoAck)
{
    public bool HasGroup => GroupAt > 0;

    public int KeyAt(int stream) => StreamsAt + stream;

    public int IdAt(int stream) => StreamsAt + StreamCount + stream;

    /// <summary>
    /// Whether the call may block: a BLOCK option before STREAMS, or arguments the parser would not read as options
    /// (answered yes, to be safe: a call that may block holds the whole keyspace).
    /// </summary>
    public static bool MayBlock(RespCommand c)
    {
        for (var i = 1; i < c.Count; i++)
        {
            if (Args.Is(c[i], "STREAMS")) { return false; }
            if (Args.Is(c[i], "COUNT")) { i++; }
            else if (Args.Is(c[i], "GROUP")) { i += 2; }
            else if (!Args.Is(c[i], "NOACK")) { return true; }
        }
        return true;
    }

    /// <summary>The request; false with the error written.</summary>
    public static bool TryParse(Session s, RespCommand c, bool group, out StreamReadRequest request)
    {
        request = default;
        long count = 0, timeout = -1;
        int streamsAt = 0, groupAt = 0;
        var noAck = false;
        for (var i = 1; i < c.Count; i++)
        {
            var more = c.Count - i - 1;
            var option = c[i];
            if (Args.Is(option, "BLOCK") && more > 0)
            {
                // As Redis, before the timeout is read: a script has no use for waiting.
                if (s.IsScriptClient) { return Fail(s, $"ERR {Args.Text(c[0])} command is not allowed with BLOCK option from scripts"); }
                if (!Args.TryLong(c[++i], out timeout)) { return Fail(s, "ERR timeout is not an integer or out of range"); }
                if (timeout < 0) { return Fail(s, "ERR timeout is negative"); }
            }
            else if (Args.Is(option, "COUNT") && more > 0)
            {
                if (!Args.TryLong(c[++i], out count)) { return Fail(s, Args.NotInteger); }
                if (count < 0) { count = 0; }
            }
            else if (Args.Is(option, "STREAMS") && more > 0)
            {
                streamsAt = i + 1;
                if ((c.Count - streamsAt) % 2 != 0)
                {
                    return Fail(s, "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
                }
                break;
            }
            else if (Args.Is(option, "GROUP") && more >= 2)
            {
                if (!group) { return Fail(s, "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."); }
                groupAt = i + 1;
                i += 2;
            }
            else if (Args.Is(option, "NOACK"))
            {
                if (!group) { return Fail(s, "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."); }
                noAck = true;
            }
            else
            {
                return Fail(s, Args.Syntax);
            }
        }
        if (streamsAt == 0) { return Fail(s, Args.Syntax); }
        if (group && groupAt == 0) { return Fail(s, "ERR Missing GROUP option for XREADGROUP"); }
        request = new StreamReadRequest(count, timeout, streamsAt, (c.Count - streamsAt) / 2, groupAt, noAck);
        return true;
    }

    private static bool Fail(Session s, string error)
    {
        s.Reply.Error(error);
        return false;
    }
}
