using System.Globalization;
using System.Text;
using Loop.Samples.Redis.Commands;

namespace Loop.Samples.Redis.Server;

/// <summary>save: pairs of seconds (at least 1) and changes, "" for none; a config file's save lines add up.</summary>
internal sealed class SaveConfig : ConfigType
{
    public override bool MultiArgument => true;

    public override string? Parse(string value, string current, out string stored)
    {
        stored = current;
        var words = value.Length == 0 ? [] : value.Split(' ');
        var numbers = new long[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            if (!StrToLL.TryParse(words[i], out numbers[i]) || numbers[i] < (i % 2 == 0 ? 1 : 0) || words.Length % 2 != 0)
            {
                return "Invalid save parameters";
            }
        }
        stored = string.Join(' ', numbers.Select((n, i) => i % 2 == 0 ? n : (int)n));
        return null;
    }

    // Every save point is written (an empty save "" too, or Redis's defaults would come back at the next start).
    public override IEnumerable<(string Line, bool Force)> Rewrite(string name, string value, string defaultValue) =>
        value.Length == 0 ? [("save \"\"", true)]
        : value.Split(' ').Chunk(2).Select(pair => ($"save {pair[0]} {pair[1]}", true));
}

/// <summary>client-output-buffer-limit: groups of a class (normal, replica or slave, pubsub), hard and soft limits and seconds.</summary>
internal sealed class ClientOutputBufferLimitConfig : ConfigType
{
    private static readonly string[] Classes = ["normal", "slave", "pubsub"];

    public override bool MultiArgument => true;

    public override string? Parse(string value, string current, out string stored)
    {
        stored = current;
        var limits = current.Split(' ').Chunk(4).Select(group => group[1..]).ToArray();
        var words = value.Split(' ');
        if (words.Length % 4 != 0) { return "Wrong number of arguments in buffer limit configuration."; }
        for (var i = 0; i < words.Length; i += 4)
        {
            var index = Array.IndexOf(Classes, words[i].ToLowerInvariant() is "replica" ? "slave" : words[i].ToLowerInvariant());
            if (index < 0) { return "Invalid client class specified in buffer limit configuration."; }
            if (!ConfigMemory.TryParse(words[i + 1], out var hard) || !ConfigMemory.TryParse(words[i + 2], out var soft)
                || !StrToLL.TryParse(words[i + 3], out var seconds) || seconds < 0)
            {
                return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            }
            limits[index] = [hard.ToString(CultureInfo.InvariantCulture), soft.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture)];
        }
        stored = string.Join(' ', Classes.Select((name, i) => $"{name} {string.Join(' ', limits[i])}"));
        return null;
    }

    public override IEnumerable<(string Line, bool Force)> Rewrite(string name, string value, string defaultValue)
    {
        var defaults = defaultValue.Split(' ').Chunk(4).ToArray();
        return value.Split(' ').Chunk(4).Select((group, i) =>
            ($"{name} {(group[0] == "slave" ? "replica" : group[0])} {NumericConfig.FormatMemory(ulong.Parse(group[1]))} "
                + $"{NumericConfig.FormatMemory(ulong.Parse(group[2]))} {group[3]}", !group.SequenceEqual(defaults[i])));
    }
}

/// <summary>oom-score-adj-values: three numbers from -2000 to 2000, for a primary, a replica and a background child.</summary>
internal sealed class OomScoreAdjValuesConfig : ConfigType
{
    public override bool MultiArgument => true;

    public override string? Parse(string value, string current, out string stored)
    {
        stored = current;
        var words = value.Split(' ');
        if (words.Length != 3) { return "wrong number of arguments"; }
        var numbers = new long[3];
        for (var i = 0; i < 3; i++)
        {
            if (!StrToLL.TryParse(words[i], out numbers[i]) || numbers[i] is < -2000 or > 2000)
            {
                return "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
            }
        }
        stored = string.Join(' ', numbers);
        return null;
    }
}

/// <summary>
/// notify-keyspace-events: Redis's class letters, kept as Redis prints them back (A for all of g$lshzxetd, then K, E, m).
/// Redis keeps an n given with A but does not print it; here what CONFIG GET prints is the value, so that n is lost.
/// </summary>
internal sealed class NotifyKeyspaceEventsConfig : ConfigType
{
    private const string Classes = "g$lshzxetd";

