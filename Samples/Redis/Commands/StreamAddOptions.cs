using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// XADD's and XTRIM's options, read as Redis's streamParseAddOrTrimArgsOrReply reads them: NOMKSTREAM, MAXLEN or
/// MINID with = or ~, LIMIT (only with ~; without it, ~ trims at most 100 nodes' worth), and for XADD the ID.
/// </summary>
internal readonly record struct StreamAddOptions(StreamTrim? Trim, bool NoMakeStream, bool IdGiven, bool SeqGiven, StreamId Id, int IdPosition)
{
    /// <summary>The options from argument 2 on; false with the error written.</summary>
    public static bool TryParse(Session s, RespCommand c, bool xadd, out StreamAddOptions options)
    {
        options = default;
        bool? approximate = null;
        bool byMinId = false, noMakeStream = false, idGiven = false, seqGiven = false;
        long maxLength = 0, limit = 0;
        var limitGiven = false;
        var minId = StreamId.Zero;
        var id = StreamId.Zero;
        var i = 2;
        for (; i < c.Count; i++)
        {
            var more = c.Count - 1 - i;
            var option = c[i];
            if (xadd && option.Length == 1 && option[0] == (byte)'*') { break; }
            if ((Args.Is(option, "MAXLEN") || Args.Is(option, "MINID")) && more > 0)
            {
                if (approximate is not null) { return Fail(s, "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"); }
                byMinId = Args.Is(option, "MINID");
                approximate = false;
                var next = c[i + 1];
                if (more >= 2 && next.Length == 1 && next[0] is (byte)'~' or (byte)'=')
                {
                    approximate = next[0] == (byte)'~';
                    i++;
                }
                if (byMinId)
                {
                    if (!StreamArgs.TryParseOrReply(s, c[i + 1], out minId)) { return false; }
                }
                else
                {
                    if (!Args.TryLong(c[i + 1], out maxLength)) { return Fail(s, Args.NotInteger); }
                    if (maxLength < 0) { return Fail(s, "ERR The MAXLEN argument must be >= 0."); }
                }
                i++;
            }
            else if (Args.Is(option, "LIMIT") && more > 0)
            {
                if (!Args.TryLong(c[i + 1], out limit)) { return Fail(s, Args.NotInteger); }
                if (limit < 0) { return Fail(s, "ERR The LIMIT argument must be >= 0."); }
                limitGiven = true;
                i++;
            }
            else if (xadd && Args.Is(option, "NOMKSTREAM"))
            {
                noMakeStream = true;
            }
            else if (xadd)
            {
                if (!StreamArgs.TryParse(option, 0, strict: true, allowSeqWildcard: true, out id, out seqGiven)) { return Fail(s, StreamArgs.InvalidId); }
                idGiven = true;
                break;
            }
            else
            {
                return Fail(s, Args.Syntax);
            }
        }
        if (limit != 0 && approximate is null) { return Fail(s, "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"); }
        if (!xadd && approximate is null) { return Fail(s, "ERR syntax error, XTRIM must be called with a trimming strategy"); }
        if (limitGiven && approximate != true) { return Fail(s, "ERR syntax error, LIMIT cannot be used without the special ~ option"); }
        if (!limitGiven) { limit = approximate == true ? s.Server.Config.StreamNodeLimits.ApproximateTrimLimit : 0; }
        var trim = approximate is { } approx ? new StreamTrim(byMinId, maxLength, minId, approx, limit) : (StreamTrim?)null;
        options = new StreamAddOptions(trim, noMakeStream, idGiven, seqGiven, id, i);
        return true;
    }

    private static bool Fail(Session s, string error)
    {
        s.Reply.Error(error);
        return false;
    }
}
