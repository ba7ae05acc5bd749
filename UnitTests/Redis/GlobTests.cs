using System.Text;
using Loop.Samples.Redis.Store;

namespace Loop.UnitTests.Redis;

/// <summary>KEYS, SCAN MATCH and CONFIG GET patterns match as Redis's stringmatchlen does.</summary>
public sealed class GlobTests
{
    [Theory]
    [InlineData("*", "", true)]
    [InlineData("*", "anything", true)]
    [InlineData("user:*", "user:42", true)]
    [InlineData("user:*", "users:42", false)]
    [InlineData("*:*:x", "a:b:x", true)]
    [InlineData("h?llo", "hello", true)]
    [InlineData("h?llo", "hllo", false)]
    [InlineData("h[ae]llo", "hallo", true)]
    [InlineData("h[ae]llo", "hillo", false)]
    [InlineData("h[^e]llo", "hallo", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-c]llo", "hbllo", true)]
    [InlineData("h[a-c]llo", "hdllo", false)]
    [InlineData("h[c-a]llo", "hbllo", true)]
    [InlineData("h\\*llo", "h*llo", true)]
    [InlineData("h\\*llo", "hello", false)]
    [InlineData("a[\\]]b", "a]b", true)]
    [InlineData("abc", "abcd", false)]
    [InlineData("abc", "ABC", false)]
    public void Matches_as_redis_does(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Glob.Match(Encoding.ASCII.GetBytes(pattern), Encoding.ASCII.GetBytes(text)));

    [Theory]
    [InlineData("MAXMEM*", "maxmemory-policy", true)]
    [InlineData("[A-Z]ave", "save", true)]
    [InlineData("hz", "HZ", true)]
    public void Ignoring_case_matches_any_case(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Glob.Match(Encoding.ASCII.GetBytes(pattern), Encoding.ASCII.GetBytes(text), ignoreCase: true));
}
