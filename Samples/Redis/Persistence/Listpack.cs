using System.Buffers.Binary;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Reads a listpack (listpack.c), the compact encoding of Redis 7: a 4-byte total size and 2-byte count, entries,
/// and 0xFF. Each entry is an encoding byte (small integers and short string lengths packed into it), its data,
/// and its own length written backwards (so Redis can walk back); every length is checked against the blob.
/// </summary>
internal ref struct Listpack : IPackedEntries
{
    private const int HeaderSize = 6;
    private const byte End = 0xFF;
    private const int UnknownCount = ushort.MaxValue;

    private readonly ReadOnlySpan<byte> _blob;
    private readonly long _offset;
    private readonly int _declaredCount;
    private int _position = HeaderSize;
    private int _read;

    /// <param name="blob">The listpack.</param>
    /// <param name="offset">Where the blob starts in the file, for errors.</param>
    public Listpack(ReadOnlySpan<byte> blob, long offset)
    {
        _blob = blob;
        _offset = offset;
        if (blob.Length < HeaderSize + 1) { throw Corrupt($"{blob.Length} bytes are too few for a listpack"); }
        var total = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (total != blob.Length) { throw Corrupt($"its header says {total} bytes, the string holds {blob.Length}"); }
        if (blob[^1] != End) { throw Corrupt("it does not end with 0xFF"); }
        _declaredCount = BinaryPrimitives.ReadUInt16LittleEndian(blob[4..]);
    }

    /// <summary>The next entry; false at the end (after checking the header's count, when it has one).</summary>
    public bool TryRead(out PackedEntry entry)
    {
        entry = default;
        if (_position == _blob.Length - 1)
        {
            if (_declaredCount != UnknownCount && _declaredCount != _read) { throw Corrupt($"its header counts {_declaredCount} entries, it holds {_read}"); }
            return false;
        }
        var start = _position;
        var encoding = _blob[start];
        int size;
        if (encoding < 0x80) { entry = new PackedEntry(encoding); size = 1; }
        else if ((encoding & 0xC0) == 0x80) { entry = Text(start, 1, encoding & 0x3F, out size); }
        else if ((encoding & 0xE0) == 0xC0) { entry = new PackedEntry(SignExtend(((encoding & 0x1F) << 8) | Data(start + 1, 1)[0], 13)); size = 2; }
        else if ((encoding & 0xF0) == 0xE0) { entry = Text(start, 2, ((encoding & 0x0F) << 8) | Data(start + 1, 1)[0], out size); }
        else
        {
            switch (encoding)
            {
                case 0xF0: entry = Text(start, 5, BinaryPrimitives.ReadUInt32LittleEndian(Data(start + 1, 4)), out size); break;
                case 0xF1: entry = new PackedEntry(BinaryPrimitives.ReadInt16LittleEndian(Data(start + 1, 2))); size = 3; break;
                case 0xF2:
                    var bytes = Data(start + 1, 3);
                    entry = new PackedEntry(SignExtend(bytes[0] | (bytes[1] << 8) | (bytes[2] << 16), 24));
                    size = 4;
                    break;
                case 0xF3: entry = new PackedEntry(BinaryPrimitives.ReadInt32LittleEndian(Data(start + 1, 4))); size = 5; break;
                case 0xF4: entry = new PackedEntry(BinaryPrimitives.ReadInt64LittleEndian(Data(start + 1, 8))); size = 9; break;
                case End: throw Corrupt($"the end marker at {start} comes before the end");
                default: throw Corrupt($"unknown entry encoding 0x{encoding:x2} at {start}");
            }
        }
        _position = start + size + CheckBacklen(start, size);
        _read++;
        return true;
    }

    private readonly int CheckBacklen(int start, int size)
    {
        var bytes = ListpackSize.BacklenBytes(size);
        var last = start + size + bytes - 1;
        if (last >= _blob.Length - 1) { throw Corrupt($"the entry at {start} runs past the end"); }
        long value = 0;
        for (var i = 0; i < bytes; i++) { value |= (long)(_blob[last - i] & 0x7F) << (7 * i); }
        if (value != size) { throw Corrupt($"the entry at {start} has {size} bytes, its back length says {value}"); }
        return bytes;
    }

    private readonly PackedEntry Text(int start, int header, long length, out int size)
    {
        if (start + header + length >= _blob.Length) { throw Corrupt($"the string at {start} runs past the end"); }
        size = header + (int)length;
        return new PackedEntry(_blob.Slice(start + header, (int)length));
    }

    private readonly ReadOnlySpan<byte> Data(int from, int length) =>
        from + length < _blob.Length ? _blob.Slice(from, length) : throw Corrupt($"the entry at {from - 1} runs past the end");

    private static long SignExtend(int value, int bits) => ((long)value << (64 - bits)) >> (64 - bits);

    private readonly RdbFormatException Corrupt(string why) => new($"corrupt listpack: {why}", _offset);
}
