namespace Loop.Samples.Redis.Server;

/// <summary>
/// CONFIG GET/SET parameters. Clients ask for a handful at connect time (StackExchange.Redis reads
/// databases, timeout, replica-read-only; redis-benchmark reads save and appendonly), so the common ones
/// answer with Redis's defaults; only requirepass changes behaviour.
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
        ["dir"] = "/tmp",
        ["dbfilename"] = "dump.rdb",
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

    /// <summary>Sets a known parameter; false for one we do not have.</summary>
    public bool TrySet(string name, string value)
    {
        lock (_gate)
        {
            if (!_values.ContainsKey(name) || StartupOnly.Contains(name, StringComparer.OrdinalIgnoreCase)) { return false; }
            _values[name] = value;
            return true;
        }
    }
}
