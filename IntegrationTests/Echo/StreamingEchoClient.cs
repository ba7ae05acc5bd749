using System.Net.Sockets;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Echo;

/// <summary>
/// Writes a never-ending pattern while reading the echo, checking every received byte against the byte sent at
/// that offset, until the server ends the connection (EOF or reset).
/// </summary>
internal sealed class StreamingEchoClient
{
    // A prime period, so no chunk or buffer size lines up with it and a shifted stream cannot match.
    private const int PatternLength = 65521;
    private const int ChunkLength = 16 * 1024;
    // Bounds the writer should the server never stop it (the client's lifetime bounds it too).
    private const long MaxBytes = 1L << 30;

    private readonly TestClient _client;
    // The pattern twice, so the bytes at any stream offset are one contiguous slice.
    private readonly byte[] _pattern;
    private long _written, _received;

    private StreamingEchoClient(TestClient client, int seed)
    {
        _client = client;
        var pattern = Payloads.Random(PatternLength, seed);
        _pattern = [.. pattern, .. pattern];
    }

    /// <summary>Ends at EOF or a reset from the server; fails at the first byte that differs from the one sent.</summary>
    public Task Reading { get; private set; } = Task.CompletedTask;

    /// <summary>Ends when the server closes under it (or at <see cref="MaxBytes"/>).</summary>
    public Task Writing { get; private set; } = Task.CompletedTask;

    /// <summary>Bytes handed to the socket, counting a send that failed part-way in full.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Bytes echoed back, each verified.</summary>
    public long Received => Interlocked.Read(ref _received);

    public static StreamingEchoClient Start(TestClient client, int seed)
    {
        var stream = new StreamingEchoClient(client, seed);
        stream.Writing = stream.WriteAsync();
        stream.Reading = stream.ReadAsync();
        return stream;
    }

    private async Task WriteAsync()
    {
        try
        {
            while (_written < MaxBytes)
            {
                var chunk = _pattern.AsMemory((int)(_written % PatternLength), ChunkLength);
                Interlocked.Add(ref _written, ChunkLength);
                await _client.SendAsync(chunk);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            // The server closed while this client was still writing: the end this client exists to see.
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[ChunkLength];
        try
        {
            int length;
            while ((length = await _client.Socket.ReceiveAsync(buffer, SocketFlags.None, _client.Timeout)) > 0)
            {
                var offset = _received;
                var expected = _pattern.AsSpan((int)(offset % PatternLength), length);
                var same = buffer.AsSpan(0, length).CommonPrefixLength(expected);
                Assert.True(same == length, $"Echoed byte {offset + same} differs from the byte sent at that offset.");
                Interlocked.Add(ref _received, length);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
            // A reset instead of EOF: the server closed with this client's unread input still queued.
        }
    }
}
