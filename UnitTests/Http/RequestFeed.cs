using System.Text;
using Loop.Protocols.Http;

namespace Loop.UnitTests.Http;

/// <summary>
/// Drives an <see cref="HttpRequestReader"/> the way the loop drives a handler: each piece is appended to what
/// the reader left unconsumed, and every request read is described as one line of text.
/// </summary>
internal static class RequestFeed
{
    public static List<string> Run(HttpOptions options, IEnumerable<byte[]> pieces)
    {
        var reader = new HttpRequestReader(options);
        var pending = new List<byte>();
        var outcomes = new List<string>();
        foreach (var piece in pieces)
        {
            pending.AddRange(piece);
            var data = pending.ToArray();
            var consumed = 0;
            while (true)
            {
                var rest = data.AsSpan(consumed);
                var step = reader.Read(rest, out var used);
                consumed += used;
                if (step == ReadStep.Continue) { outcomes.Add("100-continue"); }
                else if (step == ReadStep.Request)
                {
                    outcomes.Add(Describe(reader.Request(rest, connection: null), reader.Head.KeepAlive));
                    reader.EndRequest();
                }
                else if (step == ReadStep.Invalid)
                {
                    outcomes.Add($"error {reader.ErrorStatus}");
                    return outcomes;
                }
                else if (step == ReadStep.NeedMore) { break; }
            }
            pending.RemoveRange(0, consumed);
        }
        if (pending.Count > 0 || reader.InBody) { outcomes.Add("incomplete"); }
        return outcomes;
    }

    public static List<string> Run(HttpOptions options, string request) => Run(options, [Encoding.Latin1.GetBytes(request)]);

    public static List<string> Run(string request) => Run(new HttpOptions(), request);

    /// <summary>The outcomes of feeding <paramref name="bytes"/> in two pieces split at <paramref name="at"/>.</summary>
    public static List<string> RunSplit(HttpOptions options, byte[] bytes, int at) => Run(options, [bytes[..at], bytes[at..]]);

    /// <summary>The outcomes of feeding <paramref name="bytes"/> one byte at a time.</summary>
    public static List<string> RunBytewise(HttpOptions options, byte[] bytes) => Run(options, bytes.Select(b => new[] { b }));

    private static string Describe(HttpRequest request, bool keepAlive)
    {
        var text = new StringBuilder();
        text.Append($"{Ascii(request.Method)} {Ascii(request.Target)} path={Ascii(request.Path)} query={Ascii(request.Query)} {request.Version}");
        foreach (var header in request.Headers) { text.Append($" [{Ascii(header.Name)}: {Ascii(header.Value)}]"); }
        text.Append($" body={Ascii(request.Body)} keep-alive={keepAlive}");
        return text.ToString();
    }

    private static string Ascii(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}
