using System.Diagnostics;

namespace Loop.IntegrationTests.Redis;

/// <summary>Waiting, within a bound, for something the server does on its own (expiring keys).</summary>
internal static class Eventually
{
    /// <summary>Checks <paramref name="condition"/> every 10 ms; fails the test naming <paramref name="what"/> after <paramref name="seconds"/>.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, int seconds = 10)
    {
        var start = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(start) > TimeSpan.FromSeconds(seconds)) { Assert.Fail($"Timed out after {seconds} s waiting for: {what}"); }
            await Task.Delay(10);
        }
    }
}
