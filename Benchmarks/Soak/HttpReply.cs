using System.Text;

namespace Loop.Benchmarks.Soak;

/// <summary>One HTTP/1.1 response as the legitimate HTTP clients check it: status, body, and whether the server closes after it.</summary>
internal sealed record HttpReply(int Status, byte[] Body, bool Closes)
{
    private const int MaxHeaderLines = 100;
    private const int MaxBody = 1024 * 1024;

    /// <summary>Reads the next response; it must carry a Content-Length (the sample's routes do).</summary>
    public static async ValueTask<HttpReply> ReadAsync(SocketReader reader, CancellationToken ct)
    {
        var statusLine = Encoding.ASCII.GetString(await reader.ReadLineAsync(ct));
        if (!statusLine.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || statusLine.Length < 12
            || !int.TryParse(statusLine.AsSpan(9, 3), out var status))
        {
            throw new InvalidDataException($"bad status line \"{statusLine}\"");
        }
        int? length = null;
        var closes = false;
        for (var i = 0; i < MaxHeaderLines; i++)
        {
            var line = Encoding.ASCII.GetString(await reader.ReadLineAsync(ct));
            if (line.Length == 0)
            {
                if (length is not { } n) { throw new InvalidDataException($"{statusLine}: no Content-Length"); }
                return new HttpReply(status, await reader.ReadExactlyAsync(n, ct), closes);
            }
            var colon = line.IndexOf(':');
            if (colon <= 0) { throw new InvalidDataException($"bad header line \"{line}\""); }
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = int.TryParse(value, out var n) && n is >= 0 and <= MaxBody ? n : throw new InvalidDataException($"bad Content-Length \"{value}\"");
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                closes = value.Equals("close", StringComparison.OrdinalIgnoreCase);
            }
        }
        throw new InvalidDataException($"more than {MaxHeaderLines} header lines");
    }
}
