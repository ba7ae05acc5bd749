using System.Buffers.Binary;
using Loop.Samples.Redis.Persistence;
using static Loop.UnitTests.Redis.Persistence.StoreValues;

namespace Loop.UnitTests.Redis.Persistence;

public sealed class DumpPayloadTests
{
    // redis-server 7.0.15's DUMP of "hello hello hello hello hello hello!": type 0, an LZF string, version 10, CRC-64.
    private static readonly byte[] RedisDump = Convert.FromHexString("00c30e240668656c6c6f2068e01205016f210a003cfde98b4eef4abc");

    [Fact]
    public void A_payload_from_redis_opens_and_reads()
    {
        Assert.True(DumpPayload.TryOpen(RedisDump, out var value));
        Assert.Equal("string hello hello hello hello hello hello!", CollectingSink.Describe(RdbDecoder.ReadValue(value[1..], value[0])));
    }

    [Fact]
    public void Ours_is_laid_out_as_redis_lays_it_out()
    {
        var payload = DumpPayload.Create(List("a", "b"));
        Assert.Equal(RdbType.List, payload[0]);
        Assert.Equal(10, BinaryPrimitives.ReadUInt16LittleEndian(payload.AsSpan(payload.Length - 10)));
        Assert.Equal(Crc64.Update(0, payload.AsSpan(0, payload.Length - 8)), BinaryPrimitives.ReadUInt64LittleEndian(payload.AsSpan(payload.Length - 8)));
    }

    [Fact]
    public void Any_changed_byte_is_caught()
    {
        var payload = DumpPayload.Create(Hash(("field", "value")));
        for (var position = 0; position < payload.Length; position++)
        {
            var changed = (byte[])payload.Clone();
            changed[position] ^= 0x10;
            Assert.False(DumpPayload.TryOpen(changed, out _));
        }
    }

    [Fact]
    public void A_newer_version_is_refused_even_with_a_good_checksum()
    {
        var payload = DumpPayload.Create(Bytes("v"));
        payload[^10] = 11;
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(payload.Length - 8), Crc64.Update(0, payload.AsSpan(0, payload.Length - 8)));
        Assert.False(DumpPayload.TryOpen(payload, out _));
    }

    [Fact]
    public void A_checksum_of_zero_is_checked_as_redis_7_0_checks_it_and_too_short_is_refused()
    {
        var payload = DumpPayload.Create(Bytes("v"));
        payload.AsSpan(payload.Length - 8).Clear();
        Assert.False(DumpPayload.TryOpen(payload, out _));
        Assert.False(DumpPayload.TryOpen(new byte[9], out _));
    }
}
