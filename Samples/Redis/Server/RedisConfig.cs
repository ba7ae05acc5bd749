using System.Globalization;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// CONFIG GET/SET/REWRITE over every Redis 7.0 parameter (<see cref="ConfigParameters"/>), checked and printed as Redis
/// does. Some change behaviour: requirepass; the RDB settings (dir, dbfilename, save, stop-writes-on-bgsave-error); the
/// append-only file's (appendonly, appendfsync, auto-aof-rewrite-*); slowlog-*, latency-monitor-threshold; the encodings'
/// thresholds (hash-max-listpack-entries and co.) OBJECT ENCODING answers with; hll-sparse-max-bytes; stream-node-max-*;
/// maxmemory and maxmemory-policy as OBJECT REFCOUNT and FREQ see them; the process's (logfile, loglevel, pidfile,
/// daemonize, supervised: <see cref="ServerProcess"/>, <see cref="RedisLog"/>). The others are kept and reported only.
/// Differences on purpose: dir is kept per server (Redis changes the process's working directory); port, bind,
/// proto-max-bulk-len and client-query-buffer-limit are read when the loops start, so CONFIG SET refuses them as immutable.
/// </summary>
internal sealed class RedisConfig
{
    private readonly Dictionary<ConfigParameter, string> _values = ConfigParameters.All.ToDictionary(p => p, p => p.Default);
    private readonly object _gate = new();
    // One CONFIG SET at a time, apply hooks included; Get takes only _gate, so a hook may read the configuration.
    private readonly object _setGate = new();

