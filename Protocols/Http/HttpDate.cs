using System.Buffers;
using System.Buffers.Text;

namespace Loop.Protocols.Http;

/// <summary>
/// The <c>Date</c> header line in IMF-fixdate form, formatted once a second by its loop's timer rather than once
/// per response.
/// </summary>
internal sealed class HttpDate
{
    private const int Prefix = 6; // "Date: "
    private readonly byte[] _line = new byte[Prefix + 29 + 2];

    public HttpDate()
    {
        "Date: "u8.CopyTo(_line);
        "\r\n"u8.CopyTo(_line.AsSpan(_line.Length - 2));
        Update(DateTimeOffset.UtcNow);
    }

    /// <summary>The whole line: <c>Date: Sun, 06 Nov 1994 08:49:37 GMT</c> and CRLF.</summary>
    public ReadOnlySpan<byte> HeaderLine => _line;

    public void Update(DateTimeOffset now) => Utf8Formatter.TryFormat(now, _line.AsSpan(Prefix), out _, new StandardFormat('R'));
}
