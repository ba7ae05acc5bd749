namespace Loop;

/// <summary>
/// A protocol as a per-connection state machine. The loop calls it inline on the connection's loop thread,
/// never concurrently: it consumes whole messages, writes replies to the connection, and returns. It must
/// never block; slow work goes elsewhere and comes back through <see cref="EventLoop.Post(Action)"/>.
/// Handlers are pooled: implement <see cref="Microsoft.Extensions.ObjectPool.IResettable"/> to be reused.
/// </summary>
public interface IConnectionHandler
{
    /// <summary>The connection was accepted; the handler may write a greeting.</summary>
    void OnOpen(Connection connection) { }

    /// <summary>
    /// Handles received bytes and returns how many it consumed. Unconsumed bytes are kept and presented
    /// again, followed by the next bytes that arrive. <paramref name="data"/> is valid only during the call.
    /// </summary>
    int OnReceive(Connection connection, ReadOnlySpan<byte> data);

    /// <summary>
    /// The connection is gone, for <paramref name="reason"/>; after this the handler is reset and returned to the pool.
    /// </summary>
    void OnClose(Connection connection, CloseReason reason) { }
}
