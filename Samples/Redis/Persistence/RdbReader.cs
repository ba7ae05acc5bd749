using System.Buffers.Binary;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Reads the primitives of the RDB format (lengths, strings, fixed-width numbers) from a stream through a buffer,
/// keeping the offset for errors and the CRC-64 of everything consumed. A length is checked against what is left of
/// the stream when the stream knows its length, and big strings from one that does not are read in growing pieces,
/// so a corrupt length fails instead of allocating what it claims.
/// </summary>
internal sealed class RdbReader
{
    private const int BufferSize = 64 * 1024;
    private const int UnknownLengthPiece = 1024 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly long _length;
    private int _start, _end;        // the unread bytes are _buffer[_start.._end)
    private int _checksummedTo;      // the consumed bytes before this are in _crc
    private long _bufferOffset;      // the offset of _buffer[0] in the data
    private ulong _crc;

    public RdbReader(Stream stream)
    {
        _stream = stream;
        _length = stream.CanSeek ? stream.Length - stream.Position : -1;
    }

    /// <summary>How many bytes were consumed: where the next read starts.</summary>
    public long Offset => _bufferOffset + _start;

    /// <summary>The CRC-64 of every byte consumed so far.</summary>
    public ulong Checksum
    {
        get
        {
            FoldChecksum();
            return _crc;
        }
    }

    public byte ReadByte()
    {
        if (_start == _end) { Fill(1); }
        return _buffer[_start++];
    }

    public uint ReadUInt32LittleEndian() => BinaryPrimitives.ReadUInt32LittleEndian(Read(4));

    public ulong ReadUInt64LittleEndian() => BinaryPrimitives.ReadUInt64LittleEndian(Read(8));

    /// <summary>A length (6, 14, 32 or 64 bits); an encoded string where a length belongs is corrupt.</summary>
    public ulong ReadLength()
    {
        var offset = Offset;
        var length = ReadLengthOrEncoding(out var encoded);
        return encoded ? throw new RdbFormatException("a string encoding where a length belongs", offset) : length;
    }

    /// <summary>A length that counts items, each at least one byte, so no more than the bytes left (when known).</summary>
    public int ReadCount(string what)
    {
        var offset = Offset;
        var count = ReadLength();
        if (count > int.MaxValue || (_length >= 0 && count > (ulong)(_length - Offset)))
        {
            throw new RdbFormatException($"{what} of {count} items cannot fit in what is left of the data", offset);
        }
        return (int)count;
    }

    /// <summary>A string: raw bytes, an integer stored in 1, 2 or 4 bytes (given back as its decimal digits), or LZF-compressed.</summary>
    public byte[] ReadString()
    {
        var offset = Offset;
        var length = ReadLengthOrEncoding(out var encoded);
        if (!encoded) { return ReadBytes(length, offset); }
        return length switch
        {
            RdbFormat.EncodingInt8 => RdbText.Digits((sbyte)ReadByte()),
            RdbFormat.EncodingInt16 => RdbText.Digits(BinaryPrimitives.ReadInt16LittleEndian(Read(2))),
            RdbFormat.EncodingInt32 => RdbText.Digits(BinaryPrimitives.ReadInt32LittleEndian(Read(4))),
            RdbFormat.EncodingLzf => ReadCompressed(offset),
            _ => throw new RdbFormatException($"unknown string encoding {length}", offset),
        };
    }

    /// <summary><paramref name="count"/> bytes (at most the buffer's size), valid until the next read.</summary>
    public ReadOnlySpan<byte> Read(int count)
    {
        if (_end - _start < count) { Fill(count); }
        var span = _buffer.AsSpan(_start, count);
        _start += count;
        return span;
    }

    private ulong ReadLengthOrEncoding(out bool encoded)
    {
        var offset = Offset;
        var first = ReadByte();
        encoded = false;
        switch (first >> 6)
        {
            case RdbFormat.Length6Bit: return (ulong)(first & 0x3F);
            case RdbFormat.Length14Bit: return (ulong)(((first & 0x3F) << 8) | ReadByte());
            case RdbFormat.Encoded:
                encoded = true;
                return (ulong)(first & 0x3F);
        }
        return first switch
        {
            RdbFormat.Length32Bit => BinaryPrimitives.ReadUInt32BigEndian(Read(4)),
            RdbFormat.Length64Bit => BinaryPrimitives.ReadUInt64BigEndian(Read(8)),
            _ => throw new RdbFormatException($"unknown length encoding 0x{first:x2}", offset),
        };
    }

    private byte[] ReadCompressed(long offset)
    {
        var compressedLength = ReadLength();
        var length = ReadLength();
        if (length > (ulong)Array.MaxLength || compressedLength * Lzf.MaxExpansion < length)
        {
            throw new RdbFormatException($"{compressedLength} LZF bytes cannot hold {length} bytes", offset);
        }
        var compressed = ReadBytes(compressedLength, offset);
        var bytes = new byte[length];
        return Lzf.TryDecompress(compressed, bytes) ? bytes : throw new RdbFormatException($"corrupt LZF string ({compressedLength} bytes, {length} claimed)", offset);
    }

    private byte[] ReadBytes(ulong length, long offset)
    {
        if (length > (ulong)Array.MaxLength) { throw new RdbFormatException($"a string of {length} bytes is longer than this server holds", offset); }
        if (_length >= 0 && length > (ulong)(_length - Offset))
        {
            throw new RdbFormatException($"a string of {length} bytes runs past the end of the data", offset);
        }
        // Unknown length: grow with what actually arrives, so a corrupt length cannot allocate what it claims.
        var bytes = new byte[_length >= 0 ? (int)length : (int)Math.Min(length, UnknownLengthPiece)];
        var filled = 0;
        while (true)
        {
            filled += Take(bytes.AsSpan(filled));
            if (filled == (int)length) { return bytes; }
            if (filled == bytes.Length) { Array.Resize(ref bytes, (int)Math.Min(length, (ulong)bytes.Length * 2)); }
            Fill(1);
        }
    }

    // Copies what the buffer holds into `destination`; returns how many bytes.
    private int Take(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        return count;
    }

    // Reads until at least `count` unread bytes are buffered.
    private void Fill(int count)
    {
        FoldChecksum();
        var unread = _end - _start;
        _buffer.AsSpan(_start, unread).CopyTo(_buffer);
        _bufferOffset += _start;
        (_start, _end, _checksummedTo) = (0, unread, 0);
        while (_end < count)
        {
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0) { throw new RdbFormatException($"the data ends {count - _end} bytes too soon", _bufferOffset + _end); }
            _end += read;
        }
    }

    private void FoldChecksum()
    {
        _crc = Crc64.Update(_crc, _buffer.AsSpan(_checksummedTo, _start - _checksummedTo));
        _checksummedTo = _start;
    }
}
