using System.Text;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Reads the commands of an append-only file (an incr file, a base without an RDB preamble, or what follows one) as
/// Redis's loadSingleAppendOnlyFile does: each command <c>*N\r\n</c> then N times <c>$LEN\r\nBYTES\r\n</c>, lines
/// starting with <c>#</c> skipped (annotations such as aof-timestamp-enabled's <c>#TS:</c>), MULTI ... EXEC handed over
/// only once complete. A file that ends inside a command or a transaction is truncated: with aof-load-truncated the
/// reader stops after the last complete one and says where that is, without it the file is refused. Anything malformed
/// before the end is an <see cref="AofFormatException"/> with the byte offset, never a partial load that looks whole.
/// One difference from Redis: an annotation without its newline at the end is a truncated tail here, where Redis loads
/// the file whole and would then append the next command onto that line (and refuse the file on the next load).
/// </summary>
internal sealed class AofCommandReader
{
    private const int BufferSize = 64 * 1024;
    private const int UnknownLengthPiece = 1024 * 1024;
    // Redis reads an annotation with fgets into 1024 bytes.
    private const int MaxAnnotationLength = 1024;
    // 18 digits cannot overflow a long, and are more than any count or length this server holds.
    private const int MaxDigits = 18;

    private readonly Stream _stream;
    private readonly string _file;
    private readonly long _length;   // the offset where the stream ends, or -1 when it cannot tell
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _start, _end;        // the unread bytes are _buffer[_start.._end)
    private long _bufferOffset;      // the offset of _buffer[0]

    private AofCommandReader(Stream stream, string file)
    {
        _stream = stream;
        _file = file;
        _bufferOffset = stream.CanSeek ? stream.Position : 0;
        _length = stream.CanSeek ? stream.Length : -1;
    }

    private long Offset => _bufferOffset + _start;

    /// <summary>
    /// Reads <paramref name="input"/> from its position to its end (buffered: files of gigabytes are never held whole),
    /// handing each command to <paramref name="sink"/>. Offsets are positions in the stream (counted from 0 when it
    /// cannot seek); <paramref name="file"/> names it in errors. A file that ends inside a command or transaction is
    /// reported as truncated when <paramref name="loadTruncated"/>, else refused with an <see cref="AofFormatException"/>.
    /// </summary>
    public static AofReadResult Read(Stream input, string file, IAofCommandSink sink, bool loadTruncated = true) =>
        new AofCommandReader(input, file).ReadAll(sink, loadTruncated);

    private AofReadResult ReadAll(IAofCommandSink sink, bool loadTruncated)
    {
        var validUpTo = Offset;
        List<(List<byte[]> Arguments, long Offset)>? transaction = null;
        try
        {
            while (HasMore())
            {
                var offset = Offset;
                if (_buffer[_start] == '#')
                {
                    SkipAnnotation();
                }
                else
                {
                    var command = ReadCommand();
                    if (Is(command, "MULTI"u8))
                    {
                        // redis-check-aof refuses these two as well: Redis never writes them.
                        if (transaction is not null) { throw Corrupt(offset, "MULTI inside a transaction"); }
                        transaction = [(command, offset)];
                    }
                    else if (transaction is not null)
                    {
                        transaction.Add((command, offset));
                        if (Is(command, "EXEC"u8))
                        {
                            foreach (var queued in transaction) { Hand(sink, queued.Arguments, queued.Offset); }
                            transaction = null;
                        }
                    }
                    else if (Is(command, "EXEC"u8)) { throw Corrupt(offset, "EXEC without MULTI"); }
                    else { Hand(sink, command, offset); }
                }
                if (transaction is null) { validUpTo = Offset; }
            }
            if (transaction is null) { return new AofReadResult(validUpTo, Truncated: false); }
        }
        catch (EndOfData)
        {
        }
        if (!loadTruncated)
        {
            var what = transaction is null ? "inside a command" : "inside a transaction (MULTI without its EXEC)";
            throw AofFormatException.AtOffset(_file, validUpTo, $"the file ends {what} after its last complete command, and aof-load-truncated is no");
        }
        return new AofReadResult(validUpTo, Truncated: true);
    }

