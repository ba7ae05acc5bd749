using System.Text;
using Loop.Protocols.Resp;

namespace Loop.UnitTests.Resp;

/// <summary>However a request is cut by the network, the parser finds the same commands.</summary>
public sealed class RespParserSplitTests
{
    // Each case: the wire bytes as one segment per command, and the arguments each segment parses to.
    private static readonly Dictionary<string, (string[] Segments, string[][] Commands)> Cases = new()
    {
        ["multibulk"] = (["*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"], [["SET", "key", "value"]]),
        ["multibulk with an empty and a binary argument"] = (["*3\r\n$4\r\nECHO\r\n$0\r\n\r\n$4\r\na\r\nb\r\n"], [["ECHO", "", "a\r\nb"]]),
        ["inline PING"] = (["PING\r\n"], [["PING"]]),
        ["inline with a bare LF"] = (["PING\n"], [["PING"]]),
        ["inline with extra spaces"] = (["  GET \t k  \r\n"], [["GET", "k"]]),
        ["inline with double quotes"] = (["SET k \"a b\"\r\n"], [["SET", "k", "a b"]]),
        ["inline with escapes"] = (["SET k \"\\x41\\xff\\n\\t\\\"q\\\"\" 'it\\'s'\r\n"], [["SET", "k", "A\u00ff\n\t\"q\"", "it's"]]),
        ["blank inline line and empty multibulk"] = (["\r\n", "*0\r\n", "PING\r\n"], [[], [], ["PING"]]),
        // As Redis 7.0's processMultibulkBuffer: a count of zero or less is skipped, a negative one too.
        ["negative multibulk counts"] = (["*-1\r\n", "*-10\r\n", "*-2147483648\r\n", "PING\r\n"], [[], [], [], ["PING"]]),
        ["pipelined mix"] = (
            ["*1\r\n$4\r\nPING\r\n", "PING\r\n", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "ECHO \"x y\"\r\n", "*2\r\n$4\r\nECHO\r\n$2\r\n*1\r\n"],
            [["PING"], ["PING"], ["GET", "k"], ["ECHO", "x y"], ["ECHO", "*1"]]),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Two_chunks_cut_at_every_byte_give_the_same_commands(string name)
    {
        var (data, expected) = Whole(name);
        for (var cut = 0; cut <= data.Length; cut++)
        {
            Assert.Equal(expected, ParserFeed.Commands(data, cut));
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void One_byte_at_a_time_gives_the_same_commands(string name)
    {
        var (data, expected) = Whole(name);
        Assert.Equal(expected, ParserFeed.Commands(data, Enumerable.Range(1, data.Length - 1).ToArray()));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_command_is_incomplete_until_its_last_byte_then_complete_with_its_exact_length(string name)
    {
        var (segments, commands) = Cases[name];
        var data = Encoding.Latin1.GetBytes(string.Concat(segments));
        var start = 0;
        for (var i = 0; i < segments.Length; i++)
        {
            var length = segments[i].Length;
            for (var prefix = 0; prefix < length; prefix++)
            {
                var partial = ParserFeed.ParseOne(data[start..(start + prefix)]);
                Assert.Equal(RespParseStatus.Incomplete, partial.Status);
                Assert.Equal(0, partial.Consumed);
            }
            // Complete whether or not the next command's bytes follow.
            foreach (var input in new[] { data[start..(start + length)], data[start..] })
            {
                var whole = ParserFeed.ParseOne(input);
                Assert.Equal(RespParseStatus.Complete, whole.Status);
                Assert.Equal(length, whole.Consumed);
                Assert.Equal(commands[i], whole.Arguments);
            }
            start += length;
        }
    }

    private static (byte[] Data, List<string[]> Commands) Whole(string name)
    {
        var (segments, commands) = Cases[name];
        return (Encoding.Latin1.GetBytes(string.Concat(segments)), commands.Where(c => c.Length > 0).ToList());
    }
}
