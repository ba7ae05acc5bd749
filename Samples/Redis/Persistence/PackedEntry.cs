namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// One element of a listpack or ziplist: text (a span of the blob) or an integer, as the encodings store them.
/// Either way it stands for bytes: an integer's are its decimal spelling, as Redis hands it to a client.
/// </summary>
internal readonly ref struct PackedEntry
{
    private readonly ReadOnlySpan<byte> _text;
    private readonly long _integer;
    private readonly bool _isInteger;

    public PackedEntry(ReadOnlySpan<byte> text) => _text = text;

    public PackedEntry(long integer)
    {
        _integer = integer;
        _isInteger = true;
    }

    /// <summary>The entry as an integer (stored as one, or text spelling one), as Redis's lpGetInteger reads stream metadata.</summary>
    public bool TryInteger(out long value)
    {
        value = _integer;
        return _isInteger || Store.ObjectEncoding.TryInteger(_text, out value);
    }

    public byte[] ToBytes() => _isInteger ? RdbText.Digits(_integer) : _text.ToArray();

    /// <summary>The entry as a sorted set score (Redis writes them with %.17g, or as integers): false when it is no number.</summary>
    public bool TryScore(out double score)
    {
        if (_isInteger)
        {
            score = _integer;
            return true;
        }
        return RdbText.TryParseScore(_text, out score);
    }
}
