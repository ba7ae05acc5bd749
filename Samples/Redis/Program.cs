using Loop;
using Loop.Samples;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Server;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

// A Redis-compatible server: redis-cli, redis-benchmark and StackExchange.Redis talk to it as to Redis.
const string usage = "loop-redis [/path/to/redis.conf] " + SampleHost.CommonUsage + " [--requirepass PASSWORD] [--databases 16] [--proto-max-bulk-len BYTES] [--client-query-buffer-limit BYTES] [--dir DIR] [--dbfilename NAME] [--save \"SECONDS CHANGES ...\"] [--appendonly yes] [--appendfsync always|everysec|no] [--PARAMETER VALUE (any CONFIG SET parameter)]";

var options = new ServerOptions { Port = 6379 };
string? requirePass = null;
var databases = 16;
var maxBulk = 512L * 1024 * 1024;
var queryBufferLimit = RedisServerOptions.DefaultQueryBufferLimit;
var (dir, dbFileName, save) = (".", "dump.rdb", RedisServerOptions.DefaultSave);
var settings = new List<(string Name, string Value)>();
// A config file first, as redis-server takes one: its directives come before the command line's, which override them.
string? configFile = null;
var commandLine = args;
if (args.Length > 0 && !args[0].StartsWith("--"))
{
    configFile = Path.GetFullPath(args[0]);
    try
    {
        args = [.. ConfigFile.Read(configFile).SelectMany(setting => AsOption(setting.Name, setting.Value)), .. ConfigArgs.CommandLine(args[1..])];
    }
    catch (ConfigFileException e)
    {
        Console.Error.WriteLine(e.Message);
        return 1;
    }
}
else { args = ConfigArgs.CommandLine(args); }
try
{
    SampleHost.ParseCommon(args, options, usage, (flag, value) =>
    {
        switch (flag)
        {
            case "--requirepass": requirePass = value ?? throw SampleHost.UsageError("--requirepass needs a value", usage); return 1;
            case "--databases": databases = int.Parse(value ?? throw SampleHost.UsageError("--databases needs a value", usage)); return 1;
            case "--proto-max-bulk-len": maxBulk = long.Parse(value ?? throw SampleHost.UsageError("--proto-max-bulk-len needs a value", usage)); return 1;
            case "--client-query-buffer-limit": queryBufferLimit = long.Parse(value ?? throw SampleHost.UsageError("--client-query-buffer-limit needs a value", usage)); return 1;
            case "--dir": dir = value ?? throw SampleHost.UsageError("--dir needs a directory", usage); return 1;
            case "--dbfilename": dbFileName = value ?? throw SampleHost.UsageError("--dbfilename needs a file name", usage); return 1;
            case "--save": save = value ?? throw SampleHost.UsageError("--save needs save points (\"\" for none)", usage); return 1;
            case var parameter when parameter.StartsWith("--") && value is not null: settings.Add((parameter[2..], value)); return 1;
            default: return -1;
        }
    });
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

if (SampleHost.Verbose) { settings.Add(("loglevel", "verbose")); } // the framework's debug lines are Redis's verbose ones
var redisOptions = new RedisServerOptions(options.Port, options.BindAddress.ToString(), databases, requirePass, maxBulk, queryBufferLimit,
    dir, dbFileName, save, settings, configFile);
if (!Directory.Exists(dir) || !RedisConfig.TryParseSavePoints(save, out _))
{
    Console.Error.WriteLine(Directory.Exists(dir) ? $"error: --save \"{save}\": expected pairs of seconds and changes" : $"error: --dir {dir}: no such directory");
    return 2;
}
redisOptions.ApplyTo(options);
RedisServer redis;
try
{
    redis = new RedisServer(redisOptions);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
var log = new RedisLog(redis);
redis.Log = log.CreateLogger("loop-redis");
options.LoggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(log));
if (ServerProcess.Start(redis, commandLine, configFile is not null) is not { } process) { return 0; } // the daemon goes on
redis.Process = process;
// ACL users from aclfile, as Redis loads them before it listens.
if (redis.Config.Get("aclfile") is { Length: > 0 } aclFile && redis.Acl.Load(aclFile, out _) is { } aclError)
{
    return Fatal($"aborting startup because of ACL errors: {aclError}");
}
var appendOnly = redis.Config.Get("appendonly") == "yes";
try
{
    redis.Aof.UseIoUring = options.Backend is Backend.Auto or Backend.IoUring;
    if ((appendOnly ? redis.Aof.Start() : redis.Persistence.Load()) is { } loaded) { redis.Log.LogInformation("{Loaded}", loaded); }
}
catch (Exception e) when (e is AofFormatException or RdbFormatException or IOException or InvalidDataException or UnauthorizedAccessException)
{
    var what = appendOnly ? Path.Combine(dir, redis.Config.Get("appenddirname")) : Path.Combine(dir, dbFileName);
    return Fatal($"cannot load {what}: {e.Message}");
}
// Beside the host's own handlers, which stop it: the log says which signal did.
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => process.Signalled(PosixSignal.SIGTERM));
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => process.Signalled(PosixSignal.SIGINT));
var exitCode = await SampleHost.RunAsync(options, () => new Session(redis), server =>
{
    redis.Persistence.UseIoUring = server.BackendName == "iouring";
    redis.RequestShutdown = SampleHost.Stop;
    redis.StartLoops(server);
    redis.StartActiveExpiry(server.Loops[0]);
    redis.StartNetworkStatistics(server);
    redis.Persistence.StartSavePoints(server.Loops[0]);
    process.Ready();
});
if (SampleHost.StartError is { } startError) { return Abandon(startError); } // said on standard error already
// The link to a master ends; the append-only file's last commands are written and synced; SIGTERM saves when save
// points are set, as Redis does (SHUTDOWN has saved already, or was told not to).
if (!redis.Persistence.SavedForShutdown) { process.Stopping(); }
redis.Master?.Stop();
redis.Aof.Stop();
if (exitCode == 0 && !redis.Persistence.SavedForShutdown && !redis.Persistence.SaveForShutdown(save: null)) { exitCode = 1; }
process.Exited();
return exitCode;

// A reason not to start, on standard error and in the log.
int Fatal(string message)
{
    Console.Error.WriteLine($"error: {message}");
    return Abandon(message);
}

// The start is given up: the reason goes to the log file too (a daemon's standard error is /dev/null), the pid file goes.
int Abandon(string reason)
{
    if (log.ToFile) { redis.Log.LogWarning("{Reason}", reason); }
    process.Exited();
    return 1;
}

// A config file's setting as the command line gives it. The loops listen on one address: a bind line's first (* is every
// IPv4 address; Redis's leading - for an optional address is dropped).
static string[] AsOption(string name, string value) => name != "bind" ? ["--" + name, value]
    : value.Length == 0 ? []
    : ["--bind", value.Split(' ')[0].TrimStart('-') switch { "*" => "0.0.0.0", "::*" => "::", var address => address }];
