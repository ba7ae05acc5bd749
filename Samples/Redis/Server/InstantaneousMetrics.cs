namespace Loop.Samples.Redis.Server;

/// <summary>
/// INFO's instantaneous_ops_per_sec and input/output kbps, as Redis's serverCron tracks them: every 100 ms each count's
/// rate since the last sample goes into a ring of 16, and the figure is their average (over all 16, so it rises over the
/// first 1.6 s). Sampled on one loop's timer; read from any.
/// </summary>
internal sealed class InstantaneousMetrics
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly Metric _commands = new(), _input = new(), _output = new();

    /// <summary>Samples <paramref name="read"/> (commands, bytes received, bytes sent, each since start) every 100 ms on <paramref name="loop"/>.</summary>
    public void Start(EventLoop loop, Func<(long Commands, long Input, long Output)> read) => loop.Post(() => loop.Every(Interval, () =>
    {
        var (commands, input, output) = read();
        var now = Environment.TickCount64;
        _commands.Sample(commands, now);
        _input.Sample(input, now);
        _output.Sample(output, now);
    }));

    public long OpsPerSecond => _commands.PerSecond;

    public double InputKbps => _input.PerSecond / 1024.0;

    public double OutputKbps => _output.PerSecond / 1024.0;

    private sealed class Metric
    {
        private const int Samples = 16;
        private readonly long[] _rates = new long[Samples];
        private long _lastValue = -1, _lastMs, _perSecond;
        private int _next;

        public long PerSecond => Volatile.Read(ref _perSecond);

        public void Sample(long value, long nowMs)
        {
            if (_lastValue >= 0 && nowMs > _lastMs)
            {
                _rates[_next] = (value - _lastValue) * 1000 / (nowMs - _lastMs);
                _next = (_next + 1) % Samples;
                Volatile.Write(ref _perSecond, _rates.Sum() / Samples);
            }
            (_lastValue, _lastMs) = (value, nowMs);
        }
    }
}
