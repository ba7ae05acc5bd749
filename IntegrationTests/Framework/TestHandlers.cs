using System.Text;

namespace Loop.IntegrationTests.Framework;

/// <summary>Answers every received byte with <see cref="BytesPerByte"/> bytes, to outrun a peer that does not read.</summary>
internal sealed class FloodHandler(int bytesPerByte) : IConnectionHandler
{
    public int BytesPerByte { get; } = bytesPerByte;

    public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length * BytesPerByte; i += 4096) { connection.GetSpan(4096)[..4096].Fill((byte)'f'); connection.Advance(4096); }
        return data.Length;
    }
}

/// <summary>Throws on "boom", echoes anything else.</summary>
internal sealed class ThrowingHandler : IConnectionHandler
{
    public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("boom"u8)) { throw new InvalidOperationException("handler bug"); }
        connection.Write(data);
        return data.Length;
    }
}

/// <summary>A line protocol: echoes each complete line; "bye" answers "ciao" and closes; a partial line waits.</summary>
internal sealed class LineHandler : IConnectionHandler
{
    public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
    {
        var consumed = 0;
        int newline;
        while ((newline = data[consumed..].IndexOf((byte)'\n')) >= 0)
        {
            var line = data.Slice(consumed, newline + 1);
            consumed += newline + 1;
            if (line.SequenceEqual("bye\n"u8))
            {
                connection.Write("ciao\n"u8);
                connection.Close();
                break;
            }
            connection.Write(line);
        }
        return consumed;
    }
}

/// <summary>A handler of text lines: each complete line goes to <see cref="OnLine"/>; a partial line waits.</summary>
internal abstract class TextLineHandler : IConnectionHandler
{
    public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
    {
        var consumed = 0;
        int end;
        while ((end = data[consumed..].IndexOf((byte)'\n')) >= 0)
        {
            var line = System.Text.Encoding.ASCII.GetString(data.Slice(consumed, end));
            consumed += end + 1;
            OnLine(connection, line);
        }
        return consumed;
    }

    protected abstract void OnLine(Connection connection, string line);

    public virtual void OnClose(Connection connection, CloseReason reason) { }
}

/// <summary>Greets each connection with the peer address it was opened with, then echoes.</summary>
internal sealed class PeerGreetingHandler : IConnectionHandler
{
    public void OnOpen(Connection connection) => connection.Write(Encoding.ASCII.GetBytes($"{connection.RemoteEndPoint}\n"));

    public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
    {
        connection.Write(data);
        return data.Length;
    }
}

/// <summary>What <see cref="IConnectionHandler.OnClose"/> was told, collected from any loop thread.</summary>
internal sealed class CloseLog
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<Closed> _closed = new();

    /// <summary>One close: the reason OnClose got, and what the connection itself said at that moment.</summary>
    public readonly record struct Closed(CloseReason Reason, CloseReason ConnectionReason, int Errno);

    public IReadOnlyCollection<Closed> All => _closed;

    public void Add(Connection connection, CloseReason reason) => _closed.Enqueue(new(reason, connection.CloseReason, connection.CloseErrno));
}

/// <summary>
/// Echoes, except for a few commands at the start of the input: "close" closes (Local), "timeout" closes with
/// <see cref="CloseReason.Timeout"/>, "boom" throws, "hold" consumes nothing ever, "flood" writes
/// <paramref name="floodBytes"/>. Every close is told to <paramref name="log"/>.
/// </summary>
internal sealed class CommandHandler(CloseLog log, int floodBytes = 0) : IConnectionHandler
{
    private static readonly byte[] Piece = Enumerable.Repeat((byte)'f', 64 * 1024).ToArray();

    public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
    {
        if (data.StartsWith("close"u8)) { connection.Close(); }
        else if (data.StartsWith("timeout"u8)) { connection.Close(CloseReason.Timeout); }
        else if (data.StartsWith("boom"u8)) { throw new InvalidOperationException("handler bug"); }
        else if (data.StartsWith("hold"u8)) { return 0; }
        else if (data.StartsWith("flood"u8))
        {
            for (var written = 0; written < floodBytes; written += Piece.Length) { connection.Write(Piece); }
        }
        else { connection.Write(data); }
        return data.Length;
    }

    public void OnClose(Connection connection, CloseReason reason) => log.Add(connection, reason);
}
