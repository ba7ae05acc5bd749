namespace Loop.Samples.Redis.Server;

/// <summary>How CONFIG SET may change a parameter, as Redis 7.0's config flags say.</summary>
[Flags]
internal enum ConfigFlags
{
    None = 0,
    /// <summary>Set only by the config file or the command line: CONFIG SET answers "can't set immutable config".</summary>
    Immutable = 1,
    /// <summary>CONFIG SET only where enable-protected-configs allows it (yes, or local for a local client).</summary>
    Protected = 2,
    /// <summary>Left out of CONFIG GET's glob patterns; its exact name still answers.</summary>
    Hidden = 4,
    /// <summary>
    /// Modifiable in Redis, but read by the loops when they start here (the port, the bind address, the parser's limits):
    /// CONFIG SET refuses it as immutable, where Redis would re-listen or resize.
    /// </summary>
    StartupOnly = 8,
    /// <summary>A secret: CONFIG SET's value for it shows as "(redacted)" in the slow log.</summary>
    Sensitive = 16,
}

/// <summary>One configuration parameter: its name, its Redis 6 alias, how its values read, its default, its flags.</summary>
/// <param name="Default">The value Redis 7.0 starts with, as CONFIG GET reports it; CONFIG REWRITE leaves it out.</param>
internal sealed record ConfigParameter(string Name, string? Alias, ConfigType Type, string Default, ConfigFlags Flags = ConfigFlags.None)
{
    public bool Is(ConfigFlags flag) => (Flags & flag) != 0;
}

/// <summary>How a parameter's values are read, printed and written back to the config file.</summary>
internal abstract class ConfigType
{
    /// <summary>
    /// Why Redis refuses <paramref name="value"/> (the text after "CONFIG SET failed ... - "), or null with the value as
    /// CONFIG GET will report it in <paramref name="stored"/>. <paramref name="current"/> is the value now (a
    /// client-output-buffer-limit sets only the classes it names).
    /// </summary>
    public abstract string? Parse(string value, string current, out string stored);

    /// <summary>
    /// The lines CONFIG REWRITE writes for the parameter: each with whether it is written even where the file has no line
    /// for it (a value other than the default). None: the parameter's lines are dropped from the file.
    /// </summary>
    public virtual IEnumerable<(string Line, bool Force)> Rewrite(string name, string value, string defaultValue) =>
        [($"{name} {value}", value != defaultValue)];

    /// <summary>Whether a config-file line gives the value as several arguments (save 900 1), joined by spaces.</summary>
    public virtual bool MultiArgument => false;
}
