using System.Buffers;
using System.Text;
using Loop.Samples.Redis.Persistence;
using static Loop.UnitTests.Redis.Persistence.StoreValues;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>
/// A directory loads as Redis 7.0's loadAppendOnlyFiles loads it: the base (RDB preamble or commands), then the incr
/// files in manifest order, never the history; only the last file may be truncated; a file the manifest names must be
/// there; without a manifest, the old-style single file of Redis before 7.0 loads instead.
/// </summary>
public sealed class AofLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("loop-aof-").FullName;

    private string AofDirectory => Path.Combine(_dir, AofFileNames.DefaultDirectoryName);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_base_then_each_incr_file_loads_in_order_and_history_does_not()
    {
        Write("appendonly.aof.2.base.rdb", File((0, "from-base", Bytes("v"), null), (1, "other-db", Bytes("w"), 4_102_444_800_000)));
        Write("appendonly.aof.1.incr.aof", Commands("SET history 1"));
        Write("appendonly.aof.2.incr.aof", Commands("SELECT 0", "SET a 1"));
        Write("appendonly.aof.3.incr.aof", Commands("SELECT 1", "INCR n"));
        Write("appendonly.aof.manifest", "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type h\n" +
            "file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n");

        var (keys, commands, result) = Load();
        Assert.Equal([(0, "from-base", null), (1, "other-db", (long?)4_102_444_800_000)], keys.Entries.Select(e => (e.Db, e.Key, e.ExpireAt)));
        Assert.Equal([("SELECT 0", 0L), ("SET a 1", 23), ("SELECT 1", 0), ("INCR n", 23)], commands.Commands);
        Assert.Equal(["appendonly.aof.2.incr.aof", "appendonly.aof.3.incr.aof"], result.Manifest!.Incrs.Select(f => f.Name));
        Assert.Equal((false, null), (result.FromOldStyleFile, result.Truncated));
    }

    [Fact]
    public void A_base_of_commands_and_commands_after_an_rdb_preamble_load_into_the_command_sink()
    {
        var rdb = File((0, "k", Bytes("v"), null));
        Write("appendonly.aof.1.base.aof", Commands("SET from-base 1"));
        Write("appendonly.aof.1.incr.aof", [.. rdb, .. Commands("SET after-preamble 2")]);
        Write("appendonly.aof.manifest", "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");

        var (keys, commands, _) = Load();
        Assert.Equal(["k"], keys.Entries.Select(e => e.Key));
        Assert.Equal([("SET from-base 1", 0L), ("SET after-preamble 2", rdb.Length)], commands.Commands);
    }

    [Fact]
    public void A_truncated_last_file_loads_up_to_its_last_complete_command_and_says_where_that_is()
    {
        Write("appendonly.aof.1.incr.aof", Commands("SET a 1"));
        Write("appendonly.aof.2.incr.aof", [.. Commands("SET b 2"), .. "*2\r\n$3\r\nDEL"u8]);
        Write("appendonly.aof.manifest", "file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n");

        var (_, commands, result) = Load();
        Assert.Equal(["SET a 1", "SET b 2"], commands.Texts);
        Assert.Equal(new AofTruncation(Path.Combine(AofDirectory, "appendonly.aof.2.incr.aof"), 27), result.Truncated);

        var error = Assert.Throws<AofFormatException>(() => Load(loadTruncated: false));
        Assert.Equal(("appendonly.aof.2.incr.aof", 27L), (error.File, error.Offset));
    }

    [Theory]
    [InlineData("appendonly.aof.1.base.aof")]
    [InlineData("appendonly.aof.1.incr.aof")]
    public void A_truncated_file_that_is_not_the_last_is_refused(string truncated)
    {
        Write("appendonly.aof.1.base.aof", Commands("SET a 1"));
        Write("appendonly.aof.1.incr.aof", Commands("SET b 2"));
        Write("appendonly.aof.2.incr.aof", Commands("SET c 3"));
        Write(truncated, [.. System.IO.File.ReadAllBytes(Path.Combine(AofDirectory, truncated)), .. "*1\r\n$4\r\nPI"u8]);
        Write("appendonly.aof.manifest", "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n" +
            "file appendonly.aof.2.incr.aof seq 2 type i\n");

        var error = Assert.Throws<AofFormatException>(() => Load());
        Assert.Equal((truncated, 27L), (error.File, error.Offset));
        Assert.Contains("only the last file may", error.Reason);
    }

    [Fact]
    public void A_file_the_manifest_names_must_exist_and_nothing_loads_without_it()
    {
        Write("appendonly.aof.1.base.rdb", File((0, "k", Bytes("v"), null)));
        Write("appendonly.aof.1.incr.aof", Commands("SET a 1"));
        Write("appendonly.aof.manifest", "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n" +
            "file appendonly.aof.2.incr.aof seq 2 type i\n");

        var keys = new CollectingSink();
        var commands = new CollectingCommandSink();
        var error = Assert.Throws<AofFormatException>(() => AofLoader.Load(_dir, "appendonlydir", "appendonly.aof", keys, commands));
        Assert.Equal(Path.Combine(AofDirectory, "appendonly.aof.manifest"), error.File);
        Assert.Contains("names appendonly.aof.2.incr.aof, which is not in", error.Message);
        Assert.Empty(keys.Entries);
        Assert.Empty(commands.Commands);
    }

    [Fact]
    public void A_corrupt_rdb_preamble_is_refused_naming_the_file_and_offset()
    {
        var rdb = File((0, "k", Bytes("v"), null));
        rdb[^1] ^= 1;
        Write("appendonly.aof.1.base.rdb", rdb);
        Write("appendonly.aof.manifest", "file appendonly.aof.1.base.rdb seq 1 type b\n");

        var error = Assert.Throws<AofFormatException>(() => Load());
        Assert.Equal(("appendonly.aof.1.base.rdb", (long?)rdb.Length - 8), (error.File, error.Offset));
        Assert.IsType<RdbFormatException>(error.InnerException);
        Assert.StartsWith("in the RDB preamble: checksum mismatch", error.Reason);
    }

    [Fact]
    public void Without_a_manifest_naming_files_or_an_old_style_file_there_is_nothing_to_load()
    {
        Assert.Same(AofLoadResult.None, Load().Result);
        Directory.CreateDirectory(AofDirectory);
        Assert.Same(AofLoadResult.None, Load().Result);
        Write("appendonly.aof.1.base.rdb", File((0, "k", Bytes("v"), null)));
        Write("appendonly.aof.manifest", "file appendonly.aof.1.base.rdb seq 1 type h\n");
        Assert.Same(AofLoadResult.None, Load().Result);
    }

    [Fact]
    public void An_old_style_file_loads_as_redis_7_0_upgrades_it_when_there_is_no_directory()
    {
        var rdb = File((0, "k", Bytes("v"), null));
        System.IO.File.WriteAllBytes(Path.Combine(_dir, "appendonly.aof"), [.. rdb, .. Commands("SET a 1"), .. "*1\r\n"u8]);

        var (keys, commands, result) = Load();
        Assert.Equal(["k"], keys.Entries.Select(e => e.Key));
        Assert.Equal([("SET a 1", rdb.Length)], commands.Commands);
        Assert.True(result.FromOldStyleFile);
        Assert.Equal(new AofFileInfo("appendonly.aof", 1, AofFileType.Base), result.Manifest!.Base);
        Assert.Equal(new AofTruncation(Path.Combine(_dir, "appendonly.aof"), rdb.Length + 27), result.Truncated);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("# no file yet\n")]
    [InlineData("file appendonly.aof seq 1 type b\n")] // an upgrade cut short: the manifest written, the file not moved yet
    public void An_old_style_file_loads_when_the_directory_has_no_manifest_naming_files(string? manifest)
    {
        Directory.CreateDirectory(AofDirectory);
        if (manifest is not null) { Write("appendonly.aof.manifest", manifest); }
        System.IO.File.WriteAllBytes(Path.Combine(_dir, "appendonly.aof"), Commands("SET old 1"));

        var (_, commands, result) = Load();
        Assert.Equal(["SET old 1"], commands.Texts);
        Assert.True(result.FromOldStyleFile);
    }

    [Fact]
    public void An_old_style_file_beside_a_manifest_naming_files_is_left_alone()
    {
        System.IO.File.WriteAllBytes(Path.Combine(_dir, "appendonly.aof"), Commands("SET old 1"));
        Write("appendonly.aof.1.incr.aof", Commands("SET new 1"));
        Write("appendonly.aof.manifest", "file appendonly.aof.1.incr.aof seq 1 type i\n");

        var (_, commands, result) = Load();
        Assert.Equal(["SET new 1"], commands.Texts);
        Assert.False(result.FromOldStyleFile);
    }

    [Fact]
    public void The_directory_and_file_names_are_the_callers()
    {
        const string name = "my data.aof";
        var directory = Path.Combine(_dir, "aof files");
        Directory.CreateDirectory(directory);
        System.IO.File.WriteAllBytes(Path.Combine(directory, AofFileNames.Base(name, 1, rdbPreamble: false)), Commands("SET a 1"));
        System.IO.File.WriteAllBytes(Path.Combine(directory, AofFileNames.Incr(name, 1)), []);
        var manifest = new ArrayBufferWriter<byte>();
        new AofManifest(new AofFileInfo(AofFileNames.Base(name, 1, rdbPreamble: false), 1, AofFileType.Base), [],
            [new AofFileInfo(AofFileNames.Incr(name, 1), 1, AofFileType.Incr)]).Write(manifest);
        System.IO.File.WriteAllBytes(Path.Combine(directory, AofFileNames.Manifest(name)), manifest.WrittenSpan.ToArray());

        var commands = new CollectingCommandSink();
        var result = AofLoader.Load(_dir, "aof files", name, new CollectingSink(), commands);
        Assert.Equal(["SET a 1"], commands.Texts);
        Assert.Null(result.Truncated);
    }

    private (CollectingSink Keys, CollectingCommandSink Commands, AofLoadResult Result) Load(bool loadTruncated = true)
    {
        var keys = new CollectingSink();
        var commands = new CollectingCommandSink();
        var result = AofLoader.Load(_dir, AofFileNames.DefaultDirectoryName, AofFileNames.DefaultFileName, keys, commands, loadTruncated);
        return (keys, commands, result);
    }

    private void Write(string name, string text) => Write(name, Encoding.ASCII.GetBytes(text));

    private void Write(string name, byte[] bytes)
    {
        Directory.CreateDirectory(AofDirectory);
        System.IO.File.WriteAllBytes(Path.Combine(AofDirectory, name), bytes);
    }

    // Commands given as words separated by spaces.
    private static byte[] Commands(params string[] commands)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var command in commands) { AofCommandWriter.Command(output, command.Split(' ').Select(Bytes).ToArray()); }
        return output.WrittenSpan.ToArray();
    }
}
