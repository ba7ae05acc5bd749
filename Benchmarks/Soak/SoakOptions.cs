namespace Loop.Benchmarks.Soak;

/// <summary>Command-line flags of soak.</summary>
internal sealed class SoakOptions
{
    private const string Usage =
        "usage: soak --target redis|http --port N --seconds S --pid PID [--label TEXT]\n" +
        "  runs legitimate, malformed and abusive clients against 127.0.0.1:N for S seconds, samples the server PID's\n" +
        "  RSS, fds and CPU every second, prints a Markdown summary; exit code 1 if a legitimate request failed";

    public string Target { get; private set; } = "";
    public int Port { get; private set; }
    public double Seconds { get; private set; }
    public int Pid { get; private set; }

    /// <summary>What the summary calls the server besides its target, e.g. its backend.</summary>
    public string Label { get; private set; } = "";

    public static SoakOptions Parse(string[] args)
    {
        var o = new SoakOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value\n{Usage}");
            switch (args[i])
            {
                case "--target": o.Target = Value(); break;
                case "--port": o.Port = int.Parse(Value()); break;
                case "--seconds": o.Seconds = double.Parse(Value()); break;
                case "--pid": o.Pid = int.Parse(Value()); break;
                case "--label": o.Label = Value(); break;
                default: throw new ArgumentException($"unknown option '{args[i]}'\n{Usage}");
            }
        }
        if (o.Target is not ("redis" or "http") || o.Port is < 1 or > 65535 || o.Seconds <= 0 || o.Pid < 1)
        {
            throw new ArgumentException($"--target redis|http, --port, --seconds and --pid are required\n{Usage}");
        }
        return o;
    }
}
