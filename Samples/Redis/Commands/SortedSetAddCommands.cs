using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CollectionAccess;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>ZADD with its NX, XX, GT, LT, CH and INCR options, and ZINCRBY (ZADD INCR by another name).</summary>
internal static class SortedSetAddCommands
{
    [Flags]
    public enum AddOptions
    {
        None = 0,
        OnlyNew = 1 << 0,           // NX
        OnlyExisting = 1 << 1,      // XX
        OnlyGreater = 1 << 2,       // GT
        OnlyLess = 1 << 3,          // LT
        CountChanged = 1 << 4,      // CH
        Increment = 1 << 5,         // INCR
    }

    public static void Register(CommandTable t)
    {
        t.Add("zadd", -4, Write | Fast, 1, 1, 1, Add);
        t.Add("zincrby", 4, Write | Fast, 1, 1, 1, (s, c) => AddPairs(s, c, 2, AddOptions.Increment));
    }

    private static void Add(Session s, RespCommand c)
    {
        var options = AddOptions.None;
        var first = 2;
        for (; first < c.Count && Option(c[first]) is { } option; first++) { options |= option; }
        var pairs = c.Count - first;
        if (pairs == 0 || pairs % 2 != 0) { s.Reply.Error(Args.Syntax); return; }
        if (Has(options, AddOptions.OnlyNew | AddOptions.OnlyExisting))
        {
            s.Reply.Error("ERR XX and NX options at the same time are not compatible");
            return;
        }
        if (Has(options, AddOptions.OnlyNew | AddOptions.OnlyGreater) || Has(options, AddOptions.OnlyNew | AddOptions.OnlyLess)
            || Has(options, AddOptions.OnlyGreater | AddOptions.OnlyLess))
        {
            s.Reply.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
            return;
        }
        if (Has(options, AddOptions.Increment) && pairs > 2) { s.Reply.Error("ERR INCR option supports a single increment-element pair"); return; }
        AddPairs(s, c, first, options);
    }

    // Score/member pairs from argument `first` on; every score is checked before anything changes.
    private static void AddPairs(Session s, RespCommand c, int first, AddOptions options)
    {
        var scores = new double[(c.Count - first) / 2];
        for (var i = 0; i < scores.Length; i++)
        {
            if (!Strtod.TryString2d(c[first + 2 * i], out scores[i])) { s.Reply.Error(Args.NotFloat); return; }
        }
        AddScored(s, c, scores, first + 1, 2, options);
    }

    /// <summary>
    /// ZADD's work once the scores are known: member i is argument <paramref name="firstMember"/> + i ×
    /// <paramref name="stride"/> of <paramref name="c"/> (GEOADD computes its scores from coordinates and adds through here).
    /// </summary>
    public static void AddScored(Session s, RespCommand c, double[] scores, int firstMember, int stride, AddOptions options)
    {
        if (!TryGet(s, c[1], out RedisSortedSet? zset)) { return; }
        var increment = Has(options, AddOptions.Increment);
        if (zset is null && Has(options, AddOptions.OnlyExisting))
        {
            if (increment) { s.Reply.Null(); } else { s.Reply.Integer(0); }
            return;
        }
        var created = zset is null;
        zset ??= new RedisSortedSet();
        int added = 0, updated = 0;
        double? result = null;
        for (var i = 0; i < scores.Length; i++)
        {
            var member = c[firstMember + stride * i];
            var node = zset.Find(member);
            if (node is null)
            {
                if (Has(options, AddOptions.OnlyExisting)) { continue; }
                zset.Set(member, scores[i]);
                if (scores[i] == 0) { zset.KeepZeroAsListpack(zset.Find(member)!, s.Server.Config.EncodingThresholds); }
                added++;
                result = scores[i];
                continue;
            }
            if (Has(options, AddOptions.OnlyNew)) { continue; }
            var score = increment ? node.Score + scores[i] : scores[i];
            if (double.IsNaN(score)) { s.Reply.Error("ERR resulting score is not a number (NaN)"); return; }
            if ((Has(options, AddOptions.OnlyGreater) && score <= node.Score) || (Has(options, AddOptions.OnlyLess) && score >= node.Score)) { continue; }
            if (score != node.Score)
            {
                zset.Order.UpdateScore(node, score);
                if (score == 0) { zset.KeepZeroAsListpack(node, s.Server.Config.EncodingThresholds); }
                updated++;
            }
            result = score;
        }
        if (created) { s.Db.Set(c[1], zset); }
        else if (added + updated > 0) { s.Db.Touch(c[1]); }
        if (added + updated > 0) { s.Db.Notify(EventClass.SortedSet, increment ? "zincr"u8 : "zadd"u8, c[1]); }
        if (!increment) { s.Reply.Integer(Has(options, AddOptions.CountChanged) ? added + updated : added); }
        else if (result is { } score) { s.Reply.Double(score); }
        else { s.Reply.Null(); }
    }

    private static AddOptions? Option(ReadOnlySpan<byte> word) =>
        Args.Is(word, "NX") ? AddOptions.OnlyNew
        : Args.Is(word, "XX") ? AddOptions.OnlyExisting
        : Args.Is(word, "GT") ? AddOptions.OnlyGreater
        : Args.Is(word, "LT") ? AddOptions.OnlyLess
        : Args.Is(word, "CH") ? AddOptions.CountChanged
        : Args.Is(word, "INCR") ? AddOptions.Increment
        : null;

    private static bool Has(AddOptions options, AddOptions all) => (options & all) == all;
}
