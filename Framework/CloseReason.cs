namespace Loop;

/// <summary>Why a connection closed: told to its handler's <see cref="IConnectionHandler.OnClose"/> and counted per loop.</summary>
public enum CloseReason
{
    /// <summary>The handler called <see cref="Connection.Close(CloseReason)"/> (a QUIT, a Connection: close).</summary>
    Local,

    /// <summary>The peer closed its side (end of stream); what was written still went out.</summary>
    PeerClosed,

    /// <summary>The peer reset the connection or a send or receive failed (<see cref="Connection.CloseErrno"/> says which).</summary>
    Error,

    /// <summary>The handler closed an idle or too slow peer.</summary>
    Timeout,

    /// <summary>Unsent output passed <see cref="ServerOptions.MaxOutputBytes"/>: the peer does not read.</summary>
    OutputLimit,

    /// <summary>Unconsumed input passed <see cref="ServerOptions.MaxUnconsumedBytes"/> (or a handler's own input limit).</summary>
    InputLimit,

    /// <summary>The peer broke the protocol: the handler answered with an error and closed.</summary>
    ProtocolError,

    /// <summary>The handler failed (threw).</summary>
    HandlerError,

    /// <summary>The server is stopping.</summary>
    ServerStopping,
}
