using System.Buffers.Binary;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Reads a zipmap (zipmap.c), the small-hash encoding of Redis 2.4 and before: a count byte (254: count it),
/// then field and value pairs, each a length (1 byte, or 254 and 4 more), the value's also followed by a count
/// of unused bytes that trail it; 0xFF ends it.
/// </summary>
internal static class Zipmap
{
    private const byte BigLength = 254;
    private const byte End = 255;

    /// <summary>Each field and value, in order; <paramref name="offset"/> is where the blob starts in the file, for errors.</summary>
    public static List<(byte[] Field, byte[] Value)> Read(ReadOnlySpan<byte> blob, long offset)
    {
        if (blob.Length < 2 || blob[^1] != End) { throw Corrupt("it does not end with 0xFF", offset); }
        var declared = blob[0];
        var pairs = new List<(byte[], byte[])>();
        var at = 1;
        while (blob[at] != End) { pairs.Add((ReadString(blob, ref at, isValue: false, offset), ReadString(blob, ref at, isValue: true, offset))); }
        if (at != blob.Length - 1) { throw Corrupt($"the end marker at {at} comes before the end", offset); }
        if (declared < BigLength && declared != pairs.Count) { throw Corrupt($"it counts {declared} pairs, it holds {pairs.Count}", offset); }
        return pairs;
    }

    // A length, then (for a value) the count of unused bytes, the bytes, and those unused bytes; all before the final 0xFF.
    private static byte[] ReadString(ReadOnlySpan<byte> blob, ref int at, bool isValue, long offset)
    {
        var start = at;
        long length = blob[at++];
        if (length == End) { throw Corrupt($"the field before {start} has no value", offset); }
        if (length == BigLength)
        {
            if (at + 4 >= blob.Length) { throw Corrupt($"the length at {start} runs past the end", offset); }
            length = BinaryPrimitives.ReadUInt32LittleEndian(blob[at..]);
            at += 4;
        }
        var unused = 0;
        if (isValue)
        {
            if (at >= blob.Length - 1) { throw Corrupt($"the value at {start} runs past the end", offset); }
            unused = blob[at++];
        }
        if (at + length + unused >= blob.Length) { throw Corrupt($"the string at {start} runs past the end", offset); }
        var bytes = blob.Slice(at, (int)length).ToArray();
        at += (int)length + unused;
        return bytes;
    }

    private static RdbFormatException Corrupt(string why, long offset) => new($"corrupt zipmap: {why}", offset);
}
