namespace Loop.Samples.Redis.Store;

/// <summary>
/// How many bytes an element takes in a Redis listpack (listpack.c): its encoding (text spelling an integer is stored
/// as one, in 1 to 9 bytes; other text behind a 1, 2 or 5 byte header) plus its length written backwards. Streams
/// size their nodes with it, as Redis decides when a node is full, and the RDB writer encodes with the same rules.
/// </summary>
internal static class ListpackSize
{
    /// <summary>The total-bytes and count header, and the end marker.</summary>
    public const int Empty = 6 + 1;

    public static int Of(ReadOnlySpan<byte> element) =>
        ObjectEncoding.TryInteger(element, out var integer) ? Of(integer) : WithBacklen(TextHeader(element.Length) + element.Length);

    public static int Of(long integer) => WithBacklen(IntegerEncoded(integer));

    /// <summary>The bytes of an integer's encoding (without the back length).</summary>
    public static int IntegerEncoded(long value) => value switch
    {
        >= 0 and <= 127 => 1,
        >= -4096 and <= 4095 => 2,
        >= short.MinValue and <= short.MaxValue => 3,
        >= -(1 << 23) and < 1 << 23 => 4,
        >= int.MinValue and <= int.MaxValue => 5,
        _ => 9,
    };

    /// <summary>The header before text of <paramref name="length"/> bytes.</summary>
    public static int TextHeader(int length) => length < 64 ? 1 : length < 4096 ? 2 : 5;

    /// <summary>How many bytes the back length of an entry of <paramref name="size"/> bytes takes.</summary>
    public static int BacklenBytes(long size) => size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;

    private static int WithBacklen(int size) => size + BacklenBytes(size);
}