    public RedisConfig(RedisServerOptions options)
    {
        ConfigFile = options.ConfigFile;
        // The loops' own settings, as they took them (the parser's limits may be set below Redis's 1mb minimum, for tests).
        Store("port", options.Port.ToString(CultureInfo.InvariantCulture));
        Store("bind", options.Bind);
        Store("proto-max-bulk-len", options.MaxBulkLength.ToString(CultureInfo.InvariantCulture));
        Store("client-query-buffer-limit", options.QueryBufferLimit.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, value) in new[]
        {
            ("databases", options.Databases.ToString(CultureInfo.InvariantCulture)), ("requirepass", options.RequirePass ?? ""),
            ("dir", options.Dir), ("dbfilename", options.DbFileName), ("save", options.Save),
        }.Concat(options.Settings ?? []))
        {
            if (name == "user")
            {
                Users.Add(value);
                continue;
            }
            var parameter = ConfigParameters.Find(name) ?? throw new ArgumentException($"--{name} {value}: Bad directive or wrong number of arguments");
            if (parameter.Type.Parse(value, _values[parameter], out var stored) is { } error) { throw new ArgumentException($"--{name} {value}: {error}"); }
            _values[parameter] = stored;
            RememberClasses(parameter, value);
        }
    }

    /// <summary>
    /// The classes of keyspace notifications notify-keyspace-events enables, as given: its spelling loses n beside A, as
    /// Redis's does, while the classes keep it.
    /// </summary>
    public EventClass NotifyClasses
    {
        get { lock (_gate) { return _notifyClasses; } }
    }

    private EventClass _notifyClasses;

    // Under _gate (or in the constructor).
    private void RememberClasses(ConfigParameter parameter, string given)
    {
        if (parameter.Name == "notify-keyspace-events") { KeyspaceEvents.TryParse(given, out _notifyClasses); }
    }

    /// <summary>The config file the server started from (CONFIG REWRITE writes it back), or null.</summary>
    public string? ConfigFile { get; }

    /// <summary>Raised after a successful CONFIG SET, with each parameter's name.</summary>
    public event Action<string>? Changed;

    /// <summary>
    /// Puts a parameter's new value into effect once CONFIG SET has stored it (turning the append-only file on or off):
    /// the parameter's name and value in, null when done or why it cannot be (then every value of that CONFIG SET is
    /// restored and put back into effect).
    /// </summary>
    public Func<string, string, string?>? Apply { get; set; }

    /// <summary>A parameter's value, by its name or alias, as CONFIG GET reports it.</summary>
    public string Get(string name)
    {
        var parameter = ConfigParameters.Find(name) ?? throw new KeyNotFoundException(name);
        lock (_gate) { return _values[parameter]; }
    }

    /// <summary>Stores a value the server itself changed (replicaof, by REPLICAOF), which CONFIG GET and REWRITE then show.</summary>
    public void Replace(string name, string value)
    {
        var parameter = ConfigParameters.Find(name) ?? throw new KeyNotFoundException(name);
        lock (_gate) { _values[parameter] = value; }
    }

    /// <summary>A numeric parameter's value (the encodings' thresholds, maxmemory in bytes); one beyond a long reads as long.MaxValue.</summary>
    public long GetNumber(string name) => long.TryParse(Get(name), out var value) ? value : long.MaxValue;

    /// <summary>The thresholds OBJECT ENCODING compares values with.</summary>
    public EncodingThresholds EncodingThresholds => new(GetNumber("hash-max-listpack-entries"), GetNumber("hash-max-listpack-value"),
        GetNumber("set-max-intset-entries"), GetNumber("zset-max-listpack-entries"), GetNumber("zset-max-listpack-value"));

    /// <summary>How full a stream node may grow before XADD starts another.</summary>
    public StreamNodeLimits StreamNodeLimits => new(GetNumber("stream-node-max-bytes"), GetNumber("stream-node-max-entries"));

    /// <summary>Redis's maxmemory-policy keeps access frequencies (an LFU policy) rather than idle times.</summary>
    public bool TracksFrequency => Get("maxmemory-policy") is "volatile-lfu" or "allkeys-lfu";

    /// <summary>
    /// Small integers are Redis's shared objects (OBJECT REFCOUNT answers INT_MAX) unless a maxmemory with an LRU or LFU
    /// policy needs each value's own access time.
    /// </summary>
    public bool SharesIntegers => GetNumber("maxmemory") == 0 || Get("maxmemory-policy") is not ("volatile-lru" or "allkeys-lru" or "volatile-lfu" or "allkeys-lfu");

    /// <summary>The password AUTH must present, or null when none is required.</summary>
    public string? RequirePass => Get("requirepass") is { Length: > 0 } pass ? pass : null;

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

    /// <summary>
    /// CONFIG GET: the parameters <paramref name="patterns"/> name. An exact name (hidden ones too) is answered under the
    /// name as given; a glob pattern matches every name and alias that is not hidden.
    /// </summary>
    public List<(string Name, string Value)> Lookup(IEnumerable<string> patterns)
    {
        var found = new List<(string Name, ConfigParameter Parameter)>();
        foreach (var pattern in patterns)
        {
            if (pattern.AsSpan().IndexOfAny("[*?") < 0)
            {
                if (ConfigParameters.Find(pattern) is { } parameter && !found.Any(f => f.Name.Equals(pattern, StringComparison.OrdinalIgnoreCase))) { found.Add((pattern, parameter)); }
                continue;
            }
            var bytes = System.Text.Encoding.UTF8.GetBytes(pattern);
            foreach (var (name, parameter) in ConfigParameters.Names)
            {
                if (!found.Any(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) && Glob.Match(bytes, System.Text.Encoding.ASCII.GetBytes(name), ignoreCase: true)) { found.Add((name, parameter)); }
            }
        }
        lock (_gate) { return found.Select(f => (f.Name, _values[f.Parameter])).ToList(); }
    }

    /// <summary>
    /// CONFIG SET: all of <paramref name="pairs"/> or none, as Redis 7.0 (names checked first, then every value, then each
    /// change put into effect). <paramref name="localClient"/>: the client connected from this host, which
    /// enable-protected-configs local lets set dir and dbfilename. Null when done, else Redis's error.
    /// </summary>
    public string? TrySet(IReadOnlyList<(string Name, string Value)> pairs, bool localClient)
    {
        var parameters = new ConfigParameter[pairs.Count];
        for (var i = 0; i < pairs.Count; i++)
        {
            var (name, _) = pairs[i];
            if (ConfigParameters.Find(name) is not { } parameter) { return $"ERR Unknown option or number of arguments for CONFIG SET - '{name}'"; }
            parameters[i] = parameter;
            var refusal = parameter.Is(ConfigFlags.Immutable | ConfigFlags.StartupOnly) ? "can't set immutable config"
                : parameter.Is(ConfigFlags.Protected) && !ProtectedAllowed(localClient) ? "can't set protected config"
                : IsDuplicate(pairs, parameters, i) ? "duplicate parameter"
                : null;
            if (refusal is not null) { return Failed(name, refusal); }
        }
        lock (_setGate)
        {
            var old = new string[pairs.Count];
            var oldClasses = NotifyClasses;
            lock (_gate)
            {
                for (var i = 0; i < pairs.Count; i++) { old[i] = _values[parameters[i]]; }
                for (var i = 0; i < pairs.Count; i++)
                {
                    if (parameters[i].Type.Parse(pairs[i].Value, _values[parameters[i]], out var stored) is { } reason)
                    {
                        Restore(parameters, old, i);
                        _notifyClasses = oldClasses;
                        return Failed(NameUsed(parameters[i], pairs[i].Name), reason);
                    }
                    _values[parameters[i]] = stored;
                    RememberClasses(parameters[i], pairs[i].Value);
                }
            }
            for (var i = 0; i < pairs.Count; i++)
            {
                var value = Get(parameters[i].Name);
                if (value == old[i] || Apply?.Invoke(parameters[i].Name, value) is not { } reason) { continue; }
                lock (_gate)
                {
                    Restore(parameters, old, pairs.Count);
                    _notifyClasses = oldClasses;
                }
                for (var j = 0; j < i; j++) { Apply?.Invoke(parameters[j].Name, old[j]); }
                return Failed(NameUsed(parameters[i], pairs[i].Name), reason);
            }
        }
        foreach (var parameter in parameters) { Changed?.Invoke(parameter.Name); }
        return null;
    }

    /// <summary>The ACL users the config file and command line declare (<c>user alice on &gt;pw ~* +@all</c>), as given.</summary>
    public List<string> Users { get; } = [];

    /// <summary>
    /// CONFIG REWRITE: the config file gets the values now in effect, as Redis writes it, and <paramref name="users"/> as
    /// its user lines (none with an aclfile, which holds them); null when done, else Redis's error.
    /// </summary>
    public string? Rewrite(IReadOnlyList<string> users)
    {
        if (ConfigFile is null) { return "ERR The server is running without a config file"; }
        Dictionary<ConfigParameter, string> values;
        lock (_gate) { values = new(_values); }
        try
        {
            ConfigRewriter.Rewrite(ConfigFile, values, users);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"ERR Rewriting config file: {e.Message}";
        }
    }

    // A parameter and its alias are two entries of Redis's table: only the same name given twice is a duplicate.
    private static bool IsDuplicate(IReadOnlyList<(string Name, string Value)> pairs, ConfigParameter[] parameters, int index)
    {
        for (var i = 0; i < index; i++)
        {
            if (parameters[i] == parameters[index] && NameUsed(parameters[i], pairs[i].Name) == NameUsed(parameters[i], pairs[index].Name)) { return true; }
        }
        return false;
    }

    private bool ProtectedAllowed(bool localClient) => Get("enable-protected-configs") switch
    {
        "yes" => true,
        "local" => localClient,
        _ => false,
    };

    private void Restore(ConfigParameter[] parameters, string[] old, int count)
    {
        for (var i = count - 1; i >= 0; i--) { _values[parameters[i]] = old[i]; }
    }

    private void Store(string name, string value) => _values[ConfigParameters.Find(name)!] = value;

    // Redis names the parameter as its table does: the alias when the alias was given.
    private static string NameUsed(ConfigParameter parameter, string given) =>
        given.Equals(parameter.Alias, StringComparison.OrdinalIgnoreCase) ? parameter.Alias! : parameter.Name;

    private static string Failed(string name, string reason) => $"ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}";
}
