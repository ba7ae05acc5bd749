namespace Loop.IntegrationTests.Infrastructure;

/// <summary>Upper bounds on every wait, so a broken server fails a test instead of hanging the suite.</summary>
internal static class Timeouts
{
    /// <summary>Everything one client does, from connect to its last receive.</summary>
    public static readonly TimeSpan ClientLifetime = TimeSpan.FromSeconds(30);

    /// <summary>Starting or stopping a server.</summary>
    public static readonly TimeSpan StartStop = TimeSpan.FromSeconds(10);

    /// <summary>A state the server should reach on its own, such as every connection released.</summary>
    public static readonly TimeSpan Condition = TimeSpan.FromSeconds(10);
}
