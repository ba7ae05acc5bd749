using System.Text;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Store;

namespace Loop.UnitTests.Redis;

/// <summary>
/// The geohash arithmetic against values redis-server 7.0.15 gave, C's fixed-point printing, the cost of a search in a
/// large set, and the keys a GEORADIUS ... STORE holds.
/// </summary>
public sealed class GeoTests
{
    [Theory]
    [InlineData(13.361389, 38.115556, 3479099956230698UL)]
    [InlineData(15.087269, 37.502669, 3479447370796909UL)]
    [InlineData(-180, -85.05112878, 0UL)]
    [InlineData(0, 85.05112878, 6755399441055744UL)] // the upper edge spills into bit 52, as in Redis
    [InlineData(180, 85.05112878, 13510798882111488UL)]
    public void Scores_are_redis_geohashes(double longitude, double latitude, ulong score) => Assert.Equal(score, GeoHash.Score(longitude, latitude));

    [Theory]
    [InlineData(3479099956230698.0, "13.36138933897018433", "38.11555639549629859", "sqc8b49rny0")]
    [InlineData(13510798882111488.0, "180", "85.0511287799999991", "bp05b5048p0")]
    [InlineData(0.0, "-179.99999731779098511", "-85.05112751263942528", "00bh0hbj200")]
    public void Scores_decode_to_cell_centres_and_standard_geohash_text(double score, string longitude, string latitude, string text)
    {
        var (x, y) = GeoHash.Decode(score);
        Assert.Equal(longitude, Human(x));
        Assert.Equal(latitude, Human(y));
        var buffer = new byte[11];
        GeoHash.Text(score, buffer);
        Assert.Equal(text, Encoding.ASCII.GetString(buffer));
    }

    [Theory]
    [InlineData(166274.15156960033, 4, "166274.1516")]
    [InlineData(0.125, 2, "0.12")] // an exact tie goes to the even digit, as glibc's printf rounds it
    [InlineData(0.375, 2, "0.38")]
    [InlineData(2.5, 0, "2")]
    [InlineData(0.00005, 4, "0.0001")] // not a tie in binary: slightly above
    [InlineData(-0.0, 6, "-0.000000")]
    [InlineData(200, 6, "200.000000")]
    [InlineData(1e300, 0, "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160")]
    [InlineData(double.PositiveInfinity, 6, "inf")]
    public void Fixed_point_prints_the_exact_binary_value_as_printf_does(double value, int decimals, string text)
    {
        Assert.Equal(text, FixedPoint.ToString(value, decimals));
        if (Math.Abs(value) < 1e19 && double.IsFinite(value))
        {
            var buffer = new byte[FixedPoint.MaxFastLength];
            Assert.Equal(text, Encoding.ASCII.GetString(buffer, 0, FixedPoint.Format(value, decimals, buffer)));
        }
    }

    [Theory]
    [InlineData(-0.0, "0")]
    [InlineData(180.0, "180")]
    [InlineData(0.5, "0.5")]
    [InlineData(-1e-18, "0")] // "-0.00000000000000000" cut to "-0", then "0"
    public void Human_long_doubles_lose_their_trailing_zeros(double value, string text) => Assert.Equal(text, Human(value));

    [Fact]
    public void A_small_search_in_a_large_set_examines_only_the_members_of_its_cells()
    {
        var random = new Random(1);
        var zset = new RedisSortedSet();
        for (var i = 0; i < 200_000; i++)
        {
            zset.Set(Encoding.ASCII.GetBytes($"m{i}"), GeoHash.Score(random.NextDouble() * 360 - 180, random.NextDouble() * 170 - 85));
        }
        zset.Set("here"u8, GeoHash.Score(2.35, 48.85));
        var found = new List<GeoMatch>();
        var examined = GeoSearch.Search(zset, GeoShape.Circle(2.35, 48.85, 1, 1000), 0, found);
        Assert.Equal("here", Encoding.ASCII.GetString(Assert.Single(found).Node.Member));
        // 200,000 points over the globe put about one in a cell of this size: a scan would examine them all.
        Assert.InRange(examined, 1, 20);

        found.Clear();
        examined = GeoSearch.Search(zset, GeoShape.Box(2.35, 48.85, 2000, 2000, 1000), 5, found);
        Assert.Equal(5, found.Count);
        Assert.InRange(examined, 5, 2000);
    }

    [Fact]
    public void Georadius_holds_every_key_named_after_store_and_getkeys_reports_the_first()
    {
        var spec = new KeySpec(1, 1, 1, Keywords: [new KeywordKey("STORE", 6), new KeywordKey("STOREDIST", 6)]);
        string[] words = ["GEORADIUS", "src", "0", "0", "1", "km", "STORE", "a", "STOREDIST", "b", "store", "c", "STORE"];
        var input = Encoding.ASCII.GetBytes(string.Concat(words));
        var arguments = new RespArgument[words.Length];
        for (int i = 0, start = 0; i < words.Length; start += words[i].Length, i++) { arguments[i] = new RespArgument(start, words[i].Length, false); }
        var command = new RespCommand(input, [], arguments);

        Assert.True(spec.Movable);
        Assert.Equal([1, 7, 9], Positions(spec.Of(command)));
        Assert.Equal([1, 7, 11, 9], Positions(spec.Touched(command)));
    }

    private static List<int> Positions(KeyPositions positions)
    {
        var list = new List<int>();
        foreach (var position in positions) { list.Add(position); }
        return list;
    }

    private static string Human(double value)
    {
        var buffer = new byte[FixedPoint.MaxFastLength];
        return Encoding.ASCII.GetString(buffer, 0, FixedPoint.FormatHuman(value, buffer));
    }
}
