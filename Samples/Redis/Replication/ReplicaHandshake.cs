namespace Loop.Samples.Redis.Replication;

/// <summary>What a connection said with REPLCONF before it asked to sync (SYNC, PSYNC).</summary>
internal sealed class ReplicaHandshake
{
    /// <summary>REPLCONF listening-port: the port INFO and ROLE show for the replica (0 until said).</summary>
    public int ListeningPort { get; set; }

    /// <summary>REPLCONF ip-address: the address to show instead of the peer's.</summary>
    public string? AnnouncedIp { get; set; }

    /// <summary>REPLCONF rdb-only 1 (redis-cli --rdb): the snapshot and nothing after; the connection closes once it is sent.</summary>
    public bool RdbOnly { get; set; }

    /// <summary>REPLCONF rdb-filter-only: what the snapshot holds (the keys, the function libraries); all of it unless said.</summary>
    public bool RdbIncludesKeys { get; set; } = true;

    public bool RdbIncludesFunctions { get; set; } = true;

    /// <summary>REPLCONF capa psync2: +CONTINUE names the replication id.</summary>
    public bool Psync2 { get; set; }
}
