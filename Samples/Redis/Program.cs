using Loop;
using Loop.Samples;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Server;
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
// ACL users from aclfile, as Redis loads them before it listens.
if (redis.Config.Get("aclfile") is { Length: > 0 } aclFile && redis.Acl.Load(aclFile, out _) is { } aclError)
{
    Console.Error.WriteLine($"error: aborting startup because of ACL errors: {aclError}");
    return 1;
}
var appendOnly = redis.Config.Get("appendonly") == "yes";
try
{
    redis.Aof.UseIoUring = options.Backend is Backend.Auto or Backend.IoUring;
    var loaded = appendOnly ? redis.Aof.Start(Console.Error.WriteLine) : redis.Persistence.Load();
    if (loaded is not null) { Console.WriteLine(loaded); }
}
catch (Exception e) when (e is AofFormatException or RdbFormatException or IOException or InvalidDataException or UnauthorizedAccessException)
{
    var what = appendOnly ? Path.Combine(dir, redis.Config.Get("appenddirname")) : Path.Combine(dir, dbFileName);
    Console.Error.WriteLine($"error: cannot load {what}: {e.Message}");
    return 1;
}
var exitCode = await SampleHost.RunAsync(options, () => new Session(redis), server =>
{
    redis.Log = options.LoggerFactory.CreateLogger("loop-redis");
    redis.Persistence.UseIoUring = server.BackendName == "iouring";
    redis.RequestShutdown = SampleHost.Stop;
    redis.StartLoops(server);
    redis.StartActiveExpiry(server.Loops[0]);
    redis.StartNetworkStatistics(server);
    redis.Persistence.StartSavePoints(server.Loops[0]);
});
// The link to a master ends; the append-only file's last commands are written and synced; SIGTERM saves when save
// points are set, as Redis does (SHUTDOWN has saved already, or was told not to).
redis.Master?.Stop();
redis.Aof.Stop();
return exitCode == 0 && !redis.Persistence.SavedForShutdown && !redis.Persistence.SaveForShutdown(save: null) ? 1 : exitCode;

// A config file's setting as the command line gives it. The loops listen on one address: a bind line's first (* is every
// IPv4 address; Redis's leading - for an optional address is dropped).
static string[] AsOption(string name, string value) => name != "bind" ? ["--" + name, value]
    : value.Length == 0 ? []
    : ["--bind", value.Split(' ')[0].TrimStart('-') switch { "*" => "0.0.0.0", "::*" => "::", var address => address }];
