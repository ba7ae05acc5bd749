using System.Net;
using Loop;
using Loop.Protocols.Echo;
using Microsoft.Extensions.Logging;

// Echo server: every byte a client sends comes back.
//   dotnet run -c Release --project Samples/Echo -- --port 7000 [--bind 127.0.0.1] [--loops N] [--pin] [--backend iouring]

var options = new ServerOptions { Port = 7000 };
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw Usage($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--port": options.Port = int.Parse(Value()); break;
        case "--bind": options.BindAddress = IPAddress.Parse(Value()); break;
        case "--loops": options.LoopCount = int.Parse(Value()); break;
        case "--pin": options.PinThreads = true; break;
        case "--backend":
            options.Backend = Value() switch
            {
                "iouring" => Backend.IoUring,
                var other => throw Usage($"unknown backend '{other}'"),
            };
            break;
        default: throw Usage($"unknown option '{args[i]}'");
    }
}

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
options.LoggerFactory = loggerFactory;

var server = Server.Start(options, () => new EchoHandler());
Console.WriteLine($"listening on {server.EndPoint} backend=iouring loops={server.Loops.Count}");

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => { stop.TrySetResult(); server.StopAsync().Wait(); };
await stop.Task;
await server.StopAsync();

static ArgumentException Usage(string problem) =>
    new($"{problem}\nusage: loop-echo [--port 7000] [--bind 127.0.0.1] [--loops N] [--pin] [--backend iouring]");
