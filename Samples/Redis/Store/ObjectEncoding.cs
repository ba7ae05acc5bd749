using System.Buffers.Text;

namespace Loop.Samples.Redis.Store;

/// <summary>Redis's thresholds between a compact encoding and a general one (CONFIG's hash-max-listpack-entries and co.).</summary>
internal readonly record struct EncodingThresholds(long HashEntries, long HashValue, long SetIntsetEntries, long SortedSetEntries, long SortedSetValue)
{
    /// <summary>Redis 7.0's defaults.</summary>
    public static EncodingThresholds Defaults => new(512, 64, 512, 128, 64);
}

/// <summary>
/// What OBJECT ENCODING answers: the encoding redis-server 7.0 would hold the value in. This store keeps one
/// representation per type, so the answer is worked out from the value and what it went through, as Redis decides:
/// a string by its content as SET stores it (int when it spells a 64-bit integer in at most 20 characters, embstr up
/// to 44 bytes, raw beyond); a list is always a quicklist in 7.0; a set, hash or sorted set leaves its compact encoding
/// (intset, listpack) once it has held more entries or a longer element than the thresholds allow, or a set a
/// non-integer, and never goes back, as in Redis (the collections keep those peaks). The thresholds are compared when
/// asked rather than at each write, so a CONFIG SET of them applies to values already there (Redis's values keep what
/// they were given). Strings are plain bytes here, so what Redis makes of some commands' results whatever their content
/// is not told apart: APPEND's, SETRANGE's, SETBIT's and BITOP's are raw there, INCRBYFLOAT's embstr.
/// </summary>
internal static class ObjectEncoding
{
    /// <summary>OBJ_ENCODING_EMBSTR_SIZE_LIMIT: longer strings are raw.</summary>
    public const int EmbeddedStringLimit = 44;

    /// <summary>OBJ_SHARED_INTEGERS: integer strings from 0 below this are Redis's shared objects.</summary>
    public const int SharedIntegers = 10_000;

    public static string Of(object value, EncodingThresholds limits) => value switch
    {
        byte[] text => IsInteger(text) ? "int" : text.Length <= EmbeddedStringLimit ? "embstr" : "raw",
        RedisList => "quicklist",
        RedisSet set => IsIntset(set, limits) ? "intset" : "hashtable",
        RedisHash hash => hash.PeakCount <= limits.HashEntries && hash.PeakLength <= limits.HashValue ? "listpack" : "hashtable",
        RedisSortedSet sorted => !sorted.ForcedSkipList && sorted.PeakCount <= limits.SortedSetEntries && sorted.PeakLength <= limits.SortedSetValue
            ? "listpack" : "skiplist",
        RedisStream => "stream",
        _ => throw new ArgumentException($"not a value: {value.GetType()}", nameof(value)),
    };

    /// <summary>A set Redis would hold as an intset: integers only, never more than set-max-intset-entries.</summary>
    public static bool IsIntset(RedisSet set, EncodingThresholds limits) => !set.HeldNonInteger && set.PeakCount <= limits.SetIntsetEntries;

    /// <summary>True when <paramref name="text"/> spells a 64-bit integer as Redis's string2ll reads one: an optional '-', no leading zero, at most 20 characters.</summary>
    public static bool IsInteger(ReadOnlySpan<byte> text) => TryInteger(text, out _);

    /// <inheritdoc cref="IsInteger"/>
    public static bool TryInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 20 || text[0] == (byte)'+') { return false; }
        var digits = text[0] == (byte)'-' ? text[1..] : text;
        if (digits.IsEmpty || (digits[0] == (byte)'0' && text.Length > 1)) { return false; }
        return Utf8Parser.TryParse(text, out value, out var used) && used == text.Length;
    }
}
