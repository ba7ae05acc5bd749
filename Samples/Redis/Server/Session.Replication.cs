using Loop.Samples.Redis.Replication;

namespace Loop.Samples.Redis.Server;

// The session's side of replication, when its client is a replica of this server (or redis-cli --rdb).
internal sealed partial class Session
{
    private ReplicaHandshake? _handshake;

    /// <summary>What REPLCONF said before SYNC or PSYNC (made on first use: most clients never say anything).</summary>
    public ReplicaHandshake Handshake => _handshake ??= new ReplicaHandshake();

    /// <summary>The replica this connection became with SYNC or PSYNC, or null.</summary>
    public ReplicaLink? AsReplica { get; set; }

    partial void StopReplicating()
    {
        AsReplica?.Detach();
        AsReplica = null;
        _handshake = null;
    }
}
