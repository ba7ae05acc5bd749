namespace Loop.Samples.Redis.Server;

/// <summary>
/// CONFIG GET/SET parameters. Clients ask for a handful at connect time (StackExchange.Redis reads
/// databases, timeout, replica-read-only; redis-benchmark reads save and appendonly), so the common ones
/// answer with Redis's defaults. requirepass and the RDB settings (dir, dbfilename, save,
/// stop-writes-on-bgsave-error) change behaviour; a value they cannot take is refused with Redis's error.
/// </summary>
internal sealed class RedisConfig
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase)
    {
        ["save"] = "",
        ["appendonly"] = "no",
        ["appendfsync"] = "everysec",
        ["timeout"] = "0",
        ["replica-read-only"] = "yes",
        ["slave-read-only"] = "yes",
        ["maxmemory"] = "0",
        ["maxmemory-policy"] = "noeviction",
        ["maxclients"] = "10000",
        ["hz"] = "10",
        ["notify-keyspace-events"] = "",
        ["cluster-enabled"] = "no",
        ["stop-writes-on-bgsave-error"] = "yes",
        ["rdbcompression"] = "yes",
        ["rdbchecksum"] = "yes",
        ["loglevel"] = "notice",
        ["lua-time-limit"] = "5000",
        ["client-output-buffer-limit"] = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        ["requirepass"] = "",
    };

    private readonly object _gate = new();

    public RedisConfig(RedisServerOptions options)
    {
        _values["port"] = options.Port.ToString();
        _values["bind"] = options.Bind;
        _values["databases"] = options.Databases.ToString();
        _values["requirepass"] = options.RequirePass ?? "";
        _values["proto-max-bulk-len"] = options.MaxBulkLength.ToString();
        _values["client-query-buffer-limit"] = options.QueryBufferLimit.ToString();
        _values["dir"] = Path.GetFullPath(options.Dir);
        _values["dbfilename"] = options.DbFileName;
        _values["save"] = options.Save;
    }

    /// <summary>Raised after a successful CONFIG SET, with the parameter's name.</summary>
    public event Action<string>? Changed;

    /// <summary>A parameter's value.</summary>
    public string Get(string name)
    {
        lock (_gate) { return _values[name]; }
    }

    /// <summary>The save points of <c>save</c> ("3600 1 300 100"): after Seconds, if at least Changes were made.</summary>
    public static bool TryParseSavePoints(string text, out (long Seconds, long Changes)[] points)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        points = new (long, long)[parts.Length / 2];
        if (parts.Length % 2 != 0) { return false; }
        for (var i = 0; i < points.Length; i++)
        {
            if (!long.TryParse(parts[2 * i], out var seconds) || !long.TryParse(parts[2 * i + 1], out var changes) || seconds < 1 || changes < 0) { return false; }
            points[i] = (seconds, changes);
        }
        return true;
    }

    // Read at startup only: changing them at run time would not take effect.
    private static readonly string[] StartupOnly = ["databases", "port", "bind", "proto-max-bulk-len", "client-query-buffer-limit"];

    /// <summary>The password AUTH must present, or null when none is required.</summary>
    public string? RequirePass
    {
        get
        {
            lock (_gate) { return _values["requirepass"] is { Length: > 0 } pass ? pass : null; }
        }
    }

    /// <summary>Parameters whose name matches the glob <paramref name="pattern"/>.</summary>
    public List<KeyValuePair<string, string>> Matching(ReadOnlySpan<byte> pattern)
    {
        lock (_gate)
        {
            var result = new List<KeyValuePair<string, string>>();
            foreach (var pair in _values)
            {
                if (Store.Glob.Match(pattern, System.Text.Encoding.ASCII.GetBytes(pair.Key), ignoreCase: true)) { result.Add(pair); }
            }
            return result;
        }
    }

    /// <summary>Sets a known parameter: null when done, else Redis's error.</summary>
    public string? TrySet(string name, string value)
    {
        if (Invalid(name, value) is { } reason) { return $"ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}"; }
        lock (_gate)
        {
            if (!_values.ContainsKey(name) || StartupOnly.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                return $"ERR Unknown option or number of arguments for CONFIG SET - '{name}'";
            }
            _values[name] = name.Equals("dir", StringComparison.OrdinalIgnoreCase) ? Path.GetFullPath(value) : value;
        }
        Changed?.Invoke(name.ToLowerInvariant());
        return null;
    }

    private static string? Invalid(string name, string value) => name.ToLowerInvariant() switch
    {
        "save" when !TryParseSavePoints(value, out _) => "Invalid save parameters",
        "dir" when !Directory.Exists(value) => "No such file or directory",
        "dbfilename" when value.Length == 0 || value.Contains('/') => "dbfilename can't be a path, just a filename",
        "stop-writes-on-bgsave-error" or "rdbcompression" or "rdbchecksum" when value is not ("yes" or "no") => "argument must be 'yes' or 'no'",
        _ => null,
    };
}
