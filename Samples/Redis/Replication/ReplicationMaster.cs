using System.Buffers;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using Microsoft.Extensions.Logging;

namespace Loop.Samples.Redis.Replication;

/// <summary>
/// The master side of Redis's replication: PSYNC with this server's replication id continues from the backlog while it
/// holds the replica's offset (<see cref="TryContinue"/>); otherwise SYNC and PSYNC start a full sync, a
/// <see cref="Snapshot"/> taken as BGSAVE takes it (the loops go on) at the same instant as the replica's offset in the
/// <see cref="ReplicationStream"/>, then the stream. Unlike Redis, which writes the RDB to disk or streams it from a
/// child, the RDB is built in memory by a thread of its own and sent from there; the snapshot is the keyspace's one (a
/// BGSAVE or an AOF rewrite running first makes the sync wait for it, as Redis waits for its child).
/// </summary>
internal sealed class ReplicationMaster
{
    private readonly RedisServer server;
    private int _pinging;

    public ReplicationMaster(RedisServer server)
    {
        this.server = server;
        Acks = new AckWaiters(Stream);
        ReadMinReplicas();
        server.Config.Changed += name =>
        {
            if (name is "min-replicas-to-write" or "min-replicas-max-lag") { ReadMinReplicas(); }
        };
    }

    // min-replicas-to-write and min-replicas-max-lag, kept here: every write asks.
    private volatile int _minReplicasToWrite, _minReplicasMaxLag;

    private void ReadMinReplicas() =>
        (_minReplicasToWrite, _minReplicasMaxLag) = ((int)server.Config.GetNumber("min-replicas-to-write"), (int)server.Config.GetNumber("min-replicas-max-lag"));

    /// <summary>Whether min-replicas-to-write is in force (both it and min-replicas-max-lag set): INFO shows the good replicas then.</summary>
    public bool CountsGoodReplicas => _minReplicasToWrite > 0 && _minReplicasMaxLag > 0;

    /// <summary>Replicas online whose last acknowledgement is at most min-replicas-max-lag seconds old (Redis's repl_good_slaves_count).</summary>
    public int GoodReplicas
    {
        get
        {
            var now = Clock.NowMs;
            var maxLag = _minReplicasMaxLag;
            return Stream.CountReplicas(r => r.State == ReplicaState.Online && (now - r.LastAckMs) / 1000 <= maxLag);
        }
    }

    /// <summary>
    /// Redis's checkGoodReplicasStatus failing: a master with min-replicas-to-write set has fewer good replicas, and
    /// refuses writes with NOREPLICAS.
    /// </summary>
    public bool TooFewGoodReplicas => CountsGoodReplicas && server.Master is null && GoodReplicas < _minReplicasToWrite;

    public ReplicationStream Stream { get; } = new();

    /// <summary>WAIT's clients.</summary>
    public AckWaiters Acks { get; }

    /// <summary>
    /// WAIT: asks every replica for its offset (REPLCONF GETACK * into the stream, as Redis's beforeSleep sends it).
    /// Holds the keyspace, so the request never lands inside a transaction's MULTI ... EXEC.
    /// </summary>
    public void RequestAcks()
    {
        using (server.Keyspace.Lock.Exclusive()) { Stream.RequestAcks(); }
    }

    /// <summary>Full syncs served (INFO's sync_full).</summary>
    public long FullSyncs;

    /// <summary>PSYNCs that continued the stream (INFO sync_partial_ok).</summary>
    public long PartialSyncs;

    /// <summary>PSYNCs that asked to continue a stream and got a full resync instead (INFO sync_partial_err).</summary>
    public long PartialSyncsRefused;

