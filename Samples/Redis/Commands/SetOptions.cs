using Loop.Protocols.Resp;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Commands;

/// <summary>SET's options (NX XX GET EX PX EXAT PXAT KEEPTTL) and GETEX's, validated as Redis does.</summary>
internal readonly record struct SetOptions(bool OnlyIfAbsent, bool OnlyIfPresent, bool Get, bool KeepTtl, long? ExpireAtMs)
{
    public static bool TryParse(RespCommand c, int first, out SetOptions options, out string? error)
    {
        options = default;
        error = null;
        bool nx = false, xx = false, get = false, keepTtl = false;
        long? deadline = null;
        for (var i = first; i < c.Count; i++)
        {
            var word = c[i];
            if (Args.Is(word, "NX") && !xx) { nx = true; }
            else if (Args.Is(word, "XX") && !nx) { xx = true; }
            else if (Args.Is(word, "GET")) { get = true; }
            else if (Args.Is(word, "KEEPTTL") && deadline is null) { keepTtl = true; }
            else if (!keepTtl && deadline is null && i + 1 < c.Count && TryDeadline(word, c[i + 1], "set", out deadline, out error))
            {
                if (error is not null) { return false; }
                i++;
            }
            else
            {
                error = error ?? Args.Syntax;
                return false;
            }
        }
        options = new SetOptions(nx, xx, get, keepTtl, deadline);
        return true;
    }

    public static bool TryParseGetEx(RespCommand c, out long? deadline, out bool persist, out string? error)
    {
        deadline = null;
        persist = false;
        error = null;
        for (var i = 2; i < c.Count; i++)
        {
            if (Args.Is(c[i], "PERSIST") && deadline is null && !persist) { persist = true; }
            else if (!persist && deadline is null && i + 1 < c.Count && TryDeadline(c[i], c[i + 1], "getex", out deadline, out error))
            {
                if (error is not null) { return false; }
                i++;
            }
            else
            {
                error = error ?? Args.Syntax;
                return false;
            }
        }
        return true;
    }

    /// <summary>EX/PX/EXAT/PXAT and their value as an absolute Unix-ms deadline; false if <paramref name="unit"/> is none of them.</summary>
    private static bool TryDeadline(ReadOnlySpan<byte> unit, ReadOnlySpan<byte> value, string command, out long? deadline, out string? error)
    {
        deadline = null;
        error = null;
        var (scale, absolute) = Args.Is(unit, "EX") ? (1000L, false) : Args.Is(unit, "PX") ? (1L, false)
            : Args.Is(unit, "EXAT") ? (1000L, true) : Args.Is(unit, "PXAT") ? (1L, true) : (0L, false);
        if (scale == 0) { return false; }
        if (!Args.TryLong(value, out var amount)) { error = Args.NotInteger; return true; }
        var now = Clock.NowMs;
        if (amount <= 0 || amount > (long.MaxValue - (absolute ? 0 : now)) / scale)
        {
            error = $"ERR invalid expire time in '{command}' command";
            return true;
        }
        deadline = absolute ? amount * scale : now + amount * scale;
        return true;
    }
}
