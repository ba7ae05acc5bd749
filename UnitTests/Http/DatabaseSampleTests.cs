using System.Buffers;
using System.Text;
using Loop.Samples.Http.Database;

namespace Loop.UnitTests.Http;

/// <summary>The HTTP sample's database pieces that need no database: the query count and the fortunes page.</summary>
public sealed class DatabaseSampleTests
{
    [Theory]
    [InlineData("queries=20", 20)]
    [InlineData("", 1)]
    [InlineData("queries=", 1)]
    [InlineData("queries=0", 1)]
    [InlineData("queries=-5", 1)]
    [InlineData("queries=abc", 1)]
    [InlineData("queries=12abc", 1)]
    [InlineData("queries=500", 500)]
    [InlineData("queries=501", 500)]
    [InlineData("queries=99999999999999999999", 1)]
    [InlineData("a=1&queries=7&b=2", 7)]
    [InlineData("myqueries=9", 1)]
    [InlineData("queriesx=9", 1)]
    public void The_query_count_is_clamped_to_1_to_500_and_1_when_missing_or_bad(string query, int expected) =>
        Assert.Equal(expected, QueryCount.Parse(Encoding.ASCII.GetBytes(query), "queries"u8));

    [Fact]
    public void The_connection_string_gets_prepared_statements_no_reset_and_multiplexing_unless_it_says_otherwise()
    {
        var defaults = WorldDatabase.Settings("Host=db;Database=hello_world");
        Assert.Equal((20, true, true), (defaults.MaxAutoPrepare, defaults.NoResetOnClose, defaults.Multiplexing));

        var chosen = WorldDatabase.Settings("Host=db;Max Auto Prepare=0;No Reset On Close=false;Multiplexing=false");
        Assert.Equal((0, false, false), (chosen.MaxAutoPrepare, chosen.NoResetOnClose, chosen.Multiplexing));
    }

    [Fact]
    public void Fortunes_page_escapes_html_and_keeps_other_text_as_utf8()
    {
        var output = new ArrayBufferWriter<byte>();
        FortunesPage.Write(output, [
            new Fortune(11, "<script>alert(\"This should not be displayed in a browser alert box.\");</script>"),
            new Fortune(12, "フレームワークのベンチマーク"),
            new Fortune(2, "aren't & done"),
        ]);

        var expected = "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>"
            + "<tr><td>11</td><td>&lt;script&gt;alert(&quot;This should not be displayed in a browser alert box.&quot;);&lt;/script&gt;</td></tr>"
            + "<tr><td>12</td><td>フレームワークのベンチマーク</td></tr>"
            + "<tr><td>2</td><td>aren&#39;t &amp; done</td></tr>"
            + "</table></body></html>";
        Assert.Equal(Encoding.UTF8.GetBytes(expected), output.WrittenSpan.ToArray());
    }
}
