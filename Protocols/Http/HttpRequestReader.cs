namespace Loop.Protocols.Http;

/// <summary>
/// One connection's request-reading state machine: head (through <see cref="HttpRequestParser"/>), then the body by
/// Content-Length or chunked (through <see cref="ChunkedBodyDecoder"/>). It follows the handler contract: it is
/// given the unconsumed bytes, says how many it consumed, and is given the rest again with what arrives next.
/// A request that is here whole is read where it lies; one whose body comes later has its head and body copied.
/// </summary>
internal sealed class HttpRequestReader(HttpOptions options)
{
    private readonly ChunkedBodyDecoder _chunks = new();
    private readonly PooledBuffer _head = new(), _body = new();
    private Phase _phase;
    private long _bodyLeft;
    private bool _inPlace;

    /// <summary>The head of the request being read.</summary>
    public HttpRequestParser Head { get; } = new(options);

    /// <summary>The status to answer after <see cref="ReadStep.Invalid"/>.</summary>
    public int ErrorStatus { get; private set; }

    /// <summary>True while a request has begun (a head is complete and its body is awaited).</summary>
    public bool InBody => _phase != Phase.Head;

    /// <summary>Reads from <paramref name="data"/>; <paramref name="consumed"/> bytes of it are done with.</summary>
    public ReadStep Read(ReadOnlySpan<byte> data, out int consumed) => _phase switch
    {
        Phase.Head => ReadHead(data, out consumed),
        Phase.Body => ReadBody(data, out consumed),
        _ => ReadChunks(data, out consumed),
    };

    /// <summary>
    /// The request after <see cref="ReadStep.Request"/>, given the same <paramref name="data"/> as that
    /// <see cref="Read"/> call, from <paramref name="connection"/>. Valid until <see cref="EndRequest"/>.
    /// </summary>
    public HttpRequest Request(ReadOnlySpan<byte> data, Connection? connection)
    {
        if (!_inPlace) { return new HttpRequest(_head.Span, Head, _body.Span, connection); }
        var headLength = Head.HeadLength;
        return new HttpRequest(data[..headLength], Head, data.Slice(headLength, (int)Math.Max(Head.ContentLength, 0)), connection);
    }

    /// <summary>Forgets the request, ready for the next one.</summary>
    public void EndRequest()
    {
        Head.Reset();
        _head.Release();
        _body.Release();
        _phase = Phase.Head;
        _inPlace = false;
    }

    private ReadStep ReadHead(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = 0;
        // RFC 9112 §2.2: empty lines before a request line are ignored.
        if (Head.InRequestLine && data.StartsWith("\r\n"u8))
        {
            Head.Reset();
            consumed = 2;
            return ReadStep.Progress;
        }
        var parse = Head.Parse(data);
        if (parse == HeadParse.Invalid) { return Fail(Head.ErrorStatus); }
        if (parse == HeadParse.Incomplete) { return ReadStep.NeedMore; }

        var headLength = Head.HeadLength;
        var rest = data[headLength..];
        if (Head.Chunked)
        {
            _chunks.Start(options.MaxRequestBodyBytes, Head.FieldsLeft, Head.HeaderBytesLeft);
            return StartLaterBody(data[..headLength], Phase.ChunkedBody, rest, out consumed);
        }
        var length = (int)Math.Max(Head.ContentLength, 0);
        if (rest.Length >= length)
        {
            _inPlace = true;
            consumed = headLength + length;
            return ReadStep.Request;
        }
        _body.EnsureCapacity(length);
        _bodyLeft = length;
        return StartLaterBody(data[..headLength], Phase.Body, rest, out consumed);
    }

    // The body is not all here: keep a copy of the head, which is consumed now.
    private ReadStep StartLaterBody(ReadOnlySpan<byte> head, Phase phase, ReadOnlySpan<byte> rest, out int consumed)
    {
        _head.Append(head);
        _phase = phase;
        consumed = head.Length;
        return Head.ExpectContinue && rest.IsEmpty ? ReadStep.Continue : ReadStep.Progress;
    }

    private ReadStep ReadBody(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = (int)Math.Min(_bodyLeft, data.Length);
        _body.Append(data[..consumed]);
        _bodyLeft -= consumed;
        return _bodyLeft == 0 ? ReadStep.Request : ReadStep.NeedMore;
    }

    private ReadStep ReadChunks(ReadOnlySpan<byte> data, out int consumed) => _chunks.Decode(data, _body, out consumed) switch
    {
        BodyDecode.Complete => ReadStep.Request,
        BodyDecode.Invalid => Fail(_chunks.ErrorStatus),
        _ => ReadStep.NeedMore,
    };

    private ReadStep Fail(int status)
    {
        ErrorStatus = status;
        return ReadStep.Invalid;
    }

    private enum Phase : byte { Head, Body, ChunkedBody }
}

/// <summary>What one <see cref="HttpRequestReader.Read"/> call came to.</summary>
internal enum ReadStep : byte
{
    /// <summary>Every usable byte was used; wait for more.</summary>
    NeedMore,

    /// <summary>Bytes were used (empty lines, or a head whose body follows): read on.</summary>
    Progress,

    /// <summary>Like <see cref="Progress"/> after a head, and the client waits for <c>100 Continue</c> before sending the body.</summary>
    Continue,

    /// <summary>A whole request was read: handle it, then <see cref="HttpRequestReader.EndRequest"/>.</summary>
    Request,

    /// <summary>The request is refused with <see cref="HttpRequestReader.ErrorStatus"/>; close after answering.</summary>
    Invalid,
}
