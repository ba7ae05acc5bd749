using System.Collections.Concurrent;
using Loop;
using Loop.Samples;
using Loop.Samples.KeyValue;

// A line-based key-value server: SET/GET/DEL/QUIT, one store shared by every loop.
const string usage = "loop-kv " + SampleHost.CommonUsage;

var options = new ServerOptions { Port = 7379, MaxUnconsumedBytes = 64 * 1024 };   // a line is at most 64 KB
try
{
    SampleHost.ParseCommon(args, options, usage);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
var store = new ConcurrentDictionary<string, string>();
return await SampleHost.RunAsync(options, () => new KeyValueHandler(store));
