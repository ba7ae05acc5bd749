using System.Text;

namespace Loop.Samples.Redis.Server;

/// <summary>A config-file line's arguments, split and quoted as Redis's sdssplitargs and sdscatrepr do.</summary>
internal static class ConfigArgs
{
    /// <summary>
    /// The arguments of <paramref name="line"/>: words separated by blanks; "double quotes" with \n \r \t \b \a \\ \" and
    /// \xHH escapes; 'single quotes' with \'. Null when a quote is unbalanced or not followed by a blank.
    /// </summary>
    public static List<string>? Split(string line)
    {
        var args = new List<string>();
        var i = 0;
        while (true)
        {
            while (i < line.Length && IsBlank(line[i])) { i++; }
            if (i == line.Length) { return args; }
            var current = new StringBuilder();
            var (inDouble, inSingle, done) = (false, false, false);
            while (!done)
            {
                if (inDouble)
                {
                    if (i == line.Length) { return null; }
                    if (line[i] == '\\' && i + 3 < line.Length && line[i + 1] == 'x' && Uri.IsHexDigit(line[i + 2]) && Uri.IsHexDigit(line[i + 3]))
                    {
                        current.Append((char)Convert.ToByte(line.Substring(i + 2, 2), 16));
                        i += 3;
                    }
                    else if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        current.Append(line[i] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', 'b' => '\b', 'a' => '\a', var c => c });
                    }
                    else if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && !IsBlank(line[i + 1])) { return null; }
                        done = true;
                    }
                    else { current.Append(line[i]); }
                }
                else if (inSingle)
                {
                    if (i == line.Length) { return null; }
                    if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] == '\'') { i++; current.Append('\''); }
                    else if (line[i] == '\'')
                    {
                        if (i + 1 < line.Length && !IsBlank(line[i + 1])) { return null; }
                        done = true;
                    }
                    else { current.Append(line[i]); }
                }
                else if (i == line.Length || IsBlank(line[i])) { done = true; }
                else if (line[i] == '"') { inDouble = true; }
                else if (line[i] == '\'') { inSingle = true; }
                else { current.Append(line[i]); }
                if (i < line.Length) { i++; }
            }
            args.Add(current.ToString());
        }
    }

    /// <summary><paramref name="value"/> in double quotes, escaped so that <see cref="Split"/> reads it back.</summary>
    public static string Quote(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '\\' => "\\\\", '"' => "\\\"", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", '\a' => "\\a", '\b' => "\\b",
                _ when c < ' ' || c == 127 => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }

    private static bool IsBlank(char c) => c is ' ' or '\n' or '\r' or '\t' or '\0';

    /// <summary>
    /// Command-line options as redis-server reads them: an option's value is every argument up to the next
    /// <c>--option</c>, joined by spaces (<c>--replicaof 127.0.0.1 6379</c>, <c>--save 900 1 300 10</c>), and a
    /// <c>--save</c> followed by none is <c>--save ""</c>. An option given no value stays alone (<c>--verbose</c>).
    /// </summary>
    public static string[] CommandLine(string[] args)
    {
        var options = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            options.Add(args[i]);
            var values = args[(i + 1)..].TakeWhile(arg => !arg.StartsWith("--", StringComparison.Ordinal)).ToArray();
            if (values.Length > 0) { options.Add(string.Join(' ', values)); }
            else if (args[i] == "--save") { options.Add(""); }
            i += values.Length;
        }
        return [.. options];
    }
}