    public override string? Parse(string value, string current, out string stored)
    {
        stored = current;
        var letters = new HashSet<char>();
        foreach (var c in value)
        {
            if (c == 'A') { letters.UnionWith(Classes); }
            else if ((Classes + "nKEm").Contains(c)) { letters.Add(c); }
            else { return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."; }
        }
        // As Redis prints them, n is left out after A (its flag stays set there; here the printed letters are the value).
        stored = (Classes.All(letters.Contains) ? "A" : string.Concat((Classes + "n").Where(letters.Contains)))
            + string.Concat("KEm".Where(letters.Contains));
        return null;
    }

    public override IEnumerable<(string Line, bool Force)> Rewrite(string name, string value, string defaultValue) =>
        [($"{name} {ConfigArgs.Quote(value)}", value.Length > 0)];
}

/// <summary>bind: up to 16 addresses ("" for none); Redis's default is left out of the file.</summary>
internal sealed class BindConfig : ConfigType
{
    public override bool MultiArgument => true;

    public override string? Parse(string value, string current, out string stored)
    {
        stored = value;
        return value.Split(' ').Length > 16 ? "Too many bind addresses specified." : null;
    }

    public override IEnumerable<(string Line, bool Force)> Rewrite(string name, string value, string defaultValue) =>
        value == defaultValue ? [] : [($"{name} {(value.Length == 0 ? "\"\"" : value)}", true)];
}

/// <summary>replicaof: a host and a port, or NO ONE for none.</summary>
internal sealed class ReplicaOfConfig : ConfigType
{
    public override bool MultiArgument => true;

    public override string? Parse(string value, string current, out string stored)
    {
        stored = current;
        var words = value.Split(' ');
        if (words.Length != 2) { return "wrong number of arguments"; }
        if (words[0].Equals("no", StringComparison.OrdinalIgnoreCase) && words[1].Equals("one", StringComparison.OrdinalIgnoreCase))
        {
            stored = "";
            return null;
        }
        if (!StrToLL.TryParse(words[1], out var port) || port is < 0 or > 65535) { return "Invalid master port"; }
        stored = $"{words[0]} {port}";
        return null;
    }

    public override IEnumerable<(string Line, bool Force)> Rewrite(string name, string value, string defaultValue) =>
        value.Length == 0 ? [] : [($"{name} {value}", true)];
}

/// <summary>latency-tracking-info-percentiles: numbers from 0 to 100, printed as %f without trailing zeros.</summary>
internal sealed class PercentilesConfig : ConfigType
{
    public override bool MultiArgument => true;

    public override string? Parse(string value, string current, out string stored)
    {
        stored = current;
        var words = value.Length == 0 ? [] : value.Split(' ');
        var printed = new List<string>();
        foreach (var word in words)
        {
            if (!Strtod.TryString2d(Encoding.UTF8.GetBytes(word), out var percentile)) { return "Invalid latency-tracking-info-percentiles parameters"; }
            if (percentile is > 100.0 or < 0.0) { return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"; }
            var text = percentile.ToString("F6", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
            printed.Add(text == "-0" ? "-0" : text);
        }
        stored = string.Join(' ', printed);
        return null;
    }

    public override IEnumerable<(string Line, bool Force)> Rewrite(string name, string value, string defaultValue) =>
        [($"{name} {(value.Length == 0 ? "\"\"" : value)}", true)];
}

/// <summary>
/// dir: a directory that exists, kept as its full path (Redis changes its working directory to it; in-process servers here
/// share one, so each keeps its own). Always written back, as Redis writes its working directory.
/// </summary>
internal sealed class DirConfig : ConfigType
{
    public override string? Parse(string value, string current, out string stored)
    {
        stored = current;
        if (File.Exists(value)) { return "Not a directory"; }
        if (!Directory.Exists(value)) { return "No such file or directory"; }
        stored = Path.GetFullPath(value);
        return null;
    }

    public override IEnumerable<(string Line, bool Force)> Rewrite(string name, string value, string defaultValue) =>
        [($"{name} {ConfigArgs.Quote(value)}", true)];
}

/// <summary>Numbers as C's strtoll reads a whole word: blanks and a sign first, base 10, saturating; nothing after.</summary>
internal static class StrToLL
{
    public static bool TryParse(string word, out long number)
    {
        number = 0;
        var text = word.TrimStart(' ', '\t', '\n', '\r', '\f', '\v');
        var negative = text.StartsWith('-');
        var digits = text.Length > 0 && text[0] is '+' or '-' ? text[1..] : text;
        if (digits.Length == 0) { return word.Length == 0; }
        if (!digits.All(char.IsAsciiDigit)) { return false; }
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var magnitude))
        {
            number = negative ? long.MinValue : long.MaxValue;
            return true;
        }
        number = negative ? -magnitude : magnitude;
        return true;
    }
}
