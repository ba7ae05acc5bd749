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
    /// <summary>
    /// A command as it was received (the hot path of every logged write): the bytes it arrived in when it came as a RESP
    /// array, since they are what this writes; else (inline) written from its arguments into one span.
    /// </summary>
    public static void Command(IBufferWriter<byte> output, RespCommand command)
    {
        if (command.Received is { IsEmpty: false } received)
        {
            output.Write(received);
            return;
        }
        var bound = NumberBound;
        for (var i = 0; i < command.Count; i++) { bound += NumberBound + command[i].Length + 2; }
        var span = output.GetSpan(bound);
        var at = Number(span, (byte)'*', command.Count);
        for (var i = 0; i < command.Count; i++)
        {
            var argument = command[i];
            at += Number(span[at..], (byte)'$', argument.Length);
            argument.CopyTo(span[at..]);
            at += argument.Length;
            span[at++] = (byte)'\r';
            span[at++] = (byte)'\n';
        }
        output.Advance(at);
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

    /// <summary>
    /// What goes ahead of a command or a transaction (<see cref="TransactionFrame"/>) of <paramref name="db"/> in a stream
    /// that has <paramref name="streamDb"/> selected (-1: none yet): a SELECT when they differ, then MULTI when
    /// <paramref name="multi"/>.
    /// </summary>
    public static void BeforePiece(IBufferWriter<byte> output, int streamDb, int db, bool multi)
    {
        if (db != streamDb) { Select(output, db); }
        if (multi) { output.Write("*1\r\n$5\r\nMULTI\r\n"u8); }
    }

    /// <summary><c>EXEC</c>, after a transaction of two commands or more.</summary>
    public static void Exec(IBufferWriter<byte> output) => output.Write("*1\r\n$4\r\nEXEC\r\n"u8);

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

    // `prefix`, the decimal digits, \r\n: at most NumberBound bytes.
    private const int NumberBound = 13;

    private static void Number(IBufferWriter<byte> output, byte prefix, int value) =>
        output.Advance(Number(output.GetSpan(NumberBound), prefix, value));

    private static int Number(Span<byte> span, byte prefix, int value)
    {
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span[1..], out var length);
        span[1 + length] = (byte)'\r';
        span[2 + length] = (byte)'\n';
        return 3 + length;
    }
}
