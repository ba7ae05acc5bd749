namespace Loop.Samples.Redis.Server;

/// <summary>Memory values as Redis's memtoull reads them: digits (none is 0) and a unit, b, k, kb, m, mb, g or gb, in any case.</summary>
internal static class ConfigMemory
{
    /// <summary>
    /// The bytes <paramref name="value"/> stands for. As in Redis 7.0, a number too large saturates and the unit's
    /// multiplication wraps around (17179869184gb is 0).
    /// </summary>
    public static bool TryParse(string value, out ulong bytes)
    {
        bytes = 0;
        var digits = 0;
        while (digits < value.Length && char.IsAsciiDigit(value[digits])) { digits++; }
        ulong unit = value[digits..].ToLowerInvariant() switch
        {
            "" or "b" => 1, "k" => 1000, "kb" => 1024, "m" => 1000_000, "mb" => 1024 * 1024, "g" => 1000_000_000, "gb" => 1024 * 1024 * 1024,
            _ => 0,
        };
        if (unit == 0 || digits >= 128) { return false; }
        var number = digits == 0 ? 0 : ulong.TryParse(value.AsSpan(0, digits), out var parsed) ? parsed : ulong.MaxValue;
        bytes = unchecked(number * unit);
        return true;
    }
}
