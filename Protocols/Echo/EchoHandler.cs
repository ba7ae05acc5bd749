namespace Loop.Protocols.Echo;

/// <summary>The simplest state machine: one state, every byte received is written back.</summary>
public sealed class EchoHandler : IConnectionHandler
{
    /// <inheritdoc/>
    public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
    {
        connection.Write(data);
        return data.Length;
    }
}
