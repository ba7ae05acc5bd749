using System.Buffers.Binary;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Reads a ziplist (ziplist.c), the compact encoding before Redis 7: a header of total size, offset of the last
/// entry and count, entries, and 0xFF. Each entry is the previous entry's length (1 byte, or 0xFE and 4 more), an
/// encoding (string lengths big-endian in 1, 2 or 5 bytes; integers of 8 to 64 bits, or 0..12 in the encoding
/// byte itself) and its data. Every length is checked against the blob and against the next entry's back link.
/// </summary>
internal ref struct Ziplist : IPackedEntries
{
    private const int HeaderSize = 10;
    private const byte End = 0xFF;
    private const byte BigPreviousLength = 0xFE;
    private const int UnknownCount = ushort.MaxValue;

    private readonly ReadOnlySpan<byte> _blob;
    private readonly long _offset;
    private readonly int _declaredCount;
    private readonly int _tail;
    private int _position = HeaderSize;
    private int _previousStart = -1;
    private int _read;

    /// <param name="blob">The ziplist.</param>
    /// <param name="offset">Where the blob starts in the file, for errors.</param>
    public Ziplist(ReadOnlySpan<byte> blob, long offset)
    {
        _blob = blob;
        _offset = offset;
        if (blob.Length < HeaderSize + 1) { throw Corrupt($"{blob.Length} bytes are too few for a ziplist"); }
        var total = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (total != blob.Length) { throw Corrupt($"its header says {total} bytes, the string holds {blob.Length}"); }
        if (blob[^1] != End) { throw Corrupt("it does not end with 0xFF"); }
        _tail = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]), int.MaxValue);
        _declaredCount = BinaryPrimitives.ReadUInt16LittleEndian(blob[8..]);
    }

    /// <summary>The next entry; false at the end (after checking the header's count and tail offset).</summary>
    public bool TryRead(out PackedEntry entry)
    {
        entry = default;
        var start = _position;
        if (start == _blob.Length - 1)
        {
            if (_declaredCount != UnknownCount && _declaredCount != _read) { throw Corrupt($"its header counts {_declaredCount} entries, it holds {_read}"); }
            if (_tail != (_read == 0 ? HeaderSize : _previousStart)) { throw Corrupt($"its header puts the last entry at {_tail}"); }
            return false;
        }
        var previousLength = _previousStart < 0 ? 0 : start - _previousStart;
        var at = start;
        long linked = Byte(at++);
        if (linked == BigPreviousLength)
        {
            linked = BinaryPrimitives.ReadUInt32LittleEndian(Data(at, 4));
            at += 4;
        }
        else if (linked == End) { throw Corrupt($"the end marker at {start} comes before the end"); }
        if (linked != previousLength) { throw Corrupt($"the entry at {start} says the one before has {linked} bytes, it has {previousLength}"); }

        var encoding = Byte(at++);
        switch (encoding >> 6)
        {
            case 0: entry = Text(ref at, encoding & 0x3F); break;
            case 1: entry = Text(ref at, ((encoding & 0x3F) << 8) | Byte(at++)); break;
            case 2 when encoding == 0x80:
                var length = BinaryPrimitives.ReadUInt32BigEndian(Data(at, 4));
                at += 4;
                entry = Text(ref at, length);
                break;
            case 2: throw Corrupt($"unknown entry encoding 0x{encoding:x2} at {start}");
            default: entry = new PackedEntry(Integer(encoding, ref at, start)); break;
        }
        _previousStart = start;
        _position = at;
        _read++;
        return true;
    }

    private readonly long Integer(byte encoding, ref int at, int start)
    {
        long value;
        switch (encoding)
        {
            case 0xC0: value = BinaryPrimitives.ReadInt16LittleEndian(Data(at, 2)); at += 2; break;
            case 0xD0: value = BinaryPrimitives.ReadInt32LittleEndian(Data(at, 4)); at += 4; break;
            case 0xE0: value = BinaryPrimitives.ReadInt64LittleEndian(Data(at, 8)); at += 8; break;
            case 0xF0:
                var bytes = Data(at, 3);
                value = ((long)(bytes[0] | (bytes[1] << 8) | (bytes[2] << 16)) << 40) >> 40;
                at += 3;
                break;
            case 0xFE: value = (sbyte)Byte(at++); break;
            case >= 0xF1 and <= 0xFD: value = (encoding & 0x0F) - 1; break;
            default: throw Corrupt($"unknown entry encoding 0x{encoding:x2} at {start}");
        }
        return value;
    }

    private readonly PackedEntry Text(scoped ref int at, long length)
    {
        var text = Data(at, length);
        at += text.Length;
        return new PackedEntry(text);
    }

    // Data must end before the final 0xFF.
    private readonly ReadOnlySpan<byte> Data(int from, long length) =>
        from + length < _blob.Length ? _blob.Slice(from, (int)length) : throw Corrupt($"an entry at {from} runs past the end");

    private readonly byte Byte(int at) => Data(at, 1)[0];

    private readonly RdbFormatException Corrupt(string why) => new($"corrupt ziplist: {why}", _offset);
}
