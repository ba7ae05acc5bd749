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
