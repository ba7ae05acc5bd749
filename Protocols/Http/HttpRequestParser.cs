using System.Text;

namespace Loop.Protocols.Http;

/// <summary>Where one header field lies in the request head.</summary>
internal readonly record struct HeaderField(Range Name, Range Value);

/// <summary>
/// The request-head state machine: request line, then header field lines, then the empty line. It is fed the
/// bytes from the request's first byte on, again and again as more arrive (the head stays unconsumed until it is
/// complete, so every position it records stays valid), and it resumes where it stopped: no byte is examined
/// twice and nothing is copied or allocated. Anything RFC 9112 does not allow is refused with the status to answer.
/// </summary>
internal sealed class HttpRequestParser(HttpOptions options)
{
    private readonly HeaderField[] _fields = new HeaderField[options.MaxHeaderCount];
    private bool _inHeaders;
    private int _lineStart, _searchFrom, _headerBytes, _hostCount, _hostField;
    private int _codings, _chunkedCodings;
    private Range _authority;
    private bool _absoluteForm, _transferEncoding, _lastCodingIsChunked, _closeRequested, _keepAliveRequested, _expectContinue;

    /// <summary>True until the request line is complete.</summary>
    public bool InRequestLine => !_inHeaders;

    /// <summary>The status to answer after <see cref="HeadParse.Invalid"/>.</summary>
    public int ErrorStatus { get; private set; }

    /// <summary>Bytes of the complete head, from the request line to the empty line's LF.</summary>
    public int HeadLength { get; private set; }

    public Range Method { get; private set; }
    public Range Target { get; private set; }
    public Range Path { get; private set; }
    public Range Query { get; private set; }
    public HttpProtocolVersion Version { get; private set; }
    public int FieldCount { get; private set; }
    public ReadOnlySpan<HeaderField> Fields => _fields.AsSpan(0, FieldCount);

    /// <summary>The body's length by Content-Length, or -1 when there is none.</summary>
    public long ContentLength { get; private set; } = -1;

    /// <summary>True when the body is chunked.</summary>
    public bool Chunked { get; private set; }

    /// <summary>True when the connection stays open after this request.</summary>
    public bool KeepAlive { get; private set; }

    /// <summary>True when the client waits for <c>100 Continue</c> before sending the body.</summary>
    public bool ExpectContinue => _expectContinue && Version == HttpProtocolVersion.Http11;

    /// <summary>Bytes and fields left for trailers under the header limits.</summary>
    public int HeaderBytesLeft => options.MaxHeaderBytes - _headerBytes;
    public int FieldsLeft => options.MaxHeaderCount - FieldCount;

    /// <summary>Parses what was not parsed yet of <paramref name="data"/>, which starts at the request's first byte.</summary>
    public HeadParse Parse(ReadOnlySpan<byte> data)
    {
        while (true)
        {
            var lf = data[_searchFrom..].IndexOf((byte)'\n');
            if (lf < 0)
            {
                _searchFrom = data.Length;
                return PartialLineFits(data.Length - _lineStart) ? HeadParse.Incomplete : Fail(_inHeaders ? 431 : 414);
            }
            var end = _searchFrom + lf;
            if (end == _lineStart || data[end - 1] != '\r') { return Fail(400); } // a bare LF ends no line
            var line = data[_lineStart..(end - 1)];
            var start = _lineStart;
            _lineStart = _searchFrom = end + 1;

            var status = !_inHeaders ? ParseRequestLine(line)
                : line.IsEmpty ? FinishHead(data)
                : ParseFieldLine(line, start);
            if (status != 0) { return Fail(status); }
            if (HeadLength > 0) { return HeadParse.Complete; }
        }
    }

    /// <summary>Forgets the request, ready for the next one.</summary>
    public void Reset()
    {
        _inHeaders = _absoluteForm = _transferEncoding = _lastCodingIsChunked = _closeRequested = _keepAliveRequested = _expectContinue = Chunked = KeepAlive = false;
        _lineStart = _searchFrom = _headerBytes = _hostCount = _codings = _chunkedCodings = 0;
        ErrorStatus = HeadLength = FieldCount = 0;
        ContentLength = -1;
    }

    // A line still arriving must be able to end within its limit (its CR may already be here).
    private bool PartialLineFits(int length) => _inHeaders
        ? _headerBytes + length <= options.MaxHeaderBytes + 1
        : length <= options.MaxRequestLineBytes + 1;

    private HeadParse Fail(int status)
    {
        ErrorStatus = status;
        return HeadParse.Invalid;
    }

