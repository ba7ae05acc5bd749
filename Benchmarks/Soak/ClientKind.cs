namespace Loop.Benchmarks.Soak;

/// <summary>What a kind of client is there for: its failures count (legitimate) or only the server's survival does.</summary>
internal enum Role { Legitimate, Malformed, Abusive }

/// <summary>One kind of client: its name, its role, how many run at once, what each does, and what they counted.</summary>
internal sealed class ClientKind(string name, Role role, int instances, Func<ClientKind, Task> run)
{
    private long _connections;
    private long _serverClosed;
    private long _connectFailures;

    public string Name => name;
    public Role Role => role;
    public int Instances => instances;
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Connections the server closed (or reset) before the client was done with them.</summary>
    public long ServerClosed => Interlocked.Read(ref _serverClosed);

    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>Starts every instance on the thread pool.</summary>
    public Task[] Start() => [.. Enumerable.Range(0, instances).Select(_ => Task.Run(() => run(this)))];

    public void Connected() => Interlocked.Increment(ref _connections);
    public void ClosedByServer() => Interlocked.Increment(ref _serverClosed);
    public void ConnectFailed() => Interlocked.Increment(ref _connectFailures);
}
