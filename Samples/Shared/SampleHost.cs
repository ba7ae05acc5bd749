using System.Net;
using System.Runtime.InteropServices;
using Loop;
using Microsoft.Extensions.Logging;

namespace Loop.Samples;

/// <summary>
/// What every sample shares: the common flags, console logging, the startup line, and a clean stop on
/// Ctrl+C or SIGTERM (flush what handlers wrote, close, exit 0).
/// </summary>
internal static class SampleHost
{
    public const string CommonUsage = "[--port N] [--bind ADDRESS] [--loops N] [--pin] [--backend auto|iouring|epoll|managed] [--verbose] [--stats SECONDS]";

    /// <summary>--verbose: log at debug level (connection errors, ring setup).</summary>
    public static bool Verbose { get; private set; }

    /// <summary>--stats N: print a one-line summary every N seconds (0: never).</summary>
    public static int StatsSeconds { get; private set; }

    /// <summary>
    /// Parses the common flags into <paramref name="options"/>; a sample-specific flag is offered to
    /// <paramref name="extra"/> (flag, next value) which returns how many values it took, or -1 if unknown.
    /// </summary>
    public static void ParseCommon(string[] args, ServerOptions options, string usage, Func<string, string?, int>? extra = null)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            string Value() => value ?? throw UsageError($"{args[i]} needs a value", usage);
            switch (args[i])
            {
                case "--port": options.Port = int.Parse(Value()); i++; break;
                case "--bind": options.BindAddress = IPAddress.Parse(Value()); i++; break;
                case "--loops": options.LoopCount = int.Parse(Value()); i++; break;
                case "--pin": options.PinThreads = true; break;
                case "--verbose": Verbose = true; break;
                case "--stats": StatsSeconds = int.Parse(Value()); i++; break;
                case "--backend": options.Backend = ParseBackend(Value(), usage); i++; break;
                default:
                    var taken = extra?.Invoke(args[i], value) ?? -1;
                    if (taken < 0) { throw UsageError($"unknown option '{args[i]}'", usage); }
                    i += taken;
                    break;
            }
        }
    }

    // One line per period: what changed since the previous line, and per-wait batching.
    private static Timer StartStatsLine(Server server, TimeSpan period)
    {
        var last = server.Statistics;
        return new Timer(_ =>
        {
            var now = server.Statistics;
            var waits = Math.Max(now.Waits - last.Waits, 1);
            Console.WriteLine($"stats: connections={now.Connections} accepted=+{now.Accepted - last.Accepted} closed=+{now.Closed - last.Closed} " +
                $"rejected=+{now.Rejected - last.Rejected} in={(now.BytesReceived - last.BytesReceived) / period.TotalSeconds / 1e6:F2}MB/s " +
                $"out={(now.BytesSent - last.BytesSent) / period.TotalSeconds / 1e6:F2}MB/s waits/s={waits / period.TotalSeconds:F0} " +
                $"completions/wait={(double)(now.Completions - last.Completions) / waits:F1} submissions/wait={(double)(now.Submissions - last.Submissions) / waits:F1} " +
                $"ring-empty=+{now.BufferRingEmpty - last.BufferRingEmpty}");
            last = now;
        }, null, period, period);
    }

    private static Backend ParseBackend(string name, string usage) => name switch
    {
        "auto" => Backend.Auto,
        "iouring" => Backend.IoUring,
        "epoll" => Backend.Epoll,
        "managed" => Backend.Managed,
        _ => throw UsageError($"unknown backend '{name}'", usage),
    };

    public static ArgumentException UsageError(string problem, string usage) => new($"{problem}\nusage: {usage}");

    /// <summary>
    /// Starts the server, runs <paramref name="started"/> (e.g. to start timers on its loops), prints the
    /// startup line, and runs until Ctrl+C or SIGTERM.
    /// </summary>
    public static async Task<int> RunAsync(ServerOptions options, Func<IConnectionHandler> handlerFactory, Action<Server>? started = null)
    {
        using var loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(Verbose ? LogLevel.Debug : LogLevel.Warning));
        options.LoggerFactory = loggerFactory;

        var stop = new TaskCompletionSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        Server server;
        try
        {
            server = Server.Start(options, handlerFactory);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        started?.Invoke(server);
        Console.WriteLine($"listening on {server.EndPoint} backend={server.BackendName} loops={server.Loops.Count}");
        using var stats = StatsSeconds > 0 ? StartStatsLine(server, TimeSpan.FromSeconds(StatsSeconds)) : null;
        await stop.Task;
        await server.StopAsync();
        return 0;
    }
}
