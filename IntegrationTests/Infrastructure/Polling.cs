using System.Diagnostics;

namespace Loop.IntegrationTests.Infrastructure;

/// <summary>Waiting for state that another thread changes and that offers no event to await.</summary>
internal static class Polling
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Checks <paramref name="condition"/> every few milliseconds until it holds (true) or
    /// <paramref name="timeout"/> (default <see cref="Timeouts.Condition"/>) passes (false).
    /// </summary>
    public static async Task<bool> Eventually(Func<bool> condition, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Timeouts.Condition;
        var start = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(start) > limit) { return false; }
            await Task.Delay(Interval);
        }
        return true;
    }

    /// <summary>As <see cref="Eventually(Func{bool}, TimeSpan?)"/>, for a condition that must ask over the network.</summary>
    public static async Task<bool> Eventually(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Timeouts.Condition;
        var start = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(start) > limit) { return false; }
            await Task.Delay(Interval);
        }
        return true;
    }
}
