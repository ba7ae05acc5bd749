using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Loop.Samples.Redis.Persistence;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// The append-only format against the real Redis 7.0 tools (test.sh installs them; their absence fails these tests):
/// a directory our manifest and command writers wrote passes redis-check-aof and loads into redis-server, and a file cut
/// anywhere is valid up to the offset redis-check-aof finds.
/// </summary>
public sealed partial class AofCompatibilityTests
{
    private const long Deadline = 4_102_444_800_000;

    [Fact]
    public async Task A_directory_our_writers_wrote_passes_redis_check_aof_and_loads_into_redis()
    {
        // A name Redis quotes in its manifest.
        const string fileName = "odd \"name\".aof";
        var directory = RealRedis.NewDirectory();
        var aofDirectory = Directory.CreateDirectory(Path.Combine(directory, AofFileNames.DefaultDirectoryName)).FullName;
        var baseName = AofFileNames.Base(fileName, 1, rdbPreamble: true);
        var incrName = AofFileNames.Incr(fileName, 1);
        File.WriteAllBytes(Path.Combine(aofDirectory, baseName), Rdb());
        File.WriteAllBytes(Path.Combine(aofDirectory, incrName), Commands());
        var manifest = new ArrayBufferWriter<byte>();
        new AofManifest(new AofFileInfo(baseName, 1, AofFileType.Base), [], [new AofFileInfo(incrName, 1, AofFileType.Incr)]).Write(manifest);
        var manifestPath = Path.Combine(aofDirectory, AofFileNames.Manifest(fileName));
        File.WriteAllBytes(manifestPath, manifest.WrittenSpan.ToArray());
        Assert.StartsWith("file \"odd \\\"name\\\".aof.1.base.rdb\" seq 1 type b\n", Encoding.ASCII.GetString(manifest.WrittenSpan));

        var check = await RealRedis.RunToolAsync("redis-check-aof", manifestPath);
        Assert.True(check.ExitCode == 0 && check.Output.Contains("All AOF files and manifest are valid"), check.Output);

        await using var redis = await RealRedis.StartAsync(directory, "--appendonly", "yes", "--appendfilename", fileName);
        using var client = await redis.ConnectAsync();
        Assert.Equal("from the base", await client.CallAsync("GET", "base"));
        Assert.Equal(Deadline, await client.CallAsync("PEXPIRETIME", "base"));
        Assert.Equal("1", await client.CallAsync("GET", "a"));
        Assert.Equal("OK", await client.CallAsync("SELECT", "1"));
        Assert.Equal("2", await client.CallAsync("GET", "b"));
        Assert.Equal(new object?[] { "x", "y" }, await client.CallAsync("LRANGE", "list", "0", "-1"));
    }

    [Fact]
    public async Task A_file_cut_anywhere_is_valid_up_to_where_redis_check_aof_says()
    {
        var file = Commands();
        var directory = RealRedis.NewDirectory();
        try
        {
            // redis-check-aof refuses an empty file rather than analyzing it.
            for (var length = 1; length <= file.Length; length++)
            {
                var path = Path.Combine(directory, "cut.aof");
                File.WriteAllBytes(path, file[..length]);
                var check = await RealRedis.RunToolAsync("redis-check-aof", path);
                var theirs = long.Parse(OkUpTo().Match(check.Output) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException(check.Output));
                using var input = File.OpenRead(path);
                var ours = AofCommandReader.Read(input, "cut.aof", new IgnoringSink());
                Assert.Equal((length, theirs), (length, ours.ValidUpTo));
                Assert.Equal((length, check.ExitCode != 0), (length, ours.Truncated));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [GeneratedRegex("ok_up_to=([0-9]+)")]
    private static partial Regex OkUpTo();

    // One key with a deadline in database 0, as an RDB preamble.
    private static byte[] Rdb()
    {
        var output = new ArrayBufferWriter<byte>();
        RdbEncoder.WriteHeader(output, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        RdbEncoder.WriteSelectDb(output, 0, 1, 1);
        RdbEncoder.WriteEntry(output, "base"u8, Encoding.ASCII.GetBytes("from the base"), Deadline);
        RdbEncoder.WriteEnd(output, Crc64.Update(0, output.WrittenSpan));
        return output.WrittenSpan.ToArray();
    }

    // Commands in two databases, one transaction among them.
    private static byte[] Commands()
    {
        var output = new ArrayBufferWriter<byte>();
        AofCommandWriter.Select(output, 0);
        AofCommandWriter.Command(output, Arguments("SET a 1"));
        AofCommandWriter.Select(output, 1);
        AofCommandWriter.Command(output, Arguments("MULTI"));
        AofCommandWriter.Command(output, Arguments("SET b 2"));
        AofCommandWriter.Command(output, Arguments("RPUSH list x y"));
        AofCommandWriter.Command(output, Arguments("EXEC"));
        return output.WrittenSpan.ToArray();
    }

    private static byte[][] Arguments(string words) => words.Split(' ').Select(Encoding.ASCII.GetBytes).ToArray();

    private sealed class IgnoringSink : IAofCommandSink
    {
        public void Command(IReadOnlyList<byte[]> arguments, long offset) { }
    }
}
