using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Loop.Samples.Redis.Persistence;

namespace Loop.Samples.Redis.Commands;

/// <summary>A key MIGRATE sends: its DUMP payload, its deadline when serialized, and the TTL RESTORE gets (0: none).</summary>
internal sealed record MigratingKey(byte[] Name, byte[] Payload, long? Deadline, long Ttl);

/// <summary>What MIGRATE asked for, with the keys' values taken under the keys' hold.</summary>
internal sealed record MigrateRequest(string Host, int Port, long Db, long TimeoutMs, bool Replace, byte[]? User, byte[]? Password,
    List<MigratingKey> Keys);

/// <summary>Which keys the target restored (by their place in the request), and MIGRATE's error reply, or null for OK.</summary>
internal sealed record MigrateOutcome(bool[] Restored, string? Error);

/// <summary>
/// The network half of MIGRATE, off the loop: connect, send AUTH, SELECT and one RESTORE per key as Redis's migrateCommand
/// sends them (64 KiB writes of one buffer), read their replies line by line, each step within the timeout, and say
/// which keys the target took and what to answer, in Redis's words.
/// </summary>
internal static class Migration
{
    private const string WritingError = "IOERR error or timeout writing to target instance";
    private const string ReadingError = "IOERR error or timeout reading to target instance";

    public static async Task<MigrateOutcome> RunAsync(MigrateRequest request)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var timeout = TimeSpan.FromMilliseconds(request.TimeoutMs);
        try
        {
            using var connecting = new CancellationTokenSource(timeout);
            await socket.ConnectAsync(request.Host, request.Port, connecting.Token);
        }
        catch (OperationCanceledException) { return new([], "IOERR error or timeout connecting to the client"); }
        catch (SocketException) { return new([], WritingError); } // Redis connects without waiting and learns of a refusal by writing

        try
        {
            using var writing = new CancellationTokenSource(timeout);
            await socket.SendAsync(Commands(request), writing.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException) { return new([], WritingError); }

        // As Redis: an AUTH or SELECT refused fails every key; otherwise each key the target answered OK is restored there,
        // also those before a failed read; the first error is the reply.
        var reader = new LineReader(socket, timeout);
        var restored = new bool[request.Keys.Count];
        try
        {
            var auth = request.Password is null ? null : await reader.ReadLineAsync();
            var select = await reader.ReadLineAsync();
            var error = auth is ['-', ..] ? auth : select is ['-', ..] ? select : null;
            var refused = error is not null;
            for (var j = 0; j < restored.Length; j++)
            {
                var reply = await reader.ReadLineAsync();
                if (reply is ['-', ..]) { error ??= reply; }
                else { restored[j] = !refused; }
            }
            return new(restored, error is null ? null : $"ERR Target instance replied with error: {error[1..]}");
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or EndOfStreamException)
        {
            return new(restored, ReadingError);
        }
    }

    // AUTH [user] password, SELECT db, then RESTORE key ttl payload [REPLACE] for each key.
    private static ReadOnlyMemory<byte> Commands(MigrateRequest request)
    {
        var output = new ArrayBufferWriter<byte>();
        if (request.Password is { } password)
        {
            var auth = "AUTH"u8.ToArray();
            AofCommandWriter.Command(output, request.User is { } user ? [auth, user, password] : [auth, password]);
        }
        AofCommandWriter.Command(output, "SELECT"u8.ToArray(), Encoding.ASCII.GetBytes(request.Db.ToString()));
        foreach (var key in request.Keys)
        {
            byte[][] restore = ["RESTORE"u8.ToArray(), key.Name, Encoding.ASCII.GetBytes(key.Ttl.ToString()), key.Payload];
            AofCommandWriter.Command(output, request.Replace ? [.. restore, "REPLACE"u8.ToArray()] : restore);
        }
        return output.WrittenMemory;
    }

    /// <summary>Reply lines from the target, each within the timeout.</summary>
    private sealed class LineReader(Socket socket, TimeSpan timeout)
    {
        private readonly byte[] _buffer = new byte[1024];
        private int _start, _end;

        public async Task<string> ReadLineAsync()
        {
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    var line = Encoding.UTF8.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                    _start = newline + 1;
                    return line;
                }
                if (_start > 0)
                {
                    _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                    (_end, _start) = (_end - _start, 0);
                }
                if (_end == _buffer.Length) { throw new EndOfStreamException("reply line too long"); }
                using var reading = new CancellationTokenSource(timeout);
                var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), reading.Token);
                if (read == 0) { throw new EndOfStreamException(); }
                _end += read;
            }
        }
    }
}
