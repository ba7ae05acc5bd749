namespace Loop.Benchmarks.EchoLoad;

/// <summary>Command-line flags of echo-load.</summary>
internal sealed class LoadOptions
{
    private const string Usage =
        "usage: echo-load [--host 127.0.0.1] [--port 7000] [--connections 64] [--size 64] [--pipeline 1]\n" +
        "                 [--duration 10] [--warmup 2] [--threads 1] [--server-pid PID] [--json]";

    public string Host { get; private set; } = "127.0.0.1";
    public int Port { get; private set; } = 7000;
    public int Connections { get; private set; } = 64;
    public int Size { get; private set; } = 64;
    public int Pipeline { get; private set; } = 1;
    public double DurationSeconds { get; private set; } = 10;
    public double WarmupSeconds { get; private set; } = 2;
    public int Threads { get; private set; } = 1;

    /// <summary>Server process whose CPU time is sampled at the edges of the measured window.</summary>
    public int? ServerPid { get; private set; }

    public bool Json { get; private set; }

    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value\n{Usage}");
            switch (args[i])
            {
                case "--host": o.Host = Value(); break;
                case "--port": o.Port = int.Parse(Value()); break;
                case "--connections": o.Connections = int.Parse(Value()); break;
                case "--size": o.Size = int.Parse(Value()); break;
                case "--pipeline": o.Pipeline = int.Parse(Value()); break;
                case "--duration": o.DurationSeconds = double.Parse(Value()); break;
                case "--warmup": o.WarmupSeconds = double.Parse(Value()); break;
                case "--threads": o.Threads = int.Parse(Value()); break;
                case "--server-pid": o.ServerPid = int.Parse(Value()); break;
                case "--json": o.Json = true; break;
                default: throw new ArgumentException($"unknown option '{args[i]}'\n{Usage}");
            }
        }
        if (o.Connections < 1 || o.Size < 1 || o.Pipeline < 1 || o.DurationSeconds <= 0 || o.WarmupSeconds < 0
            || o.Threads < 1 || o.Threads > o.Connections)
        {
            throw new ArgumentException($"connections, size, pipeline, duration must be positive, warmup not negative, threads 1..connections\n{Usage}");
        }
        return o;
    }
}
