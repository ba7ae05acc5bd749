using System.Text;
using Loop.Samples.Redis.Persistence;

namespace Loop.UnitTests.Redis.Persistence;

public sealed class Crc64Tests
{
    [Fact]
    public void Check_value_is_redis_crc64_jones() =>
        Assert.Equal(0xe9c6d914c4b8d9caUL, Crc64.Update(0, "123456789"u8));

    [Fact]
    public void Empty_data_leaves_the_crc_as_it_was() => Assert.Equal(0x1234UL, Crc64.Update(0x1234, []));

    [Fact]
    public void Updating_piece_by_piece_gives_the_crc_of_the_whole()
    {
        var data = new byte[1000];
        new Random(7).NextBytes(data);
        var whole = Crc64.Update(0, data);
        foreach (var split in new[] { 1, 7, 8, 9, 500, 999 })
        {
            Assert.Equal(whole, Crc64.Update(Crc64.Update(0, data.AsSpan(0, split)), data.AsSpan(split)));
        }
    }

    [Fact]
    public void Matches_the_bitwise_definition()
    {
        // The reflected Jones polynomial one bit at a time, as crc64.c's reference implementation computes it.
        static ulong Bitwise(byte[] data)
        {
            ulong crc = 0;
            foreach (var b in data)
            {
                crc ^= b;
                for (var bit = 0; bit < 8; bit++) { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x95ac9329ac4bc9b5 : crc >> 1; }
            }
            return crc;
        }
        var random = new Random(11);
        foreach (var length in new[] { 1, 3, 8, 15, 16, 17, 64, 333 })
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(Bitwise(data), Crc64.Update(0, data));
        }
        Assert.Equal(Bitwise(Encoding.ASCII.GetBytes("123456789")), Crc64.Update(0, "123456789"u8));
    }
}
