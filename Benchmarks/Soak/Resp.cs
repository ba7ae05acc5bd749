using System.Buffers;
using System.Text;

namespace Loop.Benchmarks.Soak;

/// <summary>RESP2 as the legitimate Redis clients need it: commands and expected replies as bytes, and one reply read whole.</summary>
internal static class Resp
{
    private const int MaxLength = 64 * 1024 * 1024;

    public static readonly byte[] Ok = "+OK\r\n"u8.ToArray();

    /// <summary>An array of bulk strings: a command, or the reply of LRANGE.</summary>
    public static byte[] Array(params string[] items)
    {
        var text = new StringBuilder($"*{items.Length}\r\n");
        foreach (var item in items) { text.Append($"${Encoding.UTF8.GetByteCount(item)}\r\n{item}\r\n"); }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static byte[] Bulk(string value) => Encoding.UTF8.GetBytes($"${Encoding.UTF8.GetByteCount(value)}\r\n{value}\r\n");

    public static byte[] Integer(long value) => Encoding.ASCII.GetBytes($":{value}\r\n");

    /// <summary>The bytes of the next reply, however it is framed, so that it can be compared with the expected bytes.</summary>
    public static async ValueTask<byte[]> ReadReplyAsync(SocketReader reader, CancellationToken ct)
    {
        var reply = new ArrayBufferWriter<byte>();
        await ReadInto(reader, reply, ct);
        return reply.WrittenSpan.ToArray();
    }

    private static async ValueTask ReadInto(SocketReader reader, ArrayBufferWriter<byte> reply, CancellationToken ct)
    {
        var line = await reader.ReadLineAsync(ct);
        reply.Write(line);
        reply.Write("\r\n"u8);
        switch (line.FirstOrDefault())
        {
            case (byte)'+' or (byte)'-' or (byte)':':
                return;
            case (byte)'$':
                var length = Length(line);
                if (length >= 0) { reply.Write(await reader.ReadExactlyAsync(length + 2, ct)); }
                return;
            case (byte)'*':
                var count = Length(line);
                for (var i = 0; i < count; i++) { await ReadInto(reader, reply, ct); }
                return;
            default:
                throw new InvalidDataException($"not a RESP2 reply: \"{Encoding.ASCII.GetString(line)}\"");
        }
    }

    private static int Length(byte[] line) =>
        int.TryParse(line.AsSpan(1), out var n) && n is >= -1 and <= MaxLength
            ? n
            : throw new InvalidDataException($"bad length in \"{Encoding.ASCII.GetString(line)}\"");
}
