using System.Net;
using System.Net.Sockets;

namespace Loop.Benchmarks.EchoLoad;

/// <summary>
/// One connection's round trips: write <c>pipeline</c> messages in one write, read until every byte
/// came back, check each byte against what was sent. Non-blocking; a <see cref="Driver"/> calls it on readiness.
/// </summary>
internal sealed class EchoClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _sent;
    private readonly byte[] _received;
    private readonly int _size;
    private int _sendOffset;
    private int _receiveOffset;
    private long _round;

    public EchoClient(int id, IPEndPoint server, int size, int pipeline)
    {
        Id = id;
        _size = size;
        _sent = new byte[size * pipeline];
        _received = new byte[size * pipeline];
        new Random(id).NextBytes(_sent); // each connection sends its own bytes, so crossed streams show up
        _socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.Connect(server);
        _socket.Blocking = false;
        Fd = (int)_socket.Handle;
    }

    public int Id { get; }

    public int Fd { get; }

    /// <summary>When the round trip in progress began (Stopwatch ticks).</summary>
    public long RoundStart { get; private set; }

    /// <summary>Bytes of this round not yet accepted by the kernel: the driver then waits for writability.</summary>
    public bool SendPending => _sendOffset < _sent.Length;

    /// <summary>Starts a round trip: stamps the round number into each message, so a stale echo fails the check.</summary>
    public void StartRound(long now)
    {
        _round++;
        for (var m = 0; m < _sent.Length; m += _size)
        {
            for (var b = 0; b < Math.Min(_size, sizeof(long)); b++) { _sent[m + b] = (byte)(_round >> (8 * b)); }
        }
        _sendOffset = 0;
        _receiveOffset = 0;
        RoundStart = now;
        Send();
    }

    /// <summary>Writes what the kernel takes of the rest of this round's messages.</summary>
    public void Send()
    {
        var n = _socket.Send(_sent.AsSpan(_sendOffset), SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock) { return; }
        if (error != SocketError.Success) { throw Failure($"send failed: {error}"); }
        _sendOffset += n;
    }

    /// <summary>Reads what has arrived and checks it; true once the whole round came back.</summary>
    public bool Receive()
    {
        var n = _socket.Receive(_received.AsSpan(_receiveOffset), SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock) { return false; }
        if (error != SocketError.Success) { throw Failure($"receive failed: {error}"); }
        if (n == 0) { throw Failure("server closed the connection"); }
        if (_receiveOffset + n > _sendOffset) { throw Failure($"got {_receiveOffset + n} bytes back, only {_sendOffset} were sent"); }

        var got = _received.AsSpan(_receiveOffset, n);
        var expected = _sent.AsSpan(_receiveOffset, n);
        if (!got.SequenceEqual(expected))
        {
            var at = got.CommonPrefixLength(expected);
            throw Failure($"byte {_receiveOffset + at} of round {_round} is 0x{got[at]:x2}, sent 0x{expected[at]:x2}");
        }
        _receiveOffset += n;
        return _receiveOffset == _received.Length;
    }

    public void Dispose() => _socket.Dispose();

    private InvalidDataException Failure(string what) => new($"connection {Id}: {what}");
}
