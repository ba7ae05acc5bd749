using System.Text;
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
        var expiry = -1;
        for (var i = first; i < c.Count; i++)
        {
            var word = c[i];
            if (Args.Is(word, "NX") && !xx) { nx = true; }
            else if (Args.Is(word, "XX") && !nx) { xx = true; }
            else if (Args.Is(word, "GET")) { get = true; }
            else if (Args.Is(word, "KEEPTTL") && expiry < 0) { keepTtl = true; }
            else if (!keepTtl && i + 1 < c.Count && IsExpiryUnit(word) && SameUnit(c, expiry, word)) { expiry = i++; }
            else
            {
                error = Args.Syntax;
                return false;
            }
        }
        long? deadline = null;
        if (expiry >= 0)
        {
            if (!TryDeadline(c, expiry, "set", out var at, out error)) { return false; }
            deadline = at;
        }
        options = new SetOptions(nx, xx, get, keepTtl, deadline);
        return true;
    }

    /// <summary>
    /// GETEX's options: whether PERSIST was given, and where an EX/PX/EXAT/PXAT option is (-1 if none). Its value is
    /// checked by <see cref="TryDeadline"/> once the key is found to be a string, as Redis checks it.
    /// </summary>
    public static bool TryParseGetEx(RespCommand c, out int expiry, out bool persist)
    {
        expiry = -1;
        persist = false;
        for (var i = 2; i < c.Count; i++)
        {
            if (Args.Is(c[i], "PERSIST") && expiry < 0) { persist = true; }
            else if (!persist && i + 1 < c.Count && IsExpiryUnit(c[i]) && SameUnit(c, expiry, c[i])) { expiry = i++; }
            else { return false; }
        }
        return true;
    }

    private static bool IsExpiryUnit(ReadOnlySpan<byte> word) =>
        Args.Is(word, "EX") || Args.Is(word, "PX") || Args.Is(word, "EXAT") || Args.Is(word, "PXAT");

    // No expiry yet, or one of the same unit: as in Redis, the last of a repeated option counts, two units are refused.
    private static bool SameUnit(RespCommand c, int expiry, ReadOnlySpan<byte> unit) => expiry < 0 || Ascii.EqualsIgnoreCase(c[expiry], unit);

    /// <summary>The option at <paramref name="at"/> (EX/PX/EXAT/PXAT and its value) as an absolute Unix-ms deadline.</summary>
    public static bool TryDeadline(RespCommand c, int at, string command, out long deadline, out string? error)
    {
        deadline = 0;
        error = null;
        var (scale, absolute) = Args.Is(c[at], "EX") ? (1000L, false) : Args.Is(c[at], "PX") ? (1L, false)
            : Args.Is(c[at], "EXAT") ? (1000L, true) : (1L, true);
        if (!Args.TryLong(c[at + 1], out var amount)) { error = Args.NotInteger; return false; }
        var now = Clock.NowMs;
        if (amount <= 0 || amount > (long.MaxValue - (absolute ? 0 : now)) / scale)
        {
            error = $"ERR invalid expire time in '{command}' command";
            return false;
        }
        deadline = absolute ? amount * scale : now + amount * scale;
        return true;
    }
}
