using System.Buffers;
using System.Text;
using Loop.Samples.Redis.Persistence;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>
/// The manifest reads as Redis 7.0's aofLoadManifestFromFile reads it, refuses what it refuses (each message checked
/// against redis-check-aof 7.0.15 by hand), and is written byte for byte as redis-server 7.0.15 wrote the fixtures.
/// </summary>
public sealed class AofManifestTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Redis", "Persistence", "Fixtures", "aof");

    [Theory]
    [InlineData("appendonlydir/appendonly.aof.manifest")]
    [InlineData("quoted-name.manifest")]
    public void A_manifest_redis_wrote_is_written_back_byte_for_byte(string fixture)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Fixtures, fixture));
        Assert.Equal(bytes, Bytes(AofManifest.Parse(bytes, fixture)));
    }

    [Fact]
    public void The_manifest_redis_wrote_after_a_rewrite_has_a_base_history_and_an_incr_file()
    {
        var manifest = AofManifest.Load(Path.Combine(Fixtures, "appendonlydir", "appendonly.aof.manifest"));
        Assert.Equal(new AofFileInfo(AofFileNames.Base("appendonly.aof", 2, rdbPreamble: true), 2, AofFileType.Base), manifest.Base);
        Assert.Equal([new("appendonly.aof.1.incr.aof", 1, AofFileType.History), new("appendonly.aof.1.base.rdb", 1, AofFileType.History)], manifest.History);
        Assert.Equal([new AofFileInfo(AofFileNames.Incr("appendonly.aof", 2), 2, AofFileType.Incr)], manifest.Incrs);
    }

    [Fact]
    public void A_name_that_needs_quoting_is_written_as_redis_wrote_it()
    {
        const string name = "odd \"name\"\tcafé.aof";
        var manifest = new AofManifest(new AofFileInfo(AofFileNames.Base(name, 1, rdbPreamble: true), 1, AofFileType.Base), [],
            [new AofFileInfo(AofFileNames.Incr(name, 1), 1, AofFileType.Incr)]);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Fixtures, "quoted-name.manifest")), Bytes(manifest));
        Assert.Equal(AofFileNames.Base(name, 1, rdbPreamble: true), AofManifest.Parse(Bytes(manifest), "m").Base!.Name);
    }

    [Fact]
    public void File_names_follow_redis()
    {
        Assert.Equal("appendonly.aof.manifest", AofFileNames.Manifest(AofFileNames.DefaultFileName));
        Assert.Equal("appendonly.aof.3.base.rdb", AofFileNames.Base("appendonly.aof", 3, rdbPreamble: true));
        Assert.Equal("appendonly.aof.3.base.aof", AofFileNames.Base("appendonly.aof", 3, rdbPreamble: false));
        Assert.Equal("appendonly.aof.12.incr.aof", AofFileNames.Incr("appendonly.aof", 12));
        Assert.Equal("appendonlydir", AofFileNames.DefaultDirectoryName);
    }

    [Fact]
    public void Every_name_without_a_path_separator_or_single_quote_survives_a_write_and_a_parse()
    {
        var names = Enumerable.Range(1, 127).Where(c => c is not '/' and not '\\' and not '\'').Select(c => $"a{(char)c}b")
            .Concat(["é", "名前", " leading", "trailing ", "\""]);
        foreach (var name in names)
        {
            var manifest = new AofManifest(null, [new AofFileInfo(name, 1, AofFileType.History)], [new AofFileInfo(name, 7, AofFileType.Incr)]);
            var parsed = AofManifest.Parse(Bytes(manifest), "m");
            Assert.Equal(manifest.History, parsed.History);
            Assert.Equal(manifest.Incrs, parsed.Incrs);
        }
    }

    [Fact]
    public void A_name_with_a_single_quote_is_written_bare_as_redis_writes_it_and_refused_as_redis_refuses_it()
    {
        var manifest = new AofManifest(new AofFileInfo("it's.aof.1.base.rdb", 1, AofFileType.Base), [], []);
        Assert.Equal("file it's.aof.1.base.rdb seq 1 type b\n", Encoding.ASCII.GetString(Bytes(manifest)));
        Assert.Equal("Invalid AOF manifest file format", Assert.Throws<AofFormatException>(() => AofManifest.Parse(Bytes(manifest), "m")).Reason);
    }

    [Fact]
    public void Keys_come_in_any_order_and_case_unknown_ones_are_ignored_and_comments_and_blanks_are_skipped()
    {
        var manifest = Parse(
            "# written by hand\n" +
            "  TYPE b   Seq 5 FILE base.rdb  \r\n" +
            "file 'single quoted' seq 1 type h future key\n" +
            "file \"x\\x41\\n\\\"\" type i seq 2\n" +
            "#\n" +
            "seq 3 file c type incr\n" +
            "file d seq \" 4th\" type i\n" +
            "file e seq 99999999999999999999 type i\n");
        Assert.Equal(new AofFileInfo("base.rdb", 5, AofFileType.Base), manifest.Base);
        Assert.Equal([new AofFileInfo("single quoted", 1, AofFileType.History)], manifest.History);
        Assert.Equal([("xA\n\"", 2L), ("c", 3), ("d", 4), ("e", long.MaxValue)], manifest.Incrs.Select(f => (f.Name, f.Sequence)));
    }

    [Fact]
    public void A_manifest_of_comments_alone_names_no_file()
    {
        var manifest = Parse("# nothing yet\n");
        Assert.Null(manifest.Base);
        Assert.Empty(manifest.History);
        Assert.Empty(manifest.Incrs);
    }

    public static TheoryData<string, int, string> Refused => new()
    {
        { "file a seq 1 type b", 1, "The AOF manifest file contains too long line" },
        { "file a seq 1 type b\n" + new string('x', 1024) + "\n", 2, "The AOF manifest file contains too long line" },
        { "file a seq 1 type b\nfile b seq\0 1 type i\n", 2, "The AOF manifest file contains too long line" },
        { "file a seq 1 type b\n\nfile b seq 1 type i\n", 2, "Invalid AOF manifest file format" },
        { " \t \n", 1, "Invalid AOF manifest file format" },
        { "file a seq 1\n", 1, "Invalid AOF manifest file format" },
        { "file a seq 1 type i extra\n", 1, "Invalid AOF manifest file format" },
        { "name a seq 1 type i\n", 1, "Invalid AOF manifest file format" },
        { "file a seq 0 type i\n", 1, "Invalid AOF manifest file format" },
        { "file a seq x type i\n", 1, "Invalid AOF manifest file format" },
        { "file a seq 1 type \"\"\n", 1, "Invalid AOF manifest file format" },
        { "file \"a seq 1 type i\n", 1, "Invalid AOF manifest file format" },
        { "file \"a\"x seq 1 type i\n", 1, "Invalid AOF manifest file format" },
        { "file 'a seq 1 type i\n", 1, "Invalid AOF manifest file format" },
        { "file \"\\xff\" seq 1 type i\n", 1, "The file name is not UTF-8, which this server cannot open" },
        { "file ../a seq 1 type i\n", 1, "File can't be a path, just a filename" },
        { "file a\\b seq 1 type i\n", 1, "File can't be a path, just a filename" },
        { "file a seq 1 type x\n", 1, "Unknown AOF file type" },
        { "file a seq 1 type b\nfile b seq 2 type b\n", 2, "Found duplicate base file information" },
        { "file a seq 2 type i\nfile b seq 2 type i\n", 2, "Found a non-monotonic sequence number" },
        { "file a seq 3 type i\nfile b seq 2 type i\n", 2, "Found a non-monotonic sequence number" },
        { "file a seq -5 type i\n", 1, "Found a non-monotonic sequence number" },
        // Redis reads a comment of more than 1024 bytes as a comment, then the rest of it as a line.
        { "#" + new string('c', 1100) + "\n", 2, "Invalid AOF manifest file format" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void What_redis_refuses_is_refused_with_its_words_and_the_line(string content, int line, string reason)
    {
        var error = Assert.Throws<AofFormatException>(() => Parse(content));
        Assert.Equal((line, reason), (error.Line, error.Reason));
        Assert.StartsWith($"appendonly.aof.manifest, line {line}", error.Message);
        Assert.Equal("appendonly.aof.manifest", error.File);
    }

    [Fact]
    public void An_empty_manifest_is_refused()
    {
        var error = Assert.Throws<AofFormatException>(() => Parse(""));
        Assert.Equal(("Found an empty AOF manifest", null), (error.Reason, error.Line));
    }

    [Fact]
    public void A_line_of_1024_bytes_with_its_newline_is_read()
    {
        var name = new string('n', 1024 - "file  seq 1 type i\n".Length);
        Assert.Equal(name, Parse($"file {name} seq 1 type i\n").Incrs[0].Name);
    }

    private static AofManifest Parse(string content) => AofManifest.Parse(Encoding.UTF8.GetBytes(content), "appendonly.aof.manifest");

    private static byte[] Bytes(AofManifest manifest)
    {
        var output = new ArrayBufferWriter<byte>();
        manifest.Write(output);
        return output.WrittenSpan.ToArray();
    }
}
