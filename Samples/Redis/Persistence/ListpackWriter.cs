using System.Buffers;
using System.Buffers.Binary;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Builds a listpack as Redis's lpAppend builds one (the format <see cref="Listpack"/> reads): text that spells a 64-bit
/// integer is stored as the smallest integer encoding, other text behind its length, each entry followed by its
/// length written backwards. The sizes are <see cref="ListpackSize"/>'s, so a stream node's size is the blob's.
/// </summary>
internal sealed class ListpackWriter
{
    private const int HeaderSize = 6;
    private const byte End = 0xFF;
    private const int UnknownCount = ushort.MaxValue;

    private readonly ArrayBufferWriter<byte> _buffer = new();
    private int _count;

    public ListpackWriter()
    {
        _buffer.GetSpan(HeaderSize);
        _buffer.Advance(HeaderSize); // filled in by ToArray
    }

    public void Add(ReadOnlySpan<byte> element)
    {
        if (ObjectEncoding.TryInteger(element, out var integer)) { Add(integer); return; }
        var header = ListpackSize.TextHeader(element.Length);
        var span = _buffer.GetSpan(header);
        switch (header)
        {
            case 1: span[0] = (byte)(0x80 | element.Length); break;
            case 2: span[0] = (byte)(0xE0 | (element.Length >> 8)); span[1] = (byte)element.Length; break;
            default: span[0] = 0xF0; BinaryPrimitives.WriteInt32LittleEndian(span[1..], element.Length); break;
        }
        _buffer.Advance(header);
        _buffer.Write(element);
        Ended(header + element.Length);
    }

    public void Add(long value)
    {
        var size = ListpackSize.IntegerEncoded(value);
        var span = _buffer.GetSpan(size);
        switch (size)
        {
            case 1: span[0] = (byte)value; break;
            case 2: span[0] = (byte)(0xC0 | ((value >> 8) & 0x1F)); span[1] = (byte)value; break;
            case 3: span[0] = 0xF1; BinaryPrimitives.WriteInt16LittleEndian(span[1..], (short)value); break;
            case 4: span[0] = 0xF2; span[1] = (byte)value; span[2] = (byte)(value >> 8); span[3] = (byte)(value >> 16); break;
            case 5: span[0] = 0xF3; BinaryPrimitives.WriteInt32LittleEndian(span[1..], (int)value); break;
            default: span[0] = 0xF4; BinaryPrimitives.WriteInt64LittleEndian(span[1..], value); break;
        }
        _buffer.Advance(size);
        Ended(size);
    }

    /// <summary>The listpack: header, entries, end marker.</summary>
    public byte[] ToArray()
    {
        var blob = new byte[_buffer.WrittenCount + 1];
        _buffer.WrittenSpan.CopyTo(blob);
        blob[^1] = End;
        BinaryPrimitives.WriteUInt32LittleEndian(blob, (uint)blob.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(4), (ushort)Math.Min(_count, UnknownCount));
        return blob;
    }

    // The entry's size written backwards: seven bits a byte, the lowest last, every byte but the first flagged.
    private void Ended(int size)
    {
        var bytes = ListpackSize.BacklenBytes(size);
        var span = _buffer.GetSpan(bytes);
        for (var i = 0; i < bytes; i++)
        {
            var shift = 7 * (bytes - 1 - i);
            span[i] = (byte)(((size >> shift) & 0x7F) | (i == 0 ? 0 : 0x80));
        }
        _buffer.Advance(bytes);
        _count++;
    }
}
