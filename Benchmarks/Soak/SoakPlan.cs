namespace Loop.Benchmarks.Soak;

/// <summary>
/// The clients of one soak: <paramref name="Setup"/> runs alone first, <paramref name="Clients"/> run together until the
/// soak stops, and <paramref name="FinalCheck"/> runs alone after them (the server must still answer correctly).
/// </summary>
internal sealed record SoakPlan(ClientKind? Setup, ClientKind[] Clients, ClientKind FinalCheck)
{
    public const int IdleConnections = 200;
    public const int SlowlorisConnections = 8;
    public const int LegitClients = 3;

    public static SoakPlan For(string target, SoakRun run, LegitTally tally) =>
        target == "redis" ? RedisSoak.Plan(run, tally) : HttpSoak.Plan(run, tally);
}
