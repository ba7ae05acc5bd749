using System.Text;
using Loop.Protocols.Http;

namespace Loop.UnitTests.Http;

public sealed class HttpDateTests
{
    [Fact]
    public void The_Date_line_is_an_IMF_fixdate()
    {
        var date = new HttpDate();
        date.Update(new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero));
        Assert.Equal("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", Encoding.ASCII.GetString(date.HeaderLine));
    }
}
