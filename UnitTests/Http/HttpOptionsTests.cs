using Loop.Protocols.Http;

namespace Loop.UnitTests.Http;

public sealed class HttpOptionsTests
{
    public static TheoryData<string, Action<HttpOptions>> Invalid => new()
    {
        { nameof(HttpOptions.MaxRequestLineBytes), o => o.MaxRequestLineBytes = 0 },
        { nameof(HttpOptions.MaxHeaderBytes), o => o.MaxHeaderBytes = -1 },
        { nameof(HttpOptions.MaxHeaderCount), o => o.MaxHeaderCount = 0 },
        { nameof(HttpOptions.MaxRequestBodyBytes), o => o.MaxRequestBodyBytes = 2L << 30 },
        { nameof(HttpOptions.RequestHeadersTimeout), o => o.RequestHeadersTimeout = TimeSpan.Zero },
        { nameof(HttpOptions.IdleTimeout), o => o.IdleTimeout = TimeSpan.FromSeconds(-1) },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void A_limit_that_cannot_work_is_refused_by_name(string setting, Action<HttpOptions> breakIt)
    {
        var options = new HttpOptions();
        breakIt(options);
        var error = Assert.Throws<ArgumentException>(() => new HttpConnectionHandler((_, _) => { }, options));
        Assert.Equal(setting, error.ParamName);
    }

    [Fact]
    public void The_defaults_are_the_documented_limits()
    {
        var options = new HttpOptions();
        Assert.Equal((8192, 32768, 100), (options.MaxRequestLineBytes, options.MaxHeaderBytes, options.MaxHeaderCount));
        _ = new HttpConnectionHandler((_, _) => { }, options);
    }
}