    // request-line = method SP request-target SP HTTP-version
    private int ParseRequestLine(ReadOnlySpan<byte> line)
    {
        if (line.Length > options.MaxRequestLineBytes) { return 414; }
        var methodEnd = line.IndexOf((byte)' ');
        if (methodEnd <= 0 || !HttpSyntax.IsToken(line[..methodEnd])) { return 400; }
        var targetStart = methodEnd + 1;
        var targetLength = line[targetStart..].IndexOf((byte)' ');
        if (targetLength <= 0) { return 400; }
        var target = line.Slice(targetStart, targetLength);
        var version = line[(targetStart + targetLength + 1)..];
        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)version[5])
            || version[6] != '.' || !char.IsAsciiDigit((char)version[7]))
        {
            return 400;
        }
        if (target.IndexOfAnyExcept(HttpSyntax.TargetChars) >= 0) { return 400; }
        if (version.SequenceEqual("HTTP/1.1"u8)) { Version = HttpProtocolVersion.Http11; }
        else if (version.SequenceEqual("HTTP/1.0"u8)) { Version = HttpProtocolVersion.Http10; }
        else { return 505; }

        Method = new Range(0, methodEnd);
        Target = new Range(targetStart, targetStart + targetLength);
        _inHeaders = true;
        return SplitTarget(target, targetStart, line[..methodEnd].SequenceEqual("OPTIONS"u8));
    }

    // origin-form "/path?query", absolute-form "http://host/path?query", or "*" for OPTIONS.
    private int SplitTarget(ReadOnlySpan<byte> target, int offset, bool isOptions)
    {
        var pathStart = 0;
        if (target[0] != '/')
        {
            if (target.SequenceEqual("*"u8) && isOptions)
            {
                Path = new Range(offset, offset + 1);
                Query = new Range(offset + 1, offset + 1);
                return 0;
            }
            var scheme = Ascii.EqualsIgnoreCase(target[..Math.Min(7, target.Length)], "http://"u8) ? 7
                : Ascii.EqualsIgnoreCase(target[..Math.Min(8, target.Length)], "https://"u8) ? 8 : -1;
            if (scheme < 0) { return 400; }
            var authorityLength = target[scheme..].IndexOfAny((byte)'/', (byte)'?');
            pathStart = authorityLength < 0 ? target.Length : scheme + authorityLength;
            _authority = new Range(offset + scheme, offset + pathStart);
            _absoluteForm = true;
        }
        var question = target[pathStart..].IndexOf((byte)'?');
        var pathEnd = question < 0 ? target.Length : pathStart + question;
        // A path that decodes to a NUL is refused, as Kestrel does: whatever decodes it (a file name, a C string)
        // would see it end there. "00" has no hex letters, so no case to ignore; the query is the application's.
        if (target[pathStart..pathEnd].IndexOf("%00"u8) >= 0) { return 400; }
        Path = new Range(offset + pathStart, offset + pathEnd);
        Query = new Range(offset + Math.Min(pathEnd + 1, target.Length), offset + target.Length);
        return 0;
    }

    private int ParseFieldLine(ReadOnlySpan<byte> line, int start)
    {
        _headerBytes += line.Length + 2;
        if (FieldCount == _fields.Length || _headerBytes > options.MaxHeaderBytes) { return 431; }
        if (!HttpSyntax.TryParseField(line, out var nameLength, out var valueStart, out var valueLength)) { return 400; }
        _fields[FieldCount++] = new HeaderField(new Range(start, start + nameLength),
            new Range(start + valueStart, start + valueStart + valueLength));
        return Interpret(line[..nameLength], line.Slice(valueStart, valueLength));
    }

    // The fields that decide framing and the connection's fate.
    private int Interpret(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (Ascii.EqualsIgnoreCase(name, "Host"u8))
        {
            _hostField = FieldCount - 1; // ParseFieldLine has just stored it
            return ++_hostCount > 1 || value.IsEmpty || value.IndexOfAnyExcept(HttpSyntax.HostChars) >= 0 ? 400 : 0;
        }
        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            if (ContentLength >= 0 || !HttpSyntax.TryParseContentLength(value, out var length)) { return 400; }
            ContentLength = length;
        }
        else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
        {
            ReadCodings(value);
        }
        else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            while (!value.IsEmpty)
            {
                var option = HttpSyntax.NextListElement(ref value);
                _closeRequested |= Ascii.EqualsIgnoreCase(option, "close"u8);
                _keepAliveRequested |= Ascii.EqualsIgnoreCase(option, "keep-alive"u8);
            }
        }
        else if (Ascii.EqualsIgnoreCase(name, "Expect"u8))
        {
            _expectContinue |= Ascii.EqualsIgnoreCase(value, "100-continue"u8);
        }
        return 0;
    }

    private void ReadCodings(ReadOnlySpan<byte> list)
    {
        _transferEncoding = true;
        while (!list.IsEmpty)
        {
            var coding = HttpSyntax.NextListElement(ref list);
            if (coding.IsEmpty) { continue; }
            _codings++;
            _lastCodingIsChunked = Ascii.EqualsIgnoreCase(coding, "chunked"u8);
            _chunkedCodings += _lastCodingIsChunked ? 1 : 0;
        }
    }

    // The empty line: decide the body's framing and whether the connection survives the request.
    private int FinishHead(ReadOnlySpan<byte> data)
    {
        if (Version == HttpProtocolVersion.Http11 && _hostCount == 0) { return 400; }
        // RFC 9112 §3.2.2: Host must be identical to an absolute-form target's authority. Ignoring case is right for
        // the host name (RFC 3986 §3.2.2) and changes nothing for port digits; a userinfo never matches, as Host has no '@'.
        if (_absoluteForm && _hostCount == 1 && !Ascii.EqualsIgnoreCase(data[_authority], data[_fields[_hostField].Value])) { return 400; }
        if (_transferEncoding)
        {
            // HTTP/1.0 has no transfer codings, and both framings at once is the classic smuggling vector.
            if (Version == HttpProtocolVersion.Http10 || ContentLength >= 0 || !_lastCodingIsChunked || _chunkedCodings > 1) { return 400; }
            if (_codings > _chunkedCodings) { return 501; }
            Chunked = true;
        }
        if (ContentLength > options.MaxRequestBodyBytes) { return 413; }
        KeepAlive = !_closeRequested && (Version == HttpProtocolVersion.Http11 || _keepAliveRequested);
        HeadLength = _lineStart;
        return 0;
    }
}

/// <summary>What <see cref="HttpRequestParser.Parse"/> found.</summary>
internal enum HeadParse : byte
{
    /// <summary>More bytes are needed; call again with them.</summary>
    Incomplete,

    /// <summary>The head is complete: <see cref="HttpRequestParser.HeadLength"/> bytes.</summary>
    Complete,

    /// <summary>The request is refused with <see cref="HttpRequestParser.ErrorStatus"/>.</summary>
    Invalid,
}
