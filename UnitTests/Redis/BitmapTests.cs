using Loop.Samples.Redis.Store;

namespace Loop.UnitTests.Redis;

/// <summary>
/// <see cref="Bitmap"/> against the plain definition, one bit at a time, over random strings and ranges: lengths and
/// range edges on every side of the word and vector boundaries the fast paths cut at.
/// </summary>
public sealed class BitmapTests
{
    public static TheoryData<int> Lengths => new(1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 130, 1000);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Count_and_position_agree_with_reading_bit_by_bit(int length)
    {
        var random = new Random(length);
        foreach (var fill in new Func<byte>[] { () => (byte)random.Next(256), () => 0, () => 0xFF, () => random.Next(50) == 0 ? (byte)random.Next(256) : (byte)0 })
        {
            var bytes = Enumerable.Range(0, length).Select(_ => fill()).ToArray();
            var bits = Enumerable.Range(0, length * 8).Select(i => (bytes[i >> 3] >> (7 - (i & 7))) & 1).ToArray();
            for (var trial = 0; trial < 200; trial++)
            {
                var first = random.Next(bits.Length);
                var last = random.Next(first, bits.Length);
                Assert.Equal(bits[first..(last + 1)].Sum(), Bitmap.Count(bytes, first, last));
                foreach (var bit in new[] { 0, 1 })
                {
                    var found = Array.IndexOf(bits, bit, first, last - first + 1);
                    Assert.Equal(found, Bitmap.Position(bytes, bit, first, last));
                }
            }
            Assert.Equal(bits.Sum(), Bitmap.PopCount(bytes));
        }
    }

    [Fact]
    public void Fields_are_read_and_written_most_significant_bit_first_across_byte_boundaries()
    {
        var random = new Random(3);
        for (var trial = 0; trial < 2000; trial++)
        {
            var bytes = new byte[12];
            random.NextBytes(bytes);
            var before = (byte[])bytes.Clone();
            var width = random.Next(1, 65);
            var offset = random.Next(0, bytes.Length * 8 - width + 1);
            var value = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
            Bitmap.Set(bytes, offset, width, value);
            var mask = Bitmap.Mask(width);
            Assert.Equal(value & mask, Bitmap.GetUnsigned(bytes, offset, width));
            Assert.Equal(Bitmap.SignExtend(value & mask, width), Bitmap.GetSigned(bytes, offset, width));
            for (var i = 0; i < bytes.Length * 8; i++)
            {
                var expected = i >= offset && i < offset + width ? (int)((value >> (offset + width - 1 - i)) & 1) : Bit(before, i);
                Assert.Equal(expected, Bit(bytes, i));
            }
        }
        // Past the end reads as zeros.
        Assert.Equal(0xFFUL << 1, Bitmap.GetUnsigned([0xFF], 0, 9));
        Assert.Equal(0UL, Bitmap.GetUnsigned([0xFF], 8, 64));
    }

    private static int Bit(byte[] bytes, int i) => (bytes[i >> 3] >> (7 - (i & 7))) & 1;
}
