using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Loop.Samples.Redis.Persistence;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>
/// An append-only directory written by redis-server 7.0.15 (Fixtures/make-aof-fixtures.sh: a BGREWRITEAOF's
/// RDB-preamble base, history kept, an incr file with annotations, SELECTs and a transaction) loads as Redis described
/// its base keys and as the script sent the commands after the rewrite; our writer spells those commands as Redis did.
/// </summary>
public sealed partial class AofFixtureTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Redis", "Persistence", "Fixtures", "aof");
    private static readonly string IncrFile = Path.Combine(Fixtures, "appendonlydir", "appendonly.aof.2.incr.aof");

    [Fact]
    public void The_base_keys_and_the_incr_commands_load_as_redis_described_and_the_script_sent_them()
    {
        var keys = new CollectingSink();
        var commands = new DatabaseCommandSink();
        var result = AofLoader.Load(Fixtures, AofFileNames.DefaultDirectoryName, AofFileNames.DefaultFileName, keys, commands);

        ExpectedKey.AssertLoaded(Path.Combine(Fixtures, "base-keys.txt"), keys);
        Assert.Equal(File.ReadAllLines(Path.Combine(Fixtures, "incr-commands.txt")), commands.Lines);
        Assert.Equal((false, null), (result.FromOldStyleFile, result.Truncated));
        Assert.Equal(2, result.Manifest!.History.Count);
    }

    [Fact]
    public void Our_writer_spells_every_command_of_the_incr_file_as_redis_did()
    {
        var file = File.ReadAllBytes(IncrFile);
        var commands = new CollectingCommandSink();
        AofCommandReader.Read(new MemoryStream(file), "incr", commands);

        var output = new ArrayBufferWriter<byte>();
        foreach (var arguments in commands.Arguments)
        {
            if (arguments[0].AsSpan().SequenceEqual("SELECT"u8)) { AofCommandWriter.Select(output, int.Parse(arguments[1])); }
            else { AofCommandWriter.Command(output, [.. arguments]); }
        }
        var withoutAnnotations = Annotation().Replace(Encoding.Latin1.GetString(file), "");
        Assert.True(withoutAnnotations.Length < file.Length, "the fixture has annotations");
        Assert.Equal(withoutAnnotations, Encoding.Latin1.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Every_cut_of_the_incr_file_loads_a_prefix_of_its_commands()
    {
        var file = File.ReadAllBytes(IncrFile);
        var all = CollectingCommandSink.Read(file).Sink.Texts.ToList();
        for (var length = 0; length < file.Length; length++)
        {
            var (sink, result) = CollectingCommandSink.Read(file[..length]);
            var texts = sink.Texts.ToList();
            Assert.Equal(all.Take(texts.Count), texts);
            Assert.Equal(result.ValidUpTo != length, result.Truncated);
        }
    }

    [GeneratedRegex("^#TS:[0-9]+\r\n", RegexOptions.Multiline)]
    private static partial Regex Annotation();

    // Commands in the script's form, "db x<hex> x<hex> ...", the database followed through the SELECTs Redis wrote.
    private sealed class DatabaseCommandSink : IAofCommandSink
    {
        private int _db;

        public List<string> Lines { get; } = [];

        public void Command(IReadOnlyList<byte[]> arguments, long offset)
        {
            if (Ascii.EqualsIgnoreCase(arguments[0], "SELECT"u8)) { _db = int.Parse(arguments[1]); }
            else { Lines.Add(_db + string.Concat(arguments.Select(a => " x" + Convert.ToHexStringLower(a)))); }
        }
    }
}
