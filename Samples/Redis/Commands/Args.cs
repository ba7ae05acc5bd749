using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Loop.Protocols.Resp;

namespace Loop.Samples.Redis.Commands;

/// <summary>Argument parsing and the error texts clients match on, worded as Redis words them.</summary>
internal static class Args
{
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string NotFloat = "ERR value is not a valid float";
    public const string Syntax = "ERR syntax error";
    public const string Overflow = "ERR increment or decrement would overflow";
    public const string NoSuchKey = "ERR no such key";
    public const string IndexOutOfRange = "ERR index out of range";
    public const string OutOfLongRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

    public static string WrongArgumentCount(string command) => $"ERR wrong number of arguments for '{command.ToLowerInvariant()}' command";

    /// <summary>A timeout in milliseconds (CLIENT PAUSE, WAIT): Redis's error when it is not an integer or negative, else null.</summary>
    public static string? TimeoutError(ReadOnlySpan<byte> text, out long milliseconds)
    {
        if (!TryLong(text, out milliseconds)) { return "ERR timeout is not an integer or out of range"; }
        return milliseconds < 0 ? "ERR timeout is negative" : null;
    }

    public static bool Is(ReadOnlySpan<byte> argument, string word) => Ascii.EqualsIgnoreCase(argument, word);

    public static bool TryLong(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var used) && used == text.Length && text.Length > 0
        && !(text.Length > 1 && text[0] == (byte)'0') && !(text.Length > 1 && text[0] == (byte)'-' && text[1] == (byte)'0')
        && text[0] != (byte)'+';

    /// <summary>
    /// A SCAN cursor as Redis reads one (strtoul): decimal digits after an optional sign and nothing else; "" is 0, and
    /// a negative one wraps around, as in C.
    /// </summary>
    public static bool TryCursor(ReadOnlySpan<byte> text, out ulong cursor)
    {
        cursor = 0;
        var digits = text.Length > 0 && text[0] is (byte)'+' or (byte)'-' ? text[1..] : text;
        if (digits.IsEmpty) { return text.IsEmpty; }
        if (!char.IsAsciiDigit((char)digits[0]) || !Utf8Parser.TryParse(digits, out ulong value, out var used) || used != digits.Length) { return false; }
        cursor = text[0] == (byte)'-' ? 0 - value : value;
        return true;
    }

    /// <summary>A C int as Redis's getIntFromObjectOrReply reads one: Redis's error when it is not, else null.</summary>
    public static string? IntError(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        if (!TryLong(text, out var number)) { return NotInteger; }
        if (number is < int.MinValue or > int.MaxValue) { return "ERR value is out of range, value must between -2147483648 and 2147483647"; }
        value = (int)number;
        return null;
    }

    /// <summary>An argument as text that keeps its bytes: written back in a reply, it is the argument again (<see cref="RespText"/>).</summary>
    public static string Text(ReadOnlySpan<byte> bytes) => RespText.Decode(bytes);

    public static byte[] Bytes(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
