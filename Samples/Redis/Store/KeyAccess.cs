using System.Diagnostics;

namespace Loop.Samples.Redis.Store;

/// <summary>
/// What each key remembers of its use, for the eviction policies: as Redis's 24 bits of <c>lru</c> in every object,
/// either the last access (LRU; in milliseconds, where Redis counts seconds, so keys used a moment apart are told
/// apart) or, under an LFU policy, the minute of the last decay (16 bits) and a
/// logarithmic access counter (8 bits), incremented and decayed as Redis's evict.c does (lfu-log-factor 10,
/// lfu-decay-time 1). Kept in the key's table entry; every lookup updates it. <c>countsFrequency</c>: the server's policy is
/// an LFU one.
/// </summary>
internal static class KeyAccess
{
    private const int LogFactor = 10;
    private const int InitialFrequency = 5; // Redis's LFU_INIT_VAL: a new key is not the first to go

    // A monotonic clock in milliseconds (only differences of it matter; NowMs wraps after 49 days, as Redis's clock wraps
    // after 194): the time the running command started, which the session hands over from the timestamp it takes for
    // its statistics anyway (as Redis stamps keys with a clock its cron caches), so a lookup reads no clock; the clock
    // itself on a thread that runs no commands (loading).
    [ThreadStatic] private static long t_commandMs;
    private static readonly long TicksPerMs = Stopwatch.Frequency / 1000;

    /// <summary>A command starts on this thread at <paramref name="timestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static void CommandStarting(long timestamp) => t_commandMs = timestamp / TicksPerMs;

    private static long ClockMs => t_commandMs != 0 ? t_commandMs : Stopwatch.GetTimestamp() / TicksPerMs;

    private static uint NowMs => (uint)ClockMs;

    private static uint NowMinutes => (uint)(ClockMs / 60000) & 0xFFFF;

    /// <summary>What a new key starts with.</summary>
    public static uint New(bool countsFrequency) => countsFrequency ? NowMinutes << 8 | InitialFrequency : NowMs;

    /// <summary>Redis's updateLFU / LRU_CLOCK on a lookup.</summary>
    public static void Touch(ref uint access, bool countsFrequency)
    {
        if (!countsFrequency) { access = NowMs; return; }
        var counter = Decayed(access);
        if (counter < 255)
        {
            // Redis's LFULogIncr: the more accesses counted, the less likely the next one counts.
            var baseValue = Math.Max(0.0, counter - (double)InitialFrequency);
            if (Random.Shared.NextDouble() < 1.0 / (baseValue * LogFactor + 1)) { counter++; }
        }
        access = NowMinutes << 8 | counter;
    }

    /// <summary>RESTORE ... IDLETIME: used <paramref name="seconds"/> ago.</summary>
    public static uint UsedSecondsAgo(long seconds) => NowMs - (uint)Math.Min(seconds * 1000, uint.MaxValue);

    /// <summary>RESTORE ... FREQ: a counter of <paramref name="frequency"/> (0 to 255), decayed from now on.</summary>
    public static uint WithFrequency(long frequency) => NowMinutes << 8 | (uint)frequency;

    /// <summary>Milliseconds since the last access (OBJECT IDLETIME), under an LRU policy.</summary>
    public static long IdleMs(uint access) => NowMs - access;

    /// <summary>The access counter after decay (OBJECT FREQ), under an LFU policy.</summary>
    public static uint Frequency(uint access) => Decayed(access);

    /// <summary>How good a candidate for eviction the key is: higher goes first (Redis's idle score in evictionPoolPopulate).</summary>
    public static long EvictionScore(uint access, bool countsFrequency) => countsFrequency ? 255 - Decayed(access) : IdleMs(access);

    // Redis's LFUDecrAndReturn: one off the counter per minute since the last decay (lfu-decay-time 1).
    private static uint Decayed(uint access)
    {
        var minutes = (NowMinutes - (access >> 8)) & 0xFFFF;
        var counter = access & 0xFF;
        return minutes >= counter ? 0 : counter - minutes;
    }
}
