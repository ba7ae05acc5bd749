using System.Diagnostics;
using System.Net;
using Loop.Benchmarks.Soak;

// Soak: legitimate, malformed and abusive clients against one server at once for a while, the server's RSS, fds and
// CPU sampled every second; then a Markdown summary. Exit code 1 if a legitimate request failed (none may).

SoakOptions options;
try
{
    options = SoakOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var probe = new ServerProbe(options.Pid, options.Port);
if (probe.Sample() is not { } before)
{
    Console.Error.WriteLine($"soak: no process {options.Pid}");
    return 2;
}
var duration = TimeSpan.FromSeconds(options.Seconds);
using var stop = new CancellationTokenSource();
var run = new SoakRun(new IPEndPoint(IPAddress.Loopback, options.Port), stop.Token, duration);
var tally = new LegitTally();
var plan = SoakPlan.For(options.Target, run, tally);

if (plan.Setup is { } setup) { await Task.WhenAll(setup.Start()); }
var started = Stopwatch.GetTimestamp();
stop.CancelAfter(duration);
var sampling = probe.SampleEverySecondAsync(stop.Token);
var clients = plan.Clients.SelectMany(kind => kind.Start()).ToArray();
// Every wait of a client is bounded, so all stop soon after the soak ends; one still running past this is stuck.
await Task.WhenAny(Task.WhenAll(clients), Task.Delay(duration + TimeSpan.FromSeconds(15)));
await sampling;
var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
foreach (var error in clients.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!.ToString()).Distinct())
{
    Console.Error.WriteLine($"soak: a client failed by itself: {error}");
}

await Task.WhenAll(plan.FinalCheck.Start());
var (after, drained) = await probe.WaitForDrainAsync(before.Sockets, TimeSpan.FromSeconds(10));
Console.Write(Summary.Markdown(new SoakReport(options, seconds, plan, tally, before, after, drained, probe.PeakRssBytes,
    clients.Count(t => !t.IsCompleted), clients.Count(t => t.IsFaulted))));
return tally.Failed > 0 ? 1 : 0;
