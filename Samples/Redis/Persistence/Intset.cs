using System.Buffers.Binary;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Reads an intset (intset.c), the encoding of a small set of integers: the width of each (2, 4 or 8 bytes), the
/// count, then the integers little-endian in ascending order.
/// </summary>
internal static class Intset
{
    private const int HeaderSize = 8;

    /// <summary>Each member, in order; <paramref name="offset"/> is where the blob starts in the file, for errors.</summary>
    public static long[] Read(ReadOnlySpan<byte> blob, long offset)
    {
        if (blob.Length < HeaderSize) { throw Corrupt($"{blob.Length} bytes are too few for an intset", offset); }
        var width = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        if (width is not (2 or 4 or 8)) { throw Corrupt($"unknown integer width {width}", offset); }
        if (HeaderSize + (long)count * width != blob.Length) { throw Corrupt($"{count} integers of {width} bytes do not fill {blob.Length} bytes", offset); }
        var members = new long[count];
        var data = blob[HeaderSize..];
        for (var i = 0; i < members.Length; i++)
        {
            var at = data[(i * (int)width)..];
            members[i] = width switch
            {
                2 => BinaryPrimitives.ReadInt16LittleEndian(at),
                4 => BinaryPrimitives.ReadInt32LittleEndian(at),
                _ => BinaryPrimitives.ReadInt64LittleEndian(at),
            };
            if (i > 0 && members[i] <= members[i - 1]) { throw Corrupt("its integers are not in ascending order", offset); }
        }
        return members;
    }

    private static RdbFormatException Corrupt(string why, long offset) => new($"corrupt intset: {why}", offset);
}