    /// <summary>
    /// PSYNC id offset, as Redis's masterTryPartialResynchronization: when <paramref name="id"/> is this stream's and the
    /// backlog still holds the bytes from <paramref name="offset"/> (the replica's offset plus one) on, the replica is
    /// answered +CONTINUE and sent the stream from there; false when it needs a full sync. Loop thread.
    /// </summary>
    public bool TryContinue(Session session, string id, long offset)
    {
        if (id != Stream.Id) { return false; }
        var link = new ReplicaLink(session, Stream, session.Handshake);
        if (!Stream.TryContinue(link, offset - 1)) { return false; }
        session.AsReplica = link;
        server.Log.LogInformation("Partial resynchronization request from {Replica} accepted, continuing from offset {Offset}.", link.Name, offset);
        session.Reply.Raw(System.Text.Encoding.ASCII.GetBytes(session.Handshake.Psync2 ? $"+CONTINUE {Stream.Id}\r\n" : "+CONTINUE\r\n"));
        Interlocked.Increment(ref PartialSyncs);
        StartPinging(session.Client.Loop);
        link.Continue();
        return true;
    }

    /// <summary>SYNC (<paramref name="psync"/> false: no +FULLRESYNC line) or PSYNC from <paramref name="session"/>, which becomes a replica. Loop thread.</summary>
    public void StartFullSync(Session session, bool psync)
    {
        var link = new ReplicaLink(session, Stream, session.Handshake);
        session.AsReplica = link;
        server.Log.LogInformation("Full resync requested by replica {Replica}", link.Name);
        TrySnapshot(session, link, psync);
    }

    /// <summary>Closes every replica's connection, each on its loop: this server became a replica, and they must sync again.</summary>
    public void DisconnectReplicas()
    {
        foreach (var replica in Stream.Replicas) { replica.FailOnItsLoop(); }
    }

    // Takes the keyspace's snapshot, or tries again in a while when a save holds it.
    private void TrySnapshot(Session session, ReplicaLink link, bool psync)
    {
        var connection = session.Client;
        if (session.AsReplica != link || connection.IsClosing) { return; }
        if (!server.Persistence.TryClaimSnapshot())
        {
            connection.Loop.Schedule(TimeSpan.FromMilliseconds(100), () => TrySnapshot(session, link, psync));
            return;
        }
        Snapshot snapshot;
        long offset;
        using (server.Keyspace.Lock.Exclusive())
        {
            Stream.BacklogSize = server.Config.GetNumber("repl-backlog-size");
            var wanted = session.Handshake;
            snapshot = new Snapshot(server.Keyspace, SnapshotFormat.Rdb, wanted.RdbIncludesFunctions ? server.Scripting.Functions.Codes : [],
                wanted.RdbIncludesKeys);
            offset = Stream.Attach(link);
            server.Keyspace.ReplicationLog ??= Stream;
        }
        Interlocked.Increment(ref FullSyncs);
        if (psync) { session.Reply.Raw(System.Text.Encoding.ASCII.GetBytes($"+FULLRESYNC {Stream.Id} {offset}\r\n")); }
        server.Log.LogInformation("Starting a snapshot for SYNC with target: replica {Replica} ({Keys} keys)", link.Name, snapshot.Keys);
        StartPinging(connection.Loop);
        new Thread(() => WriteRdb(snapshot, link, connection.Loop)) { IsBackground = true, Name = "loop-redis full sync" }.Start();
    }

    private void WriteRdb(Snapshot snapshot, ReplicaLink link, EventLoop loop)
    {
        var rdb = new ArrayBufferWriter<byte>();
        try
        {
            snapshot.WriteTo(server.Keyspace.Lock, bytes => rdb.Write(bytes));
        }
        catch (Exception e)
        {
            snapshot.Abandon(server.Keyspace.Lock);
            server.Log.LogError(e, "Full sync failed: the replica is disconnected");
            loop.Post(link.Fail);
            return;
        }
        finally
        {
            server.Persistence.ReleaseSnapshot();
        }
        loop.Post(() => link.SendRdb(rdb.WrittenMemory));
    }

    // Every repl-ping-replica-period seconds, a PING into the stream while replicas are attached (from the first sync on).
    private void StartPinging(EventLoop loop)
    {
        if (Interlocked.Exchange(ref _pinging, 1) != 0) { return; }
        var seconds = 0L;
        loop.Every(TimeSpan.FromSeconds(1), () =>
        {
            if (++seconds % Math.Max(1, server.Config.GetNumber("repl-ping-replica-period")) != 0 || Stream.Replicas.Length == 0) { return; }
            using (server.Keyspace.Lock.Exclusive()) { Stream.PingReplicas(); }
        });
    }
}
