using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// CONFIG GET/SET parameters. Clients ask for a handful at connect time (StackExchange.Redis reads
/// databases, timeout, replica-read-only; redis-benchmark reads save and appendonly), so the common ones
/// answer with Redis's defaults. requirepass and the RDB settings (dir, dbfilename, save,
/// stop-writes-on-bgsave-error) change behaviour; a value they cannot take is refused with Redis's error. The
/// encodings' thresholds (hash-max-listpack-entries and co.) decide what OBJECT ENCODING answers; each keeps its
/// Redis 6 name (hash-max-ziplist-entries) as an alias, set together as in Redis. hll-sparse-max-bytes is the longest
/// a sparse HyperLogLog may grow before it turns dense; stream-node-max-bytes and -entries how full a stream's node gets.
/// </summary>
internal sealed class RedisConfig
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase)
    {
        ["save"] = "",
        ["appendonly"] = "no",
        ["appendfsync"] = "everysec",
        ["appendfilename"] = AofFileNames.DefaultFileName,
        ["appenddirname"] = AofFileNames.DefaultDirectoryName,
        ["aof-load-truncated"] = "yes",
        ["aof-use-rdb-preamble"] = "yes",
        ["aof-timestamp-enabled"] = "no",
        ["auto-aof-rewrite-percentage"] = "100",
        ["auto-aof-rewrite-min-size"] = "67108864",
        ["no-appendfsync-on-rewrite"] = "no",
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
        ["busy-reply-threshold"] = "5000",
        ["client-output-buffer-limit"] = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        ["requirepass"] = "",
        ["list-max-listpack-size"] = "-2",
        ["list-max-ziplist-size"] = "-2",
        ["hash-max-listpack-entries"] = "512",
        ["hash-max-ziplist-entries"] = "512",
        ["hash-max-listpack-value"] = "64",
        ["hash-max-ziplist-value"] = "64",
        ["set-max-intset-entries"] = "512",
        ["zset-max-listpack-entries"] = "128",
        ["zset-max-ziplist-entries"] = "128",
        ["zset-max-listpack-value"] = "64",
        ["zset-max-ziplist-value"] = "64",
        ["hll-sparse-max-bytes"] = "3000",
        ["stream-node-max-bytes"] = "4096",
        ["stream-node-max-entries"] = "100",
        ["slowlog-log-slower-than"] = "10000",
        ["slowlog-max-len"] = "128",
        ["latency-monitor-threshold"] = "0",
    };

    // Redis 7.0 renamed ziplist to listpack; each old name stays an alias of the new one: each name to the other.
    private static readonly Dictionary<string, string> Aliases = new[]
    {
        ("list-max-ziplist-size", "list-max-listpack-size"),
        ("hash-max-ziplist-entries", "hash-max-listpack-entries"),
        ("hash-max-ziplist-value", "hash-max-listpack-value"),
        ("zset-max-ziplist-entries", "zset-max-listpack-entries"),
        ("zset-max-ziplist-value", "zset-max-listpack-value"),
        ("lua-time-limit", "busy-reply-threshold"),
    }.SelectMany(pair => new[] { pair, (pair.Item2, pair.Item1) }).ToDictionary(pair => pair.Item1, pair => pair.Item2, StringComparer.OrdinalIgnoreCase);

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
        foreach (var (name, value) in options.Settings ?? [])
        {
            if (TrySet(name, value, atStartup: true) is { } error) { throw new ArgumentException($"--{name} {value}: {error}"); }
        }
    }

    /// <summary>Raised after a successful CONFIG SET, with the parameter's name.</summary>
    public event Action<string>? Changed;

    /// <summary>
    /// Puts a valid new value into effect before CONFIG SET stores it (turning the append-only file on or off): the
    /// parameter's name and value in, null when done or why it cannot be (then nothing is stored).
    /// </summary>
    public Func<string, string, string?>? Apply { get; set; }

    /// <summary>A parameter's value.</summary>
    public string Get(string name)
    {
        lock (_gate) { return _values[name]; }
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
    private static readonly string[] StartupOnly = ["databases", "port", "bind", "proto-max-bulk-len", "client-query-buffer-limit",
        "appendfilename", "appenddirname"];

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
    public string? TrySet(string name, string value, bool atStartup = false)
    {
        var reason = Invalid(name, ref value);
        if (reason is null && !atStartup && Apply is { } apply) { reason = apply(name.ToLowerInvariant(), value); }
        if (reason is not null) { return $"ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}"; }
        lock (_gate)
        {
            if (!_values.ContainsKey(name) || (!atStartup && StartupOnly.Contains(name, StringComparer.OrdinalIgnoreCase)))
            {
                return $"ERR Unknown option or number of arguments for CONFIG SET - '{name}'";
            }
            _values[name] = name.Equals("dir", StringComparison.OrdinalIgnoreCase) ? Path.GetFullPath(value) : value;
            if (Aliases.TryGetValue(name, out var alias)) { _values[alias] = value; }
        }
        Changed?.Invoke(name.ToLowerInvariant());
        return null;
    }

    // Why Redis refuses the value, or null; a numeric value is rewritten as Redis keeps it ("1kb" is 1024).
    private static string? Invalid(string name, ref string value)
    {
        switch (name.ToLowerInvariant())
        {
            case "save" when !TryParseSavePoints(value, out _): return "Invalid save parameters";
            case "dir" when !Directory.Exists(value): return "No such file or directory";
            case "dbfilename" when value.Length == 0 || value.Contains('/'): return "dbfilename can't be a path, just a filename";
            case "appendfilename" or "appenddirname" when value.Length == 0 || value.Contains('/'): return $"{name} can't be a path, just a filename";
            case "appendfsync" when value is not ("always" or "everysec" or "no"): return "argument(s) must be one of the following: always, everysec, no";
            case "stop-writes-on-bgsave-error" or "rdbcompression" or "rdbchecksum" or "appendonly" or "aof-load-truncated"
                or "aof-use-rdb-preamble" or "aof-timestamp-enabled" or "no-appendfsync-on-rewrite" when value is not ("yes" or "no"):
                return "argument must be 'yes' or 'no'";
            case "slowlog-log-slower-than":
                return InvalidInteger(ref value, -1, long.MaxValue);
            case "slowlog-max-len" or "latency-monitor-threshold" or "busy-reply-threshold" or "lua-time-limit":
                return InvalidInteger(ref value, 0, long.MaxValue);
            case "list-max-listpack-size" or "list-max-ziplist-size":
                return InvalidInteger(ref value, int.MinValue, int.MaxValue);
            case "hash-max-listpack-entries" or "hash-max-ziplist-entries" or "zset-max-listpack-entries" or "zset-max-ziplist-entries"
                or "set-max-intset-entries" or "stream-node-max-entries":
                return InvalidInteger(ref value, 0, long.MaxValue);
            case "hash-max-listpack-value" or "hash-max-ziplist-value" or "zset-max-listpack-value" or "zset-max-ziplist-value"
                or "hll-sparse-max-bytes" or "stream-node-max-bytes":
                return InvalidMemory(ref value, long.MaxValue);
            case "maxmemory": return InvalidMemory(ref value, ulong.MaxValue);
            case "auto-aof-rewrite-min-size": return InvalidMemory(ref value, long.MaxValue);
            case "auto-aof-rewrite-percentage": return InvalidInteger(ref value, 0, int.MaxValue);
            case "maxmemory-policy":
                if (!EvictionPolicies.Contains(value, StringComparer.OrdinalIgnoreCase)) { return $"argument(s) must be one of the following: {string.Join(", ", EvictionPolicies)}"; }
                value = value.ToLowerInvariant();
                return null;
            default: return null;
        }
    }

    // An integer parameter: spelled as Redis's string2ll reads it (no sign but '-', no leading zero), within its bounds.
    private static string? InvalidInteger(ref string value, long min, long max)
    {
        if (!Args.TryLong(System.Text.Encoding.UTF8.GetBytes(value), out var number)) { return "argument couldn't be parsed into an integer"; }
        if (number < min || number > max) { return $"argument must be between {min} and {max} inclusive"; }
        value = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return null;
    }

    private static readonly string[] EvictionPolicies =
        ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"];

    /// <summary>
    /// Why <paramref name="value"/> is not a memory value up to <paramref name="max"/>, as Redis's memtoull reads it (digits,
    /// none being 0, and a unit, b, k, kb, m, mb, g or gb, in any case), or null with the value in bytes.
    /// </summary>
    public static string? InvalidMemory(ref string value, ulong max)
    {
        var digits = 0;
        while (digits < value.Length && char.IsAsciiDigit(value[digits])) { digits++; }
        ulong unit = value[digits..].ToLowerInvariant() switch
        {
            "" or "b" => 1, "k" => 1000, "kb" => 1024, "m" => 1000_000, "mb" => 1024 * 1024, "g" => 1000_000_000, "gb" => 1024 * 1024 * 1024,
            _ => 0,
        };
        if (unit == 0 || digits >= 128) { return "argument must be a memory value"; }
        // strtoull saturates a number too large; only the unit's multiplication is refused for overflowing.
        var number = digits == 0 ? 0 : ulong.TryParse(value.AsSpan(0, digits), out var parsed) ? parsed : ulong.MaxValue;
        if (number > ulong.MaxValue / unit) { return "argument must be a memory value"; }
        if (number * unit > max) { return $"argument must be between 0 and {max} inclusive"; }
        value = (number * unit).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return null;
    }
}
