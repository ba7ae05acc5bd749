using System.Net;
using Loop;
using Loop.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Loop.Samples;

/// <summary>
/// What every sample shares: the common flags, configuration (section <c>Loop</c> of an optional appsettings.json
/// beside the binary, then <c>Loop__Port=...</c> environment variables, then the flags), console logging, the
/// startup line, and a clean stop on Ctrl+C or SIGTERM (flush what handlers wrote, close, exit 0). The server
/// runs in a generic host, as <see cref="LoopServiceCollectionExtensions.AddLoopServer"/> endpoint.
/// </summary>
internal static class SampleHost
{
    public const string CommonUsage = "[--port N] [--bind ADDRESS] [--loops N] [--pin] [--backend auto|iouring|epoll|managed] [--verbose] [--stats SECONDS] [--Loop:SETTING VALUE]";

    // The flags are switch mappings onto the configuration keys that bind ServerOptions.
    private static readonly Dictionary<string, string> SwitchMappings = new()
    {
        ["--port"] = "Loop:Port",
        ["--bind"] = "Loop:BindAddress",
        ["--loops"] = "Loop:LoopCount",
        ["--pin"] = "Loop:PinThreads",
        ["--backend"] = "Loop:Backend",
    };

    private static HostApplicationBuilder? s_builder;

    /// <summary>--verbose: log at debug level (connection errors, ring setup).</summary>
    public static bool Verbose { get; private set; }

    /// <summary>--stats N: print a one-line summary every N seconds (0: never).</summary>
    public static int StatsSeconds { get; private set; }

    /// <summary>
    /// Checks the common flags and binds <paramref name="options"/> (whose values set in code are the defaults)
    /// from configuration: appsettings.json, environment, flags, the last winning. A sample-specific flag is
    /// offered to <paramref name="extra"/> (flag, next value) which returns how many values it took, or -1 if unknown.
    /// Throws <see cref="ArgumentException"/> or <see cref="FormatException"/> for a usage error.
    /// </summary>
    public static void ParseCommon(string[] args, ServerOptions options, string usage, Func<string, string?, int>? extra = null)
    {
        var commandLine = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            string Value() => value ?? throw UsageError($"{args[i]} needs a value", usage);
            void Map(string checkedValue) { commandLine.Add(args[i]); commandLine.Add(checkedValue); i++; }
            switch (args[i])
            {
                case "--port" or "--loops": Map(int.Parse(Value()).ToString()); break;
                case "--bind": Map(IPAddress.Parse(Value()).ToString()); break;
                case "--backend": Map(ParseBackend(Value(), usage).ToString()); break;
                case "--pin": commandLine.Add("--pin"); commandLine.Add("true"); break;
                case "--verbose": Verbose = true; break;
                case "--stats": StatsSeconds = int.Parse(Value()); i++; break;
                case var setting when setting.StartsWith("--Loop:", StringComparison.OrdinalIgnoreCase):
                    if (setting.Contains('=')) { commandLine.Add(setting); } else { Map(Value()); }
                    break;
                default:
                    var taken = extra?.Invoke(args[i], value) ?? -1;
                    if (taken < 0) { throw UsageError($"unknown option '{args[i]}'", usage); }
                    i += taken;
                    break;
            }
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            Configuration = new ConfigurationManager { ["hostBuilder:reloadConfigOnChange"] = "false" },
        });
        builder.Configuration.AddCommandLine([.. commandLine], SwitchMappings);
        builder.Configuration.GetSection("Loop").BindServerOptions(options);
        s_builder = builder;
    }

    /// <summary>A configuration value (appsettings.json, environment, flags) once <see cref="ParseCommon"/> has run.</summary>
    public static string? Setting(string key) => s_builder?.Configuration[key];

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

    /// <summary>Why RunAsync could not start the server (it returned 1), or null.</summary>
    public static string? StartError { get; private set; }

    private static IHostApplicationLifetime? s_lifetime;

    /// <summary>Stops the running server as SIGTERM does (a sample's SHUTDOWN command); RunAsync then returns 0.</summary>
    public static void Stop() => s_lifetime?.StopApplication();

    /// <summary>
    /// Starts the host and its server, runs <paramref name="started"/> (e.g. to start timers on its loops), prints
    /// the startup line, and runs until Ctrl+C or SIGTERM. Returns 1 when the server cannot start.
    /// </summary>
    public static async Task<int> RunAsync(ServerOptions options, Func<IConnectionHandler> handlerFactory, Action<Server>? started = null)
    {
        var builder = s_builder ?? throw new InvalidOperationException("ParseCommon binds the options before RunAsync.");
        builder.Logging.ClearProviders()
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(Verbose ? LogLevel.Debug : LogLevel.Warning);
        // A failed start is reported below in one line, not again with a stack trace.
        if (!Verbose) { builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None); }
        var name = AppDomain.CurrentDomain.FriendlyName;
        builder.Services.AddLoopServer(loop => loop.Listen(name, options, handlerFactory));

        using var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or System.Net.Sockets.SocketException)
        {
            StartError = e.Message;
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        s_lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var server = host.Services.GetRequiredService<LoopHostedService>().Servers[name];
        started?.Invoke(server);
        Console.WriteLine($"listening on {server.EndPoint} backend={server.BackendName} loops={server.Loops.Count}");
        using var stats = StatsSeconds > 0 ? StartStatsLine(server, TimeSpan.FromSeconds(StatsSeconds)) : null;
        await host.WaitForShutdownAsync();
        return 0;
    }
}
