namespace Loop.Samples.Redis.Store;

/// <summary>Wall-clock time in Unix milliseconds, as expiry deadlines are stored.</summary>
internal static class Clock
{
    public static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
