using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Loop.Internal;

/// <summary>
/// A warning for an event that can repeat thousands of times a second (a full loop refusing connections,
/// a dry buffer ring): logged at most once a second, with how often it happened since the last line.
/// Loop thread only.
/// </summary>
internal sealed class ThrottledWarning(ILogger logger, string messageWithLoopCountAndLimit)
{
    private long _count;
    private long _lastLogged = long.MinValue / 2;

    public void Hit(int loop, long limit)
    {
        _count++;
        var now = Stopwatch.GetTimestamp();
        if (now - _lastLogged < Stopwatch.Frequency) { return; }
#pragma warning disable CA2254 // The template is fixed per instance.
        logger.LogWarning(messageWithLoopCountAndLimit, loop, _count, limit);
#pragma warning restore CA2254
        _count = 0;
        _lastLogged = now;
    }
}
