using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD, parsed as Redis's zunionInterDiffGenericCommand does.
/// A missing key counts as an empty set, and a plain set as a sorted set whose scores are all 1.
/// </summary>
internal static class SortedSetAlgebraCommands
{
    private enum Operation { Intersection, Union, Difference }

    /// <summary>What the command does with the result: replies with it, stores it, or counts it (ZINTERCARD).</summary>
    private enum Form { Reply, Store, Cardinality }

    private enum Aggregate { Sum, Min, Max }

    /// <summary>The options after the keys; <see cref="Limit"/> 0 means no limit.</summary>
    private readonly record struct Options(Aggregate Aggregate, bool WithScores, long Limit);

    public static void Register(CommandTable t)
    {
        // As in Redis's COMMAND INFO, the key range covers the destination only (none without one): numkeys places the inputs.
        t.Add("zunion", -3, ReadOnly, new KeySpec(0, 0, 0, NumKeysAt: 1), (s, c) => Execute(s, c, Operation.Union, Form.Reply));
        t.Add("zinter", -3, ReadOnly, new KeySpec(0, 0, 0, NumKeysAt: 1), (s, c) => Execute(s, c, Operation.Intersection, Form.Reply));
        t.Add("zdiff", -3, ReadOnly, new KeySpec(0, 0, 0, NumKeysAt: 1), (s, c) => Execute(s, c, Operation.Difference, Form.Reply));
        t.Add("zunionstore", -4, Write, new KeySpec(1, 1, 1, NumKeysAt: 2), (s, c) => Execute(s, c, Operation.Union, Form.Store));
        t.Add("zinterstore", -4, Write, new KeySpec(1, 1, 1, NumKeysAt: 2), (s, c) => Execute(s, c, Operation.Intersection, Form.Store));
        t.Add("zdiffstore", -4, Write, new KeySpec(1, 1, 1, NumKeysAt: 2), (s, c) => Execute(s, c, Operation.Difference, Form.Store));
        t.Add("zintercard", -3, ReadOnly, new KeySpec(0, 0, 0, NumKeysAt: 1), (s, c) => Execute(s, c, Operation.Intersection, Form.Cardinality));
    }

    private static void Execute(Session s, RespCommand c, Operation operation, Form form)
    {
        var numKeysAt = form == Form.Store ? 2 : 1;
        if (!TryLoad(s, c, numKeysAt, out var inputs)) { return; }
        if (!TryParseOptions(s, c, numKeysAt + 1 + inputs.Count, operation, form, inputs, out var options)) { return; }
        var result = operation switch
        {
            Operation.Intersection => Intersect(inputs, options.Aggregate, options.Limit),
            Operation.Union => Union(inputs, options.Aggregate),
            _ => Difference(inputs),
        };
        if (form == Form.Reply)
        {
            SortedSetCommands.ReplyMembers(s, result.Count, SkipList.Walk(result.Order.First, reverse: false), options.WithScores);
            return;
        }
        if (form == Form.Store)
        {
            result.KeepZerosAsListpack(s.Server.Config.EncodingThresholds);
            s.Db.Store(c[1], result, EventClass.SortedSet, operation switch
            {
                Operation.Intersection => "zinterstore"u8,
                Operation.Union => "zunionstore"u8,
                _ => "zdiffstore"u8,
            });
        }
        s.Reply.Integer(result.Count);
    }

    /// <summary>
    /// Reads numkeys at <paramref name="numKeysAt"/> and the inputs after it; false, with the error written, for a bad
    /// count or a key holding neither a sorted set nor a set. As in Redis, the keys are read before the options.
    /// </summary>
    private static bool TryLoad(Session s, RespCommand c, int numKeysAt, out List<Input> inputs)
    {
        inputs = [];
        if (!Args.TryLong(c[numKeysAt], out var count)) { s.Reply.Error(Args.NotInteger); return false; }
        if (count < 1) { s.Reply.Error($"ERR at least 1 input key is needed for '{Args.Text(c[0]).ToLowerInvariant()}' command"); return false; }
        if (count > c.Count - numKeysAt - 1) { s.Reply.Error(Args.Syntax); return false; }
        for (var i = numKeysAt + 1; i <= numKeysAt + count; i++)
        {
            var value = s.Db.Read(c[i]);
            if (value is not (null or RedisSortedSet or RedisSet)) { s.Reply.Error(Args.WrongType); return false; }
            inputs.Add(new Input((IRedisCollection?)value));
        }
        return true;
    }

