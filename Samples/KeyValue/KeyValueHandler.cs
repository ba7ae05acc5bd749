using System.Collections.Concurrent;
using System.Text;

namespace Loop.Samples.KeyValue;

/// <summary>
/// A line protocol: <c>SET key value</c> → <c>OK</c>, <c>GET key</c> → <c>VALUE value</c> or <c>NOT_FOUND</c>,
/// <c>DEL key</c> → <c>DELETED</c> or <c>NOT_FOUND</c>, <c>QUIT</c> → <c>BYE</c> and close. Lines end in \n (or \r\n).
/// One store shared by every connection on every loop.
/// </summary>
public sealed class KeyValueHandler(ConcurrentDictionary<string, string> store) : IConnectionHandler
{
    public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
    {
        var consumed = 0;
        int end;
        // Only whole lines: a partial one is left unconsumed and comes back with the next bytes.
        while (!connection.IsClosing && (end = data[consumed..].IndexOf((byte)'\n')) >= 0)
        {
            var line = Encoding.UTF8.GetString(data.Slice(consumed, end).TrimEnd((byte)'\r'));
            consumed += end + 1;
            connection.Write(Encoding.UTF8.GetBytes(Execute(line.Split(' ', 3), connection) + "\n"));
        }
        return consumed;
    }

    private string Execute(string[] words, Connection connection)
    {
        switch (words[0].ToUpperInvariant(), words.Length)
        {
            case ("SET", 3):
                store[words[1]] = words[2];
                return "OK";
            case ("GET", 2):
                return store.TryGetValue(words[1], out var value) ? "VALUE " + value : "NOT_FOUND";
            case ("DEL", 2):
                return store.TryRemove(words[1], out _) ? "DELETED" : "NOT_FOUND";
            case ("QUIT", 1):
                connection.Close();   // sends what was written, then closes
                return "BYE";
            default:
                return "ERROR expected SET key value, GET key, DEL key or QUIT";
        }
    }
}
