using Loop;
using Loop.Samples;
using Loop.Samples.Redis.Server;
using Microsoft.Extensions.Logging;

// A Redis-compatible server: redis-cli, redis-benchmark and StackExchange.Redis talk to it as to Redis.
const string usage = "loop-redis " + SampleHost.CommonUsage + " [--requirepass PASSWORD] [--databases 16] [--proto-max-bulk-len BYTES] [--client-query-buffer-limit BYTES]";

var options = new ServerOptions { Port = 6379 };
string? requirePass = null;
var databases = 16;
var maxBulk = 512L * 1024 * 1024;
var queryBufferLimit = RedisServerOptions.DefaultQueryBufferLimit;
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
            default: return -1;
        }
    });
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var redisOptions = new RedisServerOptions(options.Port, options.BindAddress.ToString(), databases, requirePass, maxBulk, queryBufferLimit);
redisOptions.ApplyTo(options);
var redis = new RedisServer(redisOptions);
return await SampleHost.RunAsync(options, () => new Session(redis), server =>
{
    redis.Log = options.LoggerFactory.CreateLogger("loop-redis");
    redis.StartActiveExpiry(server.Loops[0]);
});
