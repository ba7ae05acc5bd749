namespace Loop.Protocols.Http;

/// <summary>
/// The chunked-body state machine (RFC 9112 §7.1): chunk-size line with optional extensions, chunk data and its
/// CRLF, again until the last chunk, then trailer fields up to an empty line. It consumes bytes as they come and
/// appends the decoded data to a buffer; only an incomplete line is left unconsumed. Trailers are checked against
/// the header rules and limits, then dropped.
/// </summary>
internal sealed class ChunkedBodyDecoder
{
    // A chunk-size line with extensions longer than this is refused; real clients send a few bytes.
    private const int MaxChunkLineBytes = 4096;

    private State _state;
    private long _chunkLeft, _bodyLimit;
    private int _fieldsLeft, _fieldBytesLeft;

    /// <summary>The status to answer once <see cref="Decode"/> returned <see cref="BodyDecode.Invalid"/>.</summary>
    public int ErrorStatus { get; private set; }

    /// <summary>Starts a body that may decode to <paramref name="bodyLimit"/> bytes and carry trailers within the budgets.</summary>
    public void Start(long bodyLimit, int fieldsLeft, int fieldBytesLeft)
    {
        _state = State.Size;
        _bodyLimit = bodyLimit;
        _fieldsLeft = fieldsLeft;
        _fieldBytesLeft = fieldBytesLeft;
        ErrorStatus = 0;
    }

    /// <summary>Decodes from <paramref name="data"/> into <paramref name="body"/>; <paramref name="consumed"/> bytes were used.</summary>
    public BodyDecode Decode(ReadOnlySpan<byte> data, PooledBuffer body, out int consumed)
    {
        consumed = 0;
        while (consumed < data.Length)
        {
            var rest = data[consumed..];
            if (_state == State.Data)
            {
                var n = (int)Math.Min(_chunkLeft, rest.Length);
                body.Append(rest[..n]);
                consumed += n;
                if ((_chunkLeft -= n) == 0) { _state = State.DataEnd; }
                continue;
            }
            if (_state == State.DataEnd)
            {
                if (rest[0] != '\r' || (rest.Length > 1 && rest[1] != '\n')) { return Fail(400); }
                if (rest.Length < 2) { return BodyDecode.Incomplete; }
                consumed += 2;
                _state = State.Size;
                continue;
            }

            var lf = rest.IndexOf((byte)'\n');
            if (lf < 0) { return rest.Length <= LineLimit + 1 ? BodyDecode.Incomplete : Fail(LineLimitStatus); }
            if (lf == 0 || rest[lf - 1] != '\r') { return Fail(400); }
            var line = rest[..(lf - 1)];
            if (line.Length > LineLimit) { return Fail(LineLimitStatus); }
            consumed += lf + 1;
            var status = _state == State.Size ? ReadChunkSize(line, body.Length) : ReadTrailer(line);
            if (status != 0) { return Fail(status); }
            if (_state == State.Done) { return BodyDecode.Complete; }
        }
        return BodyDecode.Incomplete;
    }

    private int LineLimit => _state == State.Size ? MaxChunkLineBytes : _fieldBytesLeft;
    private int LineLimitStatus => _state == State.Size ? 400 : 431;

    private BodyDecode Fail(int status)
    {
        ErrorStatus = status;
        return BodyDecode.Invalid;
    }

    // chunk-size [ chunk-ext ]: 1*HEXDIG, then *( BWS ";" BWS ext-name [ BWS "=" BWS ext-value ] )
    private int ReadChunkSize(ReadOnlySpan<byte> line, long bodyLength)
    {
        var digits = 0;
        long size = 0;
        for (; digits < line.Length && char.IsAsciiHexDigit((char)line[digits]); digits++)
        {
            if (size > long.MaxValue >> 4) { return 400; } // no such length: a malformed size, not a large body
            size = size * 16 + HexValue(line[digits]);
        }
        if (digits == 0 || !ChunkExtensions.AreValid(line[digits..])) { return 400; }
        if (size > _bodyLimit - bodyLength) { return 413; }
        _chunkLeft = size;
        _state = size == 0 ? State.Trailers : State.Data;
        return 0;
    }

    private static int HexValue(byte digit) => digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10;

    private int ReadTrailer(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            _state = State.Done;
            return 0;
        }
        _fieldBytesLeft -= line.Length + 2;
        if (--_fieldsLeft < 0 || _fieldBytesLeft < 0) { return 431; }
        return HttpSyntax.TryParseField(line, out _, out _, out _) ? 0 : 400;
    }

    private enum State : byte { Size, Data, DataEnd, Trailers, Done }
}

/// <summary>What <see cref="ChunkedBodyDecoder.Decode"/> found.</summary>
internal enum BodyDecode : byte
{
    /// <summary>All given bytes that could be used were; more are needed.</summary>
    Incomplete,

    /// <summary>The last chunk and the trailers were read.</summary>
    Complete,

    /// <summary>The body is refused with <see cref="ChunkedBodyDecoder.ErrorStatus"/>.</summary>
    Invalid,
}
