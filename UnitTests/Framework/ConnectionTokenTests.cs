using System.Net.Sockets;
using Loop.Internal.Managed;
using Loop.Internal.Output;

namespace Loop.UnitTests.Framework;

/// <summary>A <see cref="ConnectionToken"/> names one use of a pooled connection, and no other.</summary>
public sealed class ConnectionTokenTests : IDisposable
{
    private readonly ChunkPool _chunks = new(chunkCount: 2, chunkSize: 256);
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Connection _connection;

    public ConnectionTokenTests()
    {
        // A loop that never runs: the token only reads the connection's state.
        var loop = new ManagedLoop(0, new ServerOptions(), () => new Nothing(), _listener);
        _connection = new Connection(loop, 0, _chunks);
        _connection.Open(new Nothing());
    }

    [Fact]
    public void The_token_gives_the_connection_while_it_is_open()
    {
        var token = _connection.Token;
        Assert.Same(_connection, token.Connection);
        Assert.Same(_connection.Loop, token.Loop);
    }

    [Fact]
    public void The_token_gives_nothing_once_the_connection_is_closing()
    {
        var token = _connection.Token;
        _connection.State = ConnectionState.Draining;
        Assert.Null(token.Connection);
    }

    [Fact]
    public void The_token_gives_nothing_once_the_connection_serves_another_client()
    {
        var token = _connection.Token;
        _connection.Open(new Nothing());
        Assert.Null(token.Connection);
        Assert.Same(_connection, _connection.Token.Connection);
    }

    [Fact]
    public void A_default_token_names_no_connection() => Assert.Null(default(ConnectionToken).Connection);

    public void Dispose()
    {
        _chunks.Dispose();
        _listener.Dispose();
    }

    private sealed class Nothing : IConnectionHandler
    {
        public int OnReceive(Connection connection, ReadOnlySpan<byte> data) => data.Length;
    }
}
