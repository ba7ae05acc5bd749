using System.Text;

namespace Loop.Protocols.Http;

/// <summary>A request's header fields, in the order received; names compare case-insensitively.</summary>
public readonly ref struct HttpHeaders
{
    private readonly ReadOnlySpan<byte> _head;
    private readonly ReadOnlySpan<HeaderField> _fields;

    internal HttpHeaders(ReadOnlySpan<byte> head, ReadOnlySpan<HeaderField> fields)
    {
        _head = head;
        _fields = fields;
    }

    /// <summary>How many field lines the request has.</summary>
    public int Count => _fields.Length;

    /// <summary>The <paramref name="index"/>th field line.</summary>
    public HttpHeader this[int index] => new(_head[_fields[index].Name], _head[_fields[index].Value]);

    /// <summary>The value of the first field named <paramref name="name"/>, if there is one.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        foreach (var field in _fields)
        {
            if (Ascii.EqualsIgnoreCase(_head[field.Name], name))
            {
                value = _head[field.Value];
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>True when a field named <paramref name="name"/> is present.</summary>
    public bool Contains(ReadOnlySpan<byte> name) => TryGetValue(name, out _);

    /// <summary>Enumerates the field lines in order.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Walks the field lines without allocating.</summary>
    public ref struct Enumerator
    {
        private readonly HttpHeaders _headers;
        private int _index;

        internal Enumerator(HttpHeaders headers)
        {
            _headers = headers;
            _index = -1;
        }

        /// <summary>The field line at the current position.</summary>
        public readonly HttpHeader Current => _headers[_index];

        /// <summary>Moves to the next field line.</summary>
        public bool MoveNext() => ++_index < _headers.Count;
    }
}

/// <summary>One header field line: its name as sent and its value without surrounding whitespace.</summary>
public readonly ref struct HttpHeader
{
    internal HttpHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Name = name;
        Value = value;
    }

    /// <summary>The field name, case as sent.</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>The field value.</summary>
    public ReadOnlySpan<byte> Value { get; }
}
