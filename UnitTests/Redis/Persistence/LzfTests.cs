using System.Text;
using Loop.Samples.Redis.Persistence;

namespace Loop.UnitTests.Redis.Persistence;

public sealed class LzfTests
{
    // What redis-server 7.0.15 stored for "hello hello hello hello hello hello!" (from its DUMP): a literal run of 7
    // ("hello h"), a reference copying 27 bytes from 6 back, and a literal run of 2 ("o!").
    private static readonly byte[] RedisCompressed = Convert.FromHexString("0668656c6c6f2068e01205016f21");
    private const string RedisOriginal = "hello hello hello hello hello hello!";

    [Fact]
    public void Decompresses_what_redis_compressed()
    {
        var output = new byte[RedisOriginal.Length];
        Assert.True(Lzf.TryDecompress(RedisCompressed, output));
        Assert.Equal(RedisOriginal, Encoding.ASCII.GetString(output));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(21)]
    [InlineData(1000)]
    [InlineData(100_000)]
    public void Compressed_data_decompresses_to_the_original(int length)
    {
        var random = new Random(length);
        // Text-like: words from a small vocabulary, so there is something to find; and random bytes, which there is not.
        var words = new[] { "alpha ", "beta ", "gamma ", "delta ", "\0\xff" };
        var text = new StringBuilder();
        while (text.Length < length) { text.Append(words[random.Next(words.Length)]); }
        var repetitive = Encoding.Latin1.GetBytes(text.ToString(0, length));
        var noise = new byte[length];
        random.NextBytes(noise);
        foreach (var input in new[] { repetitive, noise, new byte[length] })
        {
            var compressed = new byte[length + length / 16 + 64];
            var size = Lzf.Compress(input, compressed);
            Assert.True(size > 0 || length == 0);
            var output = new byte[length];
            Assert.True(Lzf.TryDecompress(compressed.AsSpan(0, size), output));
            Assert.Equal(input, output);
        }
    }

    [Fact]
    public void Repetitive_data_shrinks_and_long_runs_use_the_longest_references()
    {
        var input = new byte[10_000];
        var compressed = new byte[input.Length];
        var size = Lzf.Compress(input, compressed);
        // 10,000 zeros: a literal, then references of 264 bytes (3 bytes each).
        Assert.InRange(size, 100, 130);
    }

    [Fact]
    public void Compress_gives_zero_when_the_output_is_too_small()
    {
        var noise = new byte[100];
        new Random(3).NextBytes(noise);
        Assert.Equal(0, Lzf.Compress(noise, new byte[96]));
    }

    [Theory]
    [InlineData("0a61", 11)]        // a literal run of 11 with one byte there
    [InlineData("0061e0", 10)]      // a long reference missing its length byte
    [InlineData("00612001", 4)]     // a reference 2 back after 1 byte: before the start
    [InlineData("016161", 1)]       // more output than expected
    [InlineData("016161", 3)]       // less output than expected
    public void Corrupt_input_is_refused(string hex, int expected)
    {
        Assert.False(Lzf.TryDecompress(Convert.FromHexString(hex), new byte[expected]));
    }
}
