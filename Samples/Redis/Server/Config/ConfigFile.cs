namespace Loop.Samples.Redis.Server;

/// <summary>A config file Redis's way could not be read: the message Redis prints before it exits with 1.</summary>
internal sealed class ConfigFileException(string message) : Exception(message);

/// <summary>
/// Reads a redis.conf as Redis's loadServerConfig: one directive a line, arguments as <see cref="ConfigArgs.Split"/>
/// reads them, # comments, include (a glob includes every file it matches, none is no error), save lines that add up
/// (the first replaces the default), Redis 6's list-max-ziplist-entries/-value and lua-replicate-commands skipped.
/// Each value is checked as CONFIG SET checks it, and the first bad line stops the reading with Redis's message, naming
/// the file and the line. A user line declares an ACL user (RedisServer takes it); rename-command and loadmodule are
/// refused: this server has no such things.
/// </summary>
internal static class ConfigFile
{
    private static readonly string[] Deprecated = ["list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"];

    /// <summary>The parameters <paramref name="path"/> sets, in order, each as CONFIG GET would report it.</summary>
    public static List<(string Name, string Value)> Read(string path)
    {
        var settings = new List<(string Name, string Value)>();
        var values = ConfigParameters.All.ToDictionary(p => p, p => p.Default);
        var saveRead = false;
        ReadFile(path, settings, values, ref saveRead);
        return settings;
    }

    private static void ReadFile(string path, List<(string Name, string Value)> settings, Dictionary<ConfigParameter, string> values, ref bool saveRead)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllText(path).Split('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
                UnauthorizedAccessException => "Permission denied",
                _ => e.Message,
            };
            throw new ConfigFileException($"Fatal error, can't open config file '{path}': {reason}");
        }
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim(' ', '\t', '\r', '\n');
            if (line.Length == 0 || line[0] == '#') { continue; }
            if (Directive(line, settings, values, ref saveRead) is { } error)
            {
                throw new ConfigFileException(
                    $"\n*** FATAL CONFIG FILE ERROR (Redis {RedisVersion.Text}) ***\nReading the configuration file {path}, at line {i + 1}\n>>> '{line}'\n{error}");
            }
        }
    }

    // Why the line is refused, or null once its setting is taken.
    private static string? Directive(string line, List<(string Name, string Value)> settings, Dictionary<ConfigParameter, string> values, ref bool saveRead)
    {
        if (ConfigArgs.Split(line) is not { } args) { return "Unbalanced quotes in configuration line"; }
        if (args.Count == 0) { return null; }
        var name = args[0].ToLowerInvariant();
        if (ConfigParameters.Find(name) is { } parameter)
        {
            if (!parameter.Type.MultiArgument && args.Count != 2) { return "wrong number of arguments"; }
            var value = string.Join(' ', args.Skip(1));
            if (parameter.Type.Parse(value, values[parameter], out var stored) is { } error) { return error; }
            if (parameter.Name == "save")
            {
                // Redis's first save line replaces the default save points; later ones add theirs.
                stored = saveRead ? string.Join(' ', new[] { values[parameter], stored }.Where(s => s.Length > 0)) : stored;
                saveRead = true;
            }
            values[parameter] = stored;
            settings.Add((parameter.Name, stored));
            return null;
        }
        if (Deprecated.Contains(name) && args.Count == 2) { return null; }
        if (name == "include" && args.Count == 2)
        {
            foreach (var file in Included(args[1])) { ReadFile(file, settings, values, ref saveRead); }
            return null;
        }
        if (name == "user" && args.Count >= 2)
        {
            settings.Add((name, string.Join(' ', args.Skip(1))));
            return null;
        }
        if (name is "rename-command" or "loadmodule") { return $"{name} is not supported by this server"; }
        return "Bad directive or wrong number of arguments";
    }

    // A path with a wildcard in its file name names every file it matches, in order; none is no error, as Redis's glob.
    private static IEnumerable<string> Included(string path)
    {
        var name = Path.GetFileName(path);
        if (name.IndexOfAny(['*', '?', '[']) < 0) { return [path]; }
        var directory = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
        var pattern = System.Text.Encoding.UTF8.GetBytes(name);
        return Directory.Exists(directory)
            ? Directory.GetFiles(directory).Where(f => Store.Glob.Match(pattern, System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(f)), ignoreCase: false)).Order(StringComparer.Ordinal)
            : [];
    }
}
