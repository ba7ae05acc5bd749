namespace Loop.Samples.Redis.Server;

/// <summary>
/// LATENCY's events (command, fast-command): for each, the latest 160 seconds that had a spike of at least
/// latency-monitor-threshold milliseconds (the worst of each second) and the worst ever, as Redis's latency.c keeps them.
/// Shared by the loops behind a lock of its own; a command reaches it only when it took that long.
/// </summary>
internal sealed class LatencyMonitor
{
    private const int SecondsKept = 160;

    private readonly Dictionary<string, EventSeries> _events = new(StringComparer.Ordinal);
    private readonly RedisConfig _config;

    public LatencyMonitor(RedisConfig config)
    {
        _config = config;
        ReadThreshold();
        config.Changed += name =>
        {
            if (name == "latency-monitor-threshold") { ReadThreshold(); }
        };
    }

    /// <summary>A command taking this many milliseconds or more is a spike; long.MaxValue while monitoring is off (0).</summary>
    public long ThresholdMs { get; private set; }

    public bool Enabled => ThresholdMs != long.MaxValue;

    /// <summary>Redis's latencyAddSample: a spike of <paramref name="milliseconds"/> now.</summary>
    public void Add(string name, long milliseconds)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        lock (_events)
        {
            if (!_events.TryGetValue(name, out var series)) { _events[name] = series = new EventSeries(); }
            series.Max = Math.Max(series.Max, milliseconds);
            ref var previous = ref series.Samples[(series.Next + SecondsKept - 1) % SecondsKept];
            if (previous.Time == now)
            {
                previous.Milliseconds = Math.Max(previous.Milliseconds, milliseconds);
                return;
            }
            series.Samples[series.Next] = (now, milliseconds);
            series.Next = (series.Next + 1) % SecondsKept;
        }
    }

    /// <summary>LATENCY LATEST: each event's latest spike and its worst.</summary>
    public (string Name, long Time, long Milliseconds, long Max)[] Latest()
    {
        lock (_events)
        {
            return _events.Select(pair =>
            {
                var last = pair.Value.Samples[(pair.Value.Next + SecondsKept - 1) % SecondsKept];
                return (pair.Key, last.Time, last.Milliseconds, pair.Value.Max);
            }).ToArray();
        }
    }

    /// <summary>LATENCY HISTORY: an event's spikes, oldest first (none for an event never seen).</summary>
    public (long Time, long Milliseconds)[] History(string name)
    {
        lock (_events)
        {
            return _events.TryGetValue(name, out var series) ? series.Ordered() : [];
        }
    }

    /// <summary>LATENCY GRAPH: the event's spikes drawn as Redis draws them, or null for an event with none.</summary>
    public string? Graph(string name)
    {
        lock (_events)
        {
            if (!_events.TryGetValue(name, out var series)) { return null; }
            return LatencyGraph.Render(name, series.Ordered(), series.Max, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        }
    }

    /// <summary>LATENCY RESET: forgets the events named (every event when none); how many there were.</summary>
    public int Reset(IReadOnlyList<string> names)
    {
        lock (_events)
        {
            if (names.Count == 0)
            {
                var count = _events.Count;
                _events.Clear();
                return count;
            }
            return names.Count(name => _events.Remove(name));
        }
    }

    /// <summary>
    /// What LATENCY DOCTOR says: Redis's opening and its line per event (spikes, average, mean deviation, period, worst),
    /// without its advice.
    /// </summary>
    public string Report()
    {
        if (!Enabled)
        {
            return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        lock (_events)
        {
            if (_events.Count == 0)
            {
                return "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n";
            }
            var report = new System.Text.StringBuilder("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
            var number = 1;
            foreach (var (name, series) in _events)
            {
                var samples = series.Samples.Where(s => s.Time != 0).ToArray();
                var average = samples.Sum(s => s.Milliseconds) / samples.Length;
                var deviation = samples.Sum(s => Math.Abs(average - s.Milliseconds)) / samples.Length;
                var period = Math.Max(1, now - samples.Min(s => s.Time));
                report.Append(System.FormattableString.Invariant(
                    $"{number++}. {name}: {samples.Length} latency spikes (average {average}ms, mean deviation {deviation}ms, period {(double)period / samples.Length:F2} sec). Worst all time event {series.Max}ms.\n"));
            }
            return report.ToString();
        }
    }

    private void ReadThreshold()
    {
        var threshold = _config.GetNumber("latency-monitor-threshold");
        ThresholdMs = threshold == 0 ? long.MaxValue : threshold;
    }

    private sealed class EventSeries
    {
        public readonly (long Time, long Milliseconds)[] Samples = new (long, long)[SecondsKept];
        public int Next;
        public long Max;

        /// <summary>The samples taken, oldest first.</summary>
        public (long Time, long Milliseconds)[] Ordered() =>
            Enumerable.Range(0, SecondsKept).Select(i => Samples[(Next + i) % SecondsKept]).Where(s => s.Time != 0).ToArray();
    }
}
