using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Loop.Samples.Http.Database;

/// <summary>
/// TechEmpower's fortunes template as code: the page written straight into the response as UTF-8, each message
/// HTML-escaped (&amp; &lt; &gt; &quot; &#39;) and everything else, Japanese included, as its UTF-8 bytes.
/// </summary>
public static class FortunesPage
{
    private static readonly SearchValues<char> Special = SearchValues.Create("&<>\"'");

    /// <summary>Writes the page for <paramref name="fortunes"/>, in their order.</summary>
    public static void Write(IBufferWriter<byte> output, IReadOnlyList<Fortune> fortunes)
    {
        output.Write("<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>"u8);
        foreach (var fortune in fortunes)
        {
            output.Write("<tr><td>"u8);
            var span = output.GetSpan(11);
            Utf8Formatter.TryFormat(fortune.Id, span, out var written);
            output.Advance(written);
            output.Write("</td><td>"u8);
            WriteEscaped(output, fortune.Message);
            output.Write("</td></tr>"u8);
        }
        output.Write("</table></body></html>"u8);
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 with the HTML special characters escaped.</summary>
    public static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var special = text.IndexOfAny(Special);
            var plain = special < 0 ? text : text[..special];
            if (!plain.IsEmpty)
            {
                var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(plain.Length));
                output.Advance(Encoding.UTF8.GetBytes(plain, span));
            }
            if (special < 0) { return; }
            output.Write(text[special] switch
            {
                '&' => "&amp;"u8,
                '<' => "&lt;"u8,
                '>' => "&gt;"u8,
                '"' => "&quot;"u8,
                _ => "&#39;"u8,
            });
            text = text[(special + 1)..];
        }
    }
}