    private static bool Is(List<byte[]> command, ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(command[0], name);

    private List<byte[]> ReadCommand()
    {
        var offset = Offset;
        var count = ReadNumber((byte)'*', "a command's argument count");
        if (count is < 1 or > int.MaxValue) { throw Corrupt(offset, $"a command of {count} arguments"); }
        // Grown as arguments arrive: a corrupt count allocates nothing it claims.
        var arguments = new List<byte[]>((int)Math.Min(count, 16));
        for (var i = 0; i < count; i++) { arguments.Add(ReadArgument()); }
        return arguments;
    }

    private byte[] ReadArgument()
    {
        var offset = Offset;
        var length = ReadNumber((byte)'$', "an argument's length");
        if (length > Array.MaxLength) { throw Corrupt(offset, $"an argument of {length} bytes is longer than this server holds"); }
        // A length that runs past the end is where the file was cut (Redis reads on to the end and finds it short).
        if (_length >= 0 && length + 2 > _length - Offset) { throw new EndOfData(); }
        var bytes = ReadBytes((int)length);
        var end = Offset;
        if (ReadByte() != '\r' || ReadByte() != '\n') { throw Corrupt(end, $"no \\r\\n after an argument of {length} bytes"); }
        return bytes;
    }

    // `prefix`, digits, \r\n.
    private long ReadNumber(byte prefix, string what)
    {
        var offset = Offset;
        var first = ReadByte();
        if (first != prefix) { throw Corrupt(offset, $"expected '{(char)prefix}' ({what}), found {Show(first)}"); }
        long value = 0;
        for (var digits = 0; ; digits++)
        {
            var position = Offset;
            var next = ReadByte();
            if (next == '\r' && digits > 0) { break; }
            if (!char.IsAsciiDigit((char)next)) { throw Corrupt(position, $"{what}: {Show(next)} where a digit belongs"); }
            if (digits == MaxDigits) { throw Corrupt(offset, $"{what} of more than {MaxDigits} digits"); }
            value = value * 10 + (next - '0');
        }
        var newline = Offset;
        return ReadByte() == '\n' ? value : throw Corrupt(newline, $"{what}: \\r without \\n");
    }

    private void SkipAnnotation()
    {
        var offset = Offset;
        for (var length = 1; ReadByte() != '\n'; length++)
        {
            if (length == MaxAnnotationLength) { throw Corrupt(offset, $"an annotation ('#' line) longer than {MaxAnnotationLength} bytes"); }
        }
    }

    private byte[] ReadBytes(int length)
    {
        // From a stream that cannot tell its length, grow with what arrives, so a corrupt length cannot allocate what it claims.
        var bytes = new byte[_length >= 0 ? length : Math.Min(length, UnknownLengthPiece)];
        var filled = 0;
        while (true)
        {
            var count = Math.Min(bytes.Length - filled, _end - _start);
            _buffer.AsSpan(_start, count).CopyTo(bytes.AsSpan(filled));
            _start += count;
            filled += count;
            if (filled == length) { return bytes; }
            if (filled == bytes.Length) { Array.Resize(ref bytes, (int)Math.Min(length, (long)bytes.Length * 2)); }
            Fill();
        }
    }

    private byte ReadByte()
    {
        if (_start == _end) { Fill(); }
        return _buffer[_start++];
    }

    // Whether a byte is left to read (a command or annotation starts there).
    private bool HasMore() => _start < _end || TryFill();

    private void Fill()
    {
        if (!TryFill()) { throw new EndOfData(); }
    }

    // Reads more into the buffer (the unread bytes moved to its front); false at the end of the stream.
    private bool TryFill()
    {
        var unread = _end - _start;
        _buffer.AsSpan(_start, unread).CopyTo(_buffer);
        _bufferOffset += _start;
        (_start, _end) = (0, unread);
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        _end += read;
        return read > 0;
    }

    // A command the sink refuses (an unknown one) is an error at its offset in this file.
    private void Hand(IAofCommandSink sink, List<byte[]> command, long offset)
    {
        try { sink.Command(command, offset); }
        catch (InvalidDataException e) { throw Corrupt(offset, e.Message); }
    }

    private AofFormatException Corrupt(long offset, string reason) => AofFormatException.AtOffset(_file, offset, reason);

    private static string Show(byte value) => value is >= 0x20 and < 0x7F ? $"'{(char)value}'" : $"0x{value:x2}";

    // The file ends here: what was begun is the truncated tail.
    private sealed class EndOfData : Exception;
}
