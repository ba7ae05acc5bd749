namespace Loop.Samples.Redis.Server;

// Clean-up a closing session owes to features that keep state elsewhere (channels, blocked keys).
internal sealed partial class Session
{
    /// <summary>Unsubscribes from every channel and pattern (RESET).</summary>
    public void ResetSubscriptions() => LeaveAllChannels();

    /// <summary>Unsubscribes from every channel and pattern (pub/sub).</summary>
    partial void LeaveAllChannels();

    /// <summary>Stops feeding this connection the replication stream, if it is a replica.</summary>
    partial void StopReplicating();

    /// <summary>Stops waiting on any key (blocking list commands).</summary>
    partial void CancelBlocking();
}
