using Loop;
using Loop.Protocols.Echo;
using Loop.Samples;

// Echo server: every byte a client sends comes back.
const string usage = "loop-echo " + SampleHost.CommonUsage;

var options = new ServerOptions { Port = 7000 };
try
{
    SampleHost.ParseCommon(args, options, usage);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
return await SampleHost.RunAsync(options, () => new EchoHandler());
