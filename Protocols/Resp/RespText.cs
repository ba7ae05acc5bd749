using System.Text;
using System.Text.Unicode;

namespace Loop.Protocols.Resp;

/// <summary>
/// Text that keeps an argument's bytes. RESP arguments are bytes, and Redis echoes them as bytes (an unknown
/// subcommand in an error, a client's name); a .NET string made by UTF-8 decoding would turn every invalid byte into
/// U+FFFD. Here valid UTF-8 decodes as UTF-8 and any other byte <c>b</c> becomes the lone surrogate <c>U+DC00 + b</c>
/// (Python's surrogateescape), which <see cref="Encode"/> turns back into <c>b</c>.
/// </summary>
public static class RespText
{
    private const char FirstEscape = '\uDC80', LastEscape = '\uDCFF';

    /// <summary>The text of <paramref name="bytes"/>: UTF-8, with each byte that is not valid UTF-8 escaped.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes)) { return Encoding.UTF8.GetString(bytes); }
        var text = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes, out var rune, out var used) == System.Buffers.OperationStatus.Done)
            {
                text.Append(rune.ToString());
            }
            else
            {
                text.Append((char)(0xDC00 + bytes[0]));
                used = 1;
            }
            bytes = bytes[used..];
        }
        return text.ToString();
    }

    /// <summary>How many bytes <see cref="Encode"/> writes for <paramref name="text"/>.</summary>
    public static int ByteCount(string text)
    {
        if (!HasEscapes(text)) { return Encoding.UTF8.GetByteCount(text); }
        int count = 0, i = 0;
        while (i < text.Length)
        {
            i += Next(text, i, out var length);
            count += length;
        }
        return count;
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8, each escaped byte as itself; returns the bytes written.</summary>
    public static int Encode(string text, Span<byte> destination)
    {
        if (!HasEscapes(text)) { return Encoding.UTF8.GetBytes(text, destination); }
        var written = 0;
        for (var i = 0; i < text.Length;)
        {
            var chars = Next(text, i, out var length);
            if (length == 1 && text[i] is >= FirstEscape and <= LastEscape) { destination[written] = (byte)(text[i] - 0xDC00); }
            else { Encoding.UTF8.GetBytes(text.AsSpan(i, chars), destination[written..]); }
            written += length;
            i += chars;
        }
        return written;
    }

    private static bool HasEscapes(string text) => text.AsSpan().IndexOfAnyInRange(FirstEscape, LastEscape) >= 0;

    // The chars at i that encode together (a surrogate pair, else one char) and how many bytes they take.
    private static int Next(string text, int i, out int length)
    {
        if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            length = 4;
            return 2;
        }
        length = text[i] is >= FirstEscape and <= LastEscape ? 1 : Encoding.UTF8.GetByteCount(text.AsSpan(i, 1));
        return 1;
    }
}
