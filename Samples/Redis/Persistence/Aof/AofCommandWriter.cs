using System.Buffers;
using System.Buffers.Text;
using Loop.Protocols.Resp;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Writes commands as an append-only file holds them, byte for byte as Redis's catAppendOnlyGenericCommand does:
/// <c>*N\r\n</c>, then <c>$LEN\r\nBYTES\r\n</c> per argument. Which database a command belongs to is said by a
/// <see cref="Select"/> before it, which Redis writes whenever the database differs from the previous command's
/// (and before the first command of each incr file).
/// </summary>
internal static class AofCommandWriter
{
    /// <summary>A command as it was received.</summary>
    public static void Command(IBufferWriter<byte> output, RespCommand command)
    {
        Header(output, command.Count);
        for (var i = 0; i < command.Count; i++) { Bulk(output, command[i]); }
    }

    /// <summary>A command from its arguments, the name first (as <see cref="AofCommandReader"/> hands them over, or as a rewrite builds them).</summary>
    public static void Command(IBufferWriter<byte> output, params ReadOnlySpan<byte[]> arguments)
    {
        Header(output, arguments.Length);
        foreach (var argument in arguments) { Bulk(output, argument); }
    }

    /// <summary><c>SELECT db</c>, spelled as feedAppendOnlyFile spells it.</summary>
    public static void Select(IBufferWriter<byte> output, int db)
    {
        output.Write("*2\r\n$6\r\nSELECT\r\n"u8);
        Integer(output, db);
    }

    /// <summary>One argument that is an integer, in its decimal digits.</summary>
    public static void Integer(IBufferWriter<byte> output, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var length);
        Bulk(output, digits[..length]);
    }

    /// <summary>The header of a command of <paramref name="count"/> arguments, which follow as <see cref="Bulk"/>s.</summary>
    public static void Header(IBufferWriter<byte> output, int count) => Number(output, (byte)'*', count);

    /// <summary>One argument.</summary>
    public static void Bulk(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        Number(output, (byte)'$', value.Length);
        output.Write(value);
        output.Write("\r\n"u8);
    }

    // `prefix`, the decimal digits, \r\n.
    private static void Number(IBufferWriter<byte> output, byte prefix, int value)
    {
        var span = output.GetSpan(13);
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span[1..], out var length);
        span[1 + length] = (byte)'\r';
        span[2 + length] = (byte)'\n';
        output.Advance(3 + length);
    }
}
