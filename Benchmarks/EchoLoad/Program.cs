using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Loop.Benchmarks.EchoLoad;

// Closed-loop echo load: every connection keeps one batch of `pipeline` messages in flight, checks
// every byte that comes back, and times the round trip. Warm-up first (not counted), then the
// measured window; the run ends by itself when the window closes.

var o = LoadOptions.Parse(args);
var endPoint = new IPEndPoint(IPAddress.Parse(o.Host), o.Port);
var clients = new EchoClient[o.Connections];
for (var i = 0; i < clients.Length; i++) { clients[i] = new EchoClient(i, endPoint, o.Size, o.Pipeline); }

var measureStart = Stopwatch.GetTimestamp() + (long)(o.WarmupSeconds * Stopwatch.Frequency);
var measureEnd = measureStart + (long)(o.DurationSeconds * Stopwatch.Frequency);
using var abort = new CancellationTokenSource();
Exception? failure = null;

var drivers = new Driver[o.Threads];
var threads = new Thread[o.Threads];
for (var t = 0; t < o.Threads; t++)
{
    // Connection i goes to driver i % threads.
    var driver = drivers[t] = new Driver([.. clients.Where(c => c.Id % o.Threads == t)], measureStart, measureEnd, abort.Token);
    threads[t] = new Thread(() =>
    {
        try { driver.Run(); }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref failure, e, null);
            abort.Cancel();
        }
    }) { Name = $"driver {t}" };
    threads[t].Start();
}

// CPU time is sampled here, at the edges of the same window the drivers count in: the server's, ours,
// and everything else's (other load on the machine skews the numbers).
(double Server, double Client, double Other)? cpu = null;
if (o.ServerPid is { } pid && WaitUntil(measureStart))
{
    var before = SampleCpu(pid);
    if (WaitUntil(measureEnd))
    {
        var after = SampleCpu(pid);
        var server = after.Server - before.Server;
        var client = after.Client - before.Client;
        var busy = CpuTime.MachineCpus() * Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp).TotalSeconds
            - (after.Idle - before.Idle);
        cpu = (server, client, busy - server - client);
    }
}
foreach (var thread in threads) { thread.Join(); }
foreach (var client in clients) { client.Dispose(); }

if (failure is not null) { return Fail(failure.Message); }
// A connection still waiting for its echo after a second (or the whole window) has stalled: lost
// data or a missed wake-up in the server, which the throughput of the others would hide.
var stallLimit = Math.Min(1.0, o.DurationSeconds);
var stalled = clients.FirstOrDefault(c => c.RoundStart < measureEnd - (long)(stallLimit * Stopwatch.Frequency));
if (stalled is not null)
{
    var age = Stopwatch.GetElapsedTime(stalled.RoundStart, measureEnd).TotalSeconds;
    return Fail($"connection {stalled.Id}: no echo for the last {age:F1} s of the run");
}

var latencies = new LatencyHistogram();
foreach (var d in drivers) { latencies.Add(d.Latencies); }
var msgsPerSecond = latencies.Count * o.Pipeline / o.DurationSeconds;
var p50 = latencies.Percentile(0.50) / 1000.0;
var p99 = latencies.Percentile(0.99) / 1000.0;

if (o.Json)
{
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        msgs_per_sec = Math.Round(msgsPerSecond),
        p50_us = Math.Round(p50, 1),
        p99_us = Math.Round(p99, 1),
        round_trips = latencies.Count,
        connections = o.Connections,
        size = o.Size,
        pipeline = o.Pipeline,
        duration_s = o.DurationSeconds,
        server_cpu_s = Round(cpu?.Server),
        client_cpu_s = Round(cpu?.Client),
        other_cpu_s = Round(cpu?.Other),
    }));
}
else
{
    var cpuText = cpu is { } c ? $" server_cpu_s={c.Server:F2} client_cpu_s={c.Client:F2} other_cpu_s={c.Other:F2}" : "";
    Console.WriteLine($"msgs/s={msgsPerSecond:F0} p50={p50:F1}us p99={p99:F1}us connections={o.Connections} size={o.Size} pipeline={o.Pipeline}{cpuText}");
}
return 0;

// Sleeps until the given Stopwatch timestamp; false if a driver failed meanwhile.
bool WaitUntil(long timestamp)
{
    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
    return !abort.Token.WaitHandle.WaitOne(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
}

static (double Server, double Client, double Idle, long Timestamp) SampleCpu(int serverPid) =>
    (CpuTime.OfProcess(serverPid), CpuTime.OfProcess(Environment.ProcessId), CpuTime.IdleOfMachine(), Stopwatch.GetTimestamp());

static double? Round(double? seconds) => seconds is { } s ? Math.Round(s, 2) : null; // whole clock ticks

static int Fail(string message)
{
    Console.Error.WriteLine($"echo-load: FAILED: {message}");
    return 1;
}
