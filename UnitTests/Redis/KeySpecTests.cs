using System.Text;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;

namespace Loop.UnitTests.Redis;

/// <summary>What GETKEYS reports (Redis's key specs) and what the keyspace lock holds (what the command touches).</summary>
public sealed class KeySpecTests
{
    [Fact]
    public void Xreadgroup_reports_what_redis_finds_after_the_word_streams_and_holds_the_streams_its_options_name()
    {
        var spec = new KeySpec(0, 0, 0, Options: OptionKeys.GroupStreamsHalf);
        // The group is named STREAMS: Redis's spec takes it for the keyword; the command reads it as the group.
        var command = Command("XREADGROUP", "COUNT", "1", "GROUP", "STREAMS", "c", "STREAMS", "s", ">");
        Assert.Equal([5, 6], Positions(spec.Of(command)));
        Assert.Equal([7], Positions(spec.Touched(command)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("3")]
    [InlineData("-1")]
    [InlineData("x")]
    public void A_key_count_out_of_range_names_no_key_at_all(string count)
    {
        var spec = new KeySpec(1, 1, 1, NumKeysAt: 2);
        var command = Command("ZUNIONSTORE", "d", count, "a", "b");
        Assert.Empty(Positions(spec.Of(command)));
        Assert.Empty(Positions(spec.Touched(command)));
        Assert.Equal([1, 3, 4], Positions(spec.Of(Command("ZUNIONSTORE", "d", "2", "a", "b"))));
    }

    private static RespCommand Command(params string[] words)
    {
        var input = Encoding.ASCII.GetBytes(string.Concat(words));
        var arguments = new RespArgument[words.Length];
        for (int i = 0, start = 0; i < words.Length; start += words[i].Length, i++) { arguments[i] = new RespArgument(start, words[i].Length, false); }
        return new RespCommand(input, [], arguments);
    }

    private static List<int> Positions(KeyPositions positions)
    {
        var list = new List<int>();
        foreach (var position in positions) { list.Add(position); }
        return list;
    }
}
