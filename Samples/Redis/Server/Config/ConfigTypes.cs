using System.Globalization;
using System.Text;
using Loop.Samples.Redis.Commands;

namespace Loop.Samples.Redis.Server;

/// <summary>yes or no, in any case; <paramref name="invalid"/> says why a setting is refused, or null.</summary>
internal sealed class BoolConfig(Func<bool, string?>? invalid = null) : ConfigType
{
    public static readonly BoolConfig Instance = new();

    public override string? Parse(string value, string current, out string stored)
    {
        stored = value.ToLowerInvariant();
        return stored is "yes" or "no" ? invalid?.Invoke(stored == "yes") : "argument must be 'yes' or 'no'";
    }
}

/// <summary>What else a numeric parameter accepts than an integer (Redis's MEMORY_CONFIG, PERCENT_CONFIG, OCTAL_CONFIG).</summary>
[Flags]
internal enum NumericForm { Integer = 0, Memory = 1, Percent = 2, Octal = 4 }

/// <summary>
/// A number within bounds, read as Redis's numericParseString reads it: a memory value (1gb), a percentage (kept as a
/// negative number, printed back as 10%), an octal number or a plain integer. <paramref name="unsigned"/>: the bounds
/// are compared as unsigned numbers (Redis's unsigned int, size_t and unsigned long long parameters), so -1 is out of
/// range rather than below it. <paramref name="adjust"/> changes an accepted value (hz is kept within 1 and 500).
/// </summary>
internal sealed class NumericConfig(long lower, long upper, NumericForm form = NumericForm.Integer, bool unsigned = false,
    Func<long, long>? adjust = null) : ConfigType
{
    public override string? Parse(string value, string current, out string stored)
    {
        stored = current;
        if (!TryRead(value, out var number)) { return ParseError; }
        if (unsigned ? (ulong)number > (ulong)upper || (ulong)number < (ulong)lower : OutOfSignedRange(number))
        {
            return (form & NumericForm.Percent) != 0 && number < 0
                ? $"percentage argument must be less or equal to {-lower}"
                : $"argument must be between {Bound(lower)} and {Bound(upper)} inclusive";
        }
        stored = Format(adjust?.Invoke(number) ?? number);
        return null;
    }

    public override IEnumerable<(string Line, bool Force)> Rewrite(string name, string value, string defaultValue)
    {
        var number = Value(value);
        var text = (form & NumericForm.Percent) != 0 && number < 0 ? $"{-number}%"
            : (form & NumericForm.Memory) != 0 ? FormatMemory((ulong)number)
            : (form & NumericForm.Octal) != 0 ? Convert.ToString(number, 8)
            : number.ToString(CultureInfo.InvariantCulture);
        return [($"{name} {text}", number != Value(defaultValue))];
    }

    // The number a value as CONFIG GET reports it stands for.
    private long Value(string stored) =>
        stored.EndsWith('%') ? -long.Parse(stored[..^1], CultureInfo.InvariantCulture)
        : (form & NumericForm.Octal) != 0 ? Convert.ToInt64(stored, 8)
        : (form & NumericForm.Memory) != 0 ? (long)ulong.Parse(stored, CultureInfo.InvariantCulture)
        : long.Parse(stored, CultureInfo.InvariantCulture);

    /// <summary>The number as CONFIG GET reports it.</summary>
    public string Format(long number) =>
        (form & NumericForm.Percent) != 0 && number < 0 ? $"{-number}%"
        : (form & NumericForm.Memory) != 0 ? ((ulong)number).ToString(CultureInfo.InvariantCulture)
        : (form & NumericForm.Octal) != 0 ? Convert.ToString(number, 8)
        : number.ToString(CultureInfo.InvariantCulture);

    private bool OutOfSignedRange(long number) =>
        ((form & NumericForm.Percent) != 0 && number < 0) ? number < lower : number > upper || number < lower;

    private string Bound(long bound) => (form & NumericForm.Octal) != 0 ? Convert.ToString(bound, 8)
        : unsigned ? ((ulong)bound).ToString(CultureInfo.InvariantCulture) : bound.ToString(CultureInfo.InvariantCulture);

    private bool TryRead(string value, out long number)
    {
        number = 0;
        if ((form & NumericForm.Memory) != 0 && ConfigMemory.TryParse(value, out var bytes)) { number = (long)bytes; return true; }
        if ((form & NumericForm.Percent) != 0 && value.Length > 1 && value[^1] == '%'
            && Args.TryLong(Encoding.UTF8.GetBytes(value[..^1]), out var percent) && percent >= 0)
        {
            number = -percent;
            return true;
        }
        if ((form & NumericForm.Octal) != 0)
        {
            return value.Length > 0 && value.All(c => c is >= '0' and <= '7') && value.Length <= 21 && TryOctal(value, out number);
        }
        return form == NumericForm.Integer && Args.TryLong(Encoding.UTF8.GetBytes(value), out number);
    }

    private static bool TryOctal(string value, out long number)
    {
        try { number = Convert.ToInt64(value, 8); return number >= 0; }
        catch (OverflowException) { number = 0; return false; }
    }

    private string ParseError => (form & (NumericForm.Memory | NumericForm.Percent)) == (NumericForm.Memory | NumericForm.Percent)
        ? "argument must be a memory or percent value"
        : (form & NumericForm.Memory) != 0 ? "argument must be a memory value"
        : (form & NumericForm.Octal) != 0 ? "argument couldn't be parsed as an octal number"
        : "argument couldn't be parsed into an integer";

    /// <summary>Bytes as Redis writes them into a config file: in gb, mb or kb where they divide evenly.</summary>
    public static string FormatMemory(ulong bytes) =>
        bytes == 0 ? "0"
        : bytes % (1UL << 30) == 0 ? $"{bytes >> 30}gb"
        : bytes % (1UL << 20) == 0 ? $"{bytes >> 20}mb"
        : bytes % (1UL << 10) == 0 ? $"{bytes >> 10}kb"
        : bytes.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One of a list of names, in any case; names for the same setting (oom-score-adj yes and relative) print as the first.</summary>
internal sealed class EnumConfig(params (string Name, int Value)[] names) : ConfigType
{
    public EnumConfig(params string[] names) : this(names.Select((name, i) => (name, i)).ToArray()) { }

    public override string? Parse(string value, string current, out string stored)
    {
        stored = current;
        var match = Array.FindIndex(names, n => n.Name.Equals(value, StringComparison.OrdinalIgnoreCase));
        if (match < 0) { return $"argument(s) must be one of the following: {string.Join(", ", names.Select(n => n.Name))}"; }
        stored = names.First(n => n.Value == names[match].Value).Name;
        return null;
    }
}

/// <summary>
/// Several names that add up (shutdown-on-sigint save now): each a bit, default none; printed in the list's order.
/// SAVE and NOSAVE exclude each other, the only such pair in Redis 7.0.
/// </summary>
internal sealed class ShutdownFlagsConfig : ConfigType
{
    private static readonly string[] Names = ["default", "save", "nosave", "now", "force"];

    public override bool MultiArgument => true;

    public override string? Parse(string value, string current, out string stored)
    {
        stored = current;
        var flags = 0;
        foreach (var word in value.Split(' '))
        {
            var bit = Array.FindIndex(Names, n => n.Equals(word, StringComparison.OrdinalIgnoreCase));
            if (bit < 0) { return $"argument(s) must be one of the following: {string.Join(", ", Names)}"; }
            flags |= bit == 0 ? 0 : 1 << (bit - 1);
        }
        if ((flags & 3) == 3) { return "shutdown options SAVE and NOSAVE can't be used simultaneously"; }
        stored = flags == 0 ? "default" : string.Join(' ', Names.Skip(1).Where((_, i) => (flags & (1 << i)) != 0));
        return null;
    }
}

/// <summary>
/// A string, checked by <paramref name="invalid"/> (why it is refused, or null). <paramref name="emptyIsUnset"/>: an empty
/// value is no value (Redis's EMPTY_STRING_IS_NULL), so CONFIG REWRITE drops the parameter's lines.
/// </summary>
internal sealed class TextConfig(bool emptyIsUnset = false, Func<string, string?>? invalid = null) : ConfigType
{
    public static readonly TextConfig Unset = new(emptyIsUnset: true);

    public override string? Parse(string value, string current, out string stored)
    {
        stored = value;
        return invalid?.Invoke(value);
    }

    public override IEnumerable<(string Line, bool Force)> Rewrite(string name, string value, string defaultValue) =>
        emptyIsUnset && value.Length == 0 ? [] : [($"{name} {ConfigArgs.Quote(value)}", value != defaultValue)];
}