    // WEIGHTS and AGGREGATE combine scores (not ZDIFF's, not ZINTERCARD's), WITHSCORES needs a reply, LIMIT a count.
    private static bool TryParseOptions(Session s, RespCommand c, int first, Operation operation, Form form, List<Input> inputs, out Options options)
    {
        options = new Options(Aggregate.Sum, WithScores: false, Limit: 0);
        var combines = operation != Operation.Difference && form != Form.Cardinality;
        for (var i = first; i < c.Count; i++)
        {
            var remaining = c.Count - i;
            if (combines && remaining > inputs.Count && Args.Is(c[i], "WEIGHTS"))
            {
                foreach (var input in inputs)
                {
                    if (!Strtod.TryString2d(c[++i], out var weight)) { s.Reply.Error("ERR weight value is not a float"); return false; }
                    input.Weight = weight;
                }
            }
            else if (combines && remaining >= 2 && Args.Is(c[i], "AGGREGATE"))
            {
                var name = c[++i];
                Aggregate? aggregate = Args.Is(name, "SUM") ? Aggregate.Sum : Args.Is(name, "MIN") ? Aggregate.Min : Args.Is(name, "MAX") ? Aggregate.Max : null;
                if (aggregate is null) { s.Reply.Error(Args.Syntax); return false; }
                options = options with { Aggregate = aggregate.Value };
            }
            else if (form == Form.Reply && Args.Is(c[i], "WITHSCORES")) { options = options with { WithScores = true }; }
            else if (form == Form.Cardinality && remaining >= 2 && Args.Is(c[i], "LIMIT"))
            {
                if (!Args.TryLong(c[++i], out var limit) || limit < 0) { s.Reply.Error("ERR LIMIT can't be negative"); return false; }
                options = options with { Limit = limit };
            }
            else { s.Reply.Error(Args.Syntax); return false; }
        }
        return true;
    }

    /// <summary>The members every input holds, stopping at <paramref name="limit"/> of them (0: no limit).</summary>
    private static RedisSortedSet Intersect(List<Input> inputs, Aggregate aggregate, long limit)
    {
        var result = new RedisSortedSet();
        // Walking the smallest input tests the fewest candidates; the others are combined in size order, as in Redis.
        var bySize = inputs.OrderBy(input => input.Count).ToList();
        foreach (var (member, score) in bySize[0].Members)
        {
            if (ScoreInAll(bySize, member, score, aggregate) is not { } total) { continue; }
            result.Set(member, total);
            if (result.Count == limit) { break; }
        }
        return result;
    }

    /// <summary>The combined score of a member of the first input, or null when another input lacks it.</summary>
    private static double? ScoreInAll(List<Input> inputs, byte[] member, double score, Aggregate aggregate)
    {
        var total = inputs[0].Weigh(score);
        foreach (var other in inputs.Skip(1))
        {
            if (other.ScoreOf(member) is not { } found) { return null; }
            total = Combine(total, other.Weigh(found), aggregate);
        }
        return total;
    }

    private static RedisSortedSet Union(List<Input> inputs, Aggregate aggregate)
    {
        var result = new RedisSortedSet();
        foreach (var input in inputs.OrderBy(input => input.Count))
        {
            foreach (var (member, score) in input.Members)
            {
                var weighted = input.Weigh(score);
                result.Set(member, result.Find(member) is { } node ? Combine(node.Score, weighted, aggregate) : weighted);
            }
        }
        return result;
    }

    /// <summary>The members of the first input that no other holds, with their scores there.</summary>
    private static RedisSortedSet Difference(List<Input> inputs)
    {
        var result = new RedisSortedSet();
        foreach (var (member, score) in inputs[0].Members)
        {
            if (!inputs.Skip(1).Any(input => input.ScoreOf(member) is not null)) { result.Set(member, score); }
        }
        return result;
    }

    // MIN and MAX compare as Redis does, so of two equal scores (0 and -0) the first stays.
    private static double Combine(double total, double score, Aggregate aggregate) => aggregate switch
    {
        Aggregate.Sum => ZeroIfNaN(total + score),
        Aggregate.Min => score < total ? score : total,
        _ => score > total ? score : total,
    };

    // inf + -inf and 0 × inf are NaN, which Redis counts as 0.
    private static double ZeroIfNaN(double score) => double.IsNaN(score) ? 0 : score;

    /// <summary>An input key read as a sorted set, with its weight.</summary>
    private sealed class Input(IRedisCollection? source)
    {
        public double Weight { get; set; } = 1;

        public int Count => source switch { RedisSortedSet zset => zset.Count, RedisSet set => set.Count, _ => 0 };

        public IEnumerable<(byte[] Member, double Score)> Members => source switch
        {
            RedisSortedSet zset => SkipList.Walk(zset.Order.First, reverse: false).Select(node => (node.Member, node.Score)),
            RedisSet set => set.Members.Select(member => (member, 1.0)),
            _ => [],
        };

        public double? ScoreOf(byte[] member) => source switch
        {
            RedisSortedSet zset => zset.Find(member)?.Score,
            RedisSet set when set.Contains(member) => 1,
            _ => null,
        };

        public double Weigh(double score) => ZeroIfNaN(Weight * score);
    }
}
